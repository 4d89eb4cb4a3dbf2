"""Golden logs: bundled scenarios must keep writing exactly the committed bytes.

A change to the engine, the events or the log format that alters a log fails here; when
the change is intended, regenerate with `UPDATE_GOLDEN=1 pytest tests/test_golden.py` and
review the diff of `tests/golden/` like any other change.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sim.run import run_scenario
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
