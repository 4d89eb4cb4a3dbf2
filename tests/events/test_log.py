"""The event log (SPEC §8): byte-identical for the same input and seed, replayable, and
refused with a message naming the line when it is cut, has a gap, goes back in time,
has an unknown type or a newer format version."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.errors import LogFormatError
from sim.events import FORMAT_VERSION, UPCASTERS, read_log
from sim.run import replay_log
from tests.kit import run, scenario_data, upgrade

CASES = {
    "replicated": scenario_data({"replication": True, "shards_count": 3}, [upgrade(preserve_roles=True)]),
    "aof": scenario_data({"data_persistence": "aof", "shards_count": 2}),
    "discard": scenario_data({"shards_count": 2}, [upgrade(may_discard_data=True)]),
    "crash": scenario_data({"replication": True, "data_persistence": "aof"},
                           [upgrade(), {"at": 20, "node_crash": 1}, {"at": 90, "node_recover": 1}, upgrade(at=200)]),
}


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> dict[str, Path]:
    """One run of each case, written to disk."""
    base = tmp_path_factory.mktemp("logs")
    return {name: run(data, out=base / name).out / "events.jsonl" for name, data in CASES.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_input_and_seed_give_a_byte_identical_log(name: str, logs: dict[str, Path], tmp_path: Path) -> None:
    """A second run, from another folder, writes exactly the same bytes."""
    again = run(CASES[name], out=tmp_path / "elsewhere" / name).out / "events.jsonl"
    assert again.read_bytes() == logs[name].read_bytes()


def test_another_seed_changes_only_what_the_seed_draws(logs: dict[str, Path], tmp_path: Path) -> None:
    """Seed 8 instead of 7: only the header's seed and the (seeded) action uids differ."""
    other = run(CASES["replicated"], out=tmp_path / "s8", seed=8).out / "events.jsonl"
    a, b = logs["replicated"].read_text().splitlines(), other.read_text().splitlines()
    assert len(a) == len(b)
    differing = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    assert differing and differing[0] == 0  # the header carries the seed
    for i in differing[1:]:
        assert "action_uid" in a[i] or '"action":"' in a[i]  # action uids are drawn from the seed


@pytest.mark.parametrize("name", sorted(CASES))
def test_replay_gives_the_live_figures(name: str, logs: dict[str, Path]) -> None:
    """Folding the log without SimPy gives the live run's responses and outcome figures."""
    live = json.loads((logs[name].parent / "summary.json").read_text())
    replayed = replay_log(logs[name]).summary
    for key in ("scenario", "seed", "duration", "events", "responses", "databases"):
        assert replayed[key] == live[key], key


def test_header_names_no_path(logs: dict[str, Path]) -> None:
    """Line 1 holds format, version, simulator, scenario name and hash, seed — no file paths."""
    header = json.loads(logs["aof"].read_text().splitlines()[0])
    assert set(header) == {"format", "format_version", "simulator", "scenario", "scenario_sha256", "seed"}
    assert "/" not in json.dumps(header).replace("upgrade-sim/events", "")


def test_first_event_holds_everything_replay_needs(logs: dict[str, Path]) -> None:
    """Event 0 records the whole initial state, the timing profile and the window."""
    first = json.loads(logs["aof"].read_text().splitlines()[1])
    assert first["type"] == "SimulationStarted" and first["seq"] == 0
    assert {"cluster", "nodes", "modules", "users", "bdbs", "shards", "actions"} <= set(first["initial"])
    assert first["timing"]["shard_restart_s"] == 5.0
    assert first["window"] == {"start": 0.0, "end": 600.0, "default_margin_s": 60.0}


def test_every_event_cause_points_back(logs: dict[str, Path]) -> None:
    """`cause` is null (a root: a request or fault from the timeline) or an earlier seq."""
    events = [json.loads(line) for line in logs["crash"].read_text().splitlines()[1:]]
    for event in events:
        assert event["cause"] is None or 0 <= event["cause"] < event["seq"]
    roots = {e["type"] for e in events if e["cause"] is None}
    assert roots <= {"SimulationStarted", "SimulationEnded", "RequestAccepted", "RequestRejected", "NodeCrashed",
                     "NodeRecovered"}


def _write(path: Path, lines: list[str], end: str = "\n") -> Path:
    path.write_text("\n".join(lines) + end)
    return path


def _corrupt(logs: dict[str, Path], tmp_path: Path, edit) -> Path:
    lines = logs["aof"].read_text().splitlines()
    return _write(tmp_path / "bad.jsonl", edit(lines))


def _drain(path: Path) -> None:
    _, events = read_log(path)
    for _ in events:
        pass


@pytest.mark.parametrize("edit, message", [
    (lambda ls: ls[:5] + [ls[5][: len(ls[5]) // 2]] + ls[6:], r"line 6 is not valid JSON"),
    (lambda ls: ls[:4] + ls[5:], r"line 5: seq 4 where 3 was expected"),
    (lambda ls: ls[:3] + [ls[3].replace('"type":"', '"type":"Bogus', 1)] + ls[4:], r"line 4: unknown event type 'Bogus"),
    (lambda ls: [ls[0].replace(f'"format_version":{FORMAT_VERSION}', '"format_version":99')] + ls[1:],
     r"line 1: format version 99 is newer"),
    (lambda ls: ls[:-1] + [json.dumps({**json.loads(ls[-1]), "t": 1.0}, separators=(",", ":"))], r"goes back in time"),
    (lambda ls: ["{}"] + ls[1:], r"line 1 is not an upgrade-sim event log header"),
])
def test_corrupted_logs_are_refused_naming_the_line(logs, tmp_path, edit, message: str) -> None:
    """Each corruption is a LogFormatError whose message names the line."""
    with pytest.raises(LogFormatError, match=message):
        _drain(_corrupt(logs, tmp_path, edit))


def test_a_cut_last_line_is_refused(logs: dict[str, Path], tmp_path: Path) -> None:
    """A log whose last line has no end of line (a run that was killed) is refused."""
    text = logs["aof"].read_text()
    path = tmp_path / "cut.jsonl"
    path.write_text(text[: len(text) - 7])
    with pytest.raises(LogFormatError, match=r"line \d+ is cut"):
        _drain(path)


def test_a_log_without_its_end_does_not_replay(logs: dict[str, Path], tmp_path: Path) -> None:
    """Whole lines but no SimulationEnded: replay refuses an incomplete log."""
    path = _corrupt(logs, tmp_path, lambda ls: ls[:-1])
    with pytest.raises(LogFormatError, match="does not end with SimulationEnded"):
        replay_log(path)


def test_an_empty_log_is_refused(tmp_path: Path) -> None:
    """An empty file is not a log."""
    (tmp_path / "e.jsonl").write_text("")
    with pytest.raises(LogFormatError, match="line 1: the log is empty"):
        read_log(tmp_path / "e.jsonl")


def test_older_versions_are_upcast(logs: dict[str, Path], tmp_path: Path, monkeypatch) -> None:
    """A log of the version before (here: one that called ShardRestarted 'ShardStarted') is upcast
    on reading, by the upcaster registered for that version."""
    def from_v0(record: dict) -> dict:
        return {**record, "type": "ShardRestarted"} if record.get("type") == "ShardStarted" else record

    monkeypatch.setitem(UPCASTERS, FORMAT_VERSION - 1, from_v0)
    lines = logs["replicated"].read_text().splitlines()
    old = _write(tmp_path / "v0.jsonl",
                 [lines[0].replace(f'"format_version":{FORMAT_VERSION}', f'"format_version":{FORMAT_VERSION - 1}')]
                 + [line.replace('"type":"ShardRestarted"', '"type":"ShardStarted"') for line in lines[1:]])
    assert old.read_text().count('"ShardStarted"') == 6  # 3 replicas + 3 old masters restarted
    header, events = read_log(old)
    assert header.format_version == FORMAT_VERSION
    assert [e.type for e in events] == [json.loads(line)["type"] for line in lines[1:]]
