"""The format-1 upcaster reads frozen columns (issue 16, item 12): the columns of the shard and
pair tables that format versions 1 and 2 write are fixed; the state may gain columns only with
a new format version and an upcaster that adds them."""
from __future__ import annotations

from sim.events import FORMAT_VERSION, UPCASTERS
from sim.events.reader import FORMAT1_PAIR_COLUMNS, FORMAT1_SHARD_COLUMNS
from sim.model.snapshot import PAIR_COLUMNS, SHARD_COLUMNS


def test_the_snapshot_columns_change_only_with_the_format_version() -> None:
    """While the format is 2, the live columns are the frozen ones; a change of columns needs
    format 3 and an upcaster from 2."""
    if (SHARD_COLUMNS, PAIR_COLUMNS) != (FORMAT1_SHARD_COLUMNS, FORMAT1_PAIR_COLUMNS):
        assert FORMAT_VERSION > 2 and 2 in UPCASTERS, "new snapshot columns need a new format version and upcaster"
    else:
        assert FORMAT_VERSION == 2


def test_the_format_1_upcaster_does_not_read_the_live_columns(monkeypatch) -> None:
    """With the live column list changed, format-1 rows still become the same format-2 columns."""
    import sim.model.snapshot

    row = dict(zip(FORMAT1_SHARD_COLUMNS, (1, 1, 0, 1, "master", "ok", "idle", False, 5, 50, {})))
    pair = dict(zip(FORMAT1_PAIR_COLUMNS, (0, 0, 16383, 5, 50, 0, 0, [1])))
    record = {"type": "SimulationStarted", "initial": {"shards": [row], "bdbs": [{"pairs": [pair]}]}}
    monkeypatch.setattr(sim.model.snapshot, "SHARD_COLUMNS", SHARD_COLUMNS + ("new_column",))
    upcast = UPCASTERS[1](record)
    assert list(upcast["initial"]["shards"]) == list(FORMAT1_SHARD_COLUMNS)
    assert upcast["initial"]["shards"]["keys"] == [5]
    assert upcast["initial"]["bdbs"][0]["pairs"]["shards"] == [[1]]
