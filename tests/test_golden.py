"""Golden logs: bundled scenarios must keep writing exactly the committed bytes.

A change to the engine, the events or the log format that alters a log fails here; when
the change is intended, regenerate with `UPDATE_GOLDEN=1 pytest tests/test_golden.py` and
review the diff of `tests/golden/` like any other change.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sim.errors import LogFormatError
from sim.events import read_log
from sim.run import replay_log, run_scenario
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SCENARIOS = ["default", "vulnerability-parallel-one", "retry-after-failure", "rejections"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_log_is_byte_identical_to_the_golden_one(name: str, tmp_path: Path) -> None:
    """The scenario's events.jsonl equals tests/golden/<name>.events.jsonl byte for byte."""
    run_scenario(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), out=tmp_path / name, plots=False)
    produced, golden = tmp_path / name / "events.jsonl", GOLDEN / f"{name}.events.jsonl"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.copyfile(produced, golden)
    assert produced.read_bytes() == golden.read_bytes(), f"{name}: the log changed (see the module docstring)"


@pytest.mark.parametrize("name", SCENARIOS)
def test_older_logs_read_and_replay_to_the_figures_their_simulator_reported(name: str) -> None:
    """tests/golden/v1/ and v2/ hold the same runs in format versions 1 and 2, written by earlier
    simulators (v2/<name>.summary.json is what that simulator's replay reported): upcast on
    reading, both are the same events, and replaying them gives the same figures — under the
    semantics they were written with (every shard of a persistent database persisted; quorum
    loss resumed by itself), which the upcaster states in the snapshot."""
    v1, v2 = GOLDEN / "v1" / f"{name}.events.jsonl", GOLDEN / "v2" / f"{name}.events.jsonl"
    assert '"format_version":1' in v1.read_text().splitlines()[0]
    assert '"format_version":2' in v2.read_text().splitlines()[0]
    assert list(read_log(v1)[1]) == list(read_log(v2)[1])
    reported = json.loads((GOLDEN / "v2" / f"{name}.summary.json").read_text())
    for old in (v1, v2):
        summary = replay_log(old).summary
        assert summary["responses"] == reported["responses"] and summary["events"] == reported["events"]
        for uid, figures in reported["databases"].items():
            assert {k: summary["databases"][uid][k] for k in figures} == figures


def test_a_malformed_version_1_snapshot_is_refused_naming_the_line(tmp_path: Path) -> None:
    """An old log whose snapshot cannot be upcast is a LogFormatError on its line, not a traceback."""
    lines = (GOLDEN / "v1" / "default.events.jsonl").read_text().splitlines()
    first = json.loads(lines[1])
    del first["initial"]["shards"]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([lines[0], json.dumps(first), *lines[2:]]) + "\n")
    with pytest.raises(LogFormatError, match=r"line 2: cannot read this format version 1 record"):
        list(read_log(path)[1])
