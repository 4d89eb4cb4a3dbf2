"""The upcasters read frozen columns (issue 16, item 12): the columns of the shard and pair
tables each format version writes are fixed; the state may gain columns only with a new format
version and an upcaster that adds them."""
from __future__ import annotations

from sim.events import FORMAT_VERSION, UPCASTERS
from sim.events.upcast import V2_PAIR_COLUMNS, V2_SHARD_COLUMNS, V3_PAIR_COLUMNS, V3_SHARD_COLUMNS
from sim.model.snapshot import PAIR_COLUMNS, SHARD_COLUMNS


def test_the_snapshot_columns_change_only_with_the_format_version() -> None:
    """While the format is 3, the live columns are the frozen ones of version 3; a change of columns
    needs format 4 and an upcaster from 3."""
    assert FORMAT_VERSION == 3 and set(UPCASTERS) == {1, 2}
    assert (SHARD_COLUMNS, PAIR_COLUMNS) == (V3_SHARD_COLUMNS, V3_PAIR_COLUMNS), \
        "new snapshot columns need a new format version and upcaster"


def test_the_format_1_upcaster_does_not_read_the_live_columns(monkeypatch) -> None:
    """With the live column list changed, format-1 rows still become the same format-2 columns."""
    import sim.model.snapshot

    row = dict(zip(V2_SHARD_COLUMNS, (1, 1, 0, 1, "master", "ok", "idle", False, 5, 50, {})))
    pair = dict(zip(V2_PAIR_COLUMNS, (0, 0, 16383, 5, 50, 0, 0, [1])))
    record = {"type": "SimulationStarted", "initial": {"shards": [row], "bdbs": [{"pairs": [pair]}]}}
    monkeypatch.setattr(sim.model.snapshot, "SHARD_COLUMNS", SHARD_COLUMNS + ("new_column",))
    upcast = UPCASTERS[1](record)
    assert list(upcast["initial"]["shards"]) == list(V2_SHARD_COLUMNS)
    assert upcast["initial"]["shards"]["keys"] == [5]
    assert upcast["initial"]["bdbs"][0]["pairs"]["shards"] == [[1]]
