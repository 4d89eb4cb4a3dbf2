"""A small real calibration (20 MB, one repetition) through the CLI: every figure positive and
finite, the profile loads, `run --timing` uses it, and nothing is left running."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.calibrate import KEYS, RedisBinary
from sim.calibrate.profile import MARK
from sim.cli import main
from sim.scenario import load_timing
from tests.calibrate.procs import leftovers, servers_under

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "preserve-roles.yaml"


@dataclass
class Calibrated:
    """The finished `upgrade-sim calibrate` process, its profile file and its temporary-files folder."""

    process: subprocess.CompletedProcess[str]
    out: Path
    tmp: Path


@pytest.fixture(scope="module")
def calibrated(binary: RedisBinary, tmp_path_factory: pytest.TempPathFactory) -> Calibrated:
    root = tmp_path_factory.mktemp("calibrated")
    tmp = root / "tmp"
    tmp.mkdir()
    out = root / "profile.yaml"
    process = subprocess.run([sys.executable, "-m", "sim", "calibrate", "--bytes", "20MB", "--repetitions", "1",
                              "--out", str(out)], env={**os.environ, "TMPDIR": str(tmp)}, cwd=root,
                             capture_output=True, text=True, timeout=300, check=False)
    return Calibrated(process, out, tmp)


def test_calibrate_exits_0_and_prints_every_figure(calibrated: Calibrated) -> None:
    """Exit 0; stdout lists each timing key and names the file written; stderr names the binary."""
    assert calibrated.process.returncode == 0, calibrated.process.stderr
    for key in KEYS:
        assert key in calibrated.process.stdout
    assert f"written to {calibrated.out}" in calibrated.process.stdout
    assert "redis-server 6." in calibrated.process.stderr or "redis-server 7." in calibrated.process.stderr


def test_every_figure_is_positive_and_finite(calibrated: Calibrated) -> None:
    """The profile file loads through --timing's reader with the six measured keys, each > 0 and finite."""
    timing = load_timing(calibrated.out)
    assert list(timing) == list(KEYS)
    for key, value in timing.items():
        assert math.isfinite(value) and value > 0, key


def test_profile_header_says_what_where_and_how(calibrated: Calibrated, binary: RedisBinary) -> None:
    """The header comment names the Redis version, the size, the machine, the date, the repetitions
    and the spread of every figure."""
    text = calibrated.out.read_text()
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert text.startswith(MARK + "\n")
    assert any(f"redis-server {binary.version}" in line for line in header)
    assert any("--bytes 20,000,000 requested" in line for line in header)
    assert any(line.startswith("# machine: ") and "cores" in line for line in header)
    assert any(line.startswith("# date: 20") for line in header)
    assert any(line.startswith("# repetitions: 1 ") for line in header)
    for key in KEYS:
        assert any(line.startswith(f"#   {key} ") and " .. " in line for line in header), key


def test_run_with_timing_uses_the_profile(calibrated: Calibrated, tmp_path: Path) -> None:
    """`run --timing FILE`: the log's first event records the file's values, the rest at their defaults,
    and the worked example's duration follows from them: 2 × (restart + 1 GB ÷ sync rate) + 2 × failover."""
    timing = load_timing(calibrated.out)
    out = tmp_path / "run"
    assert main(["run", str(EXAMPLE), "--timing", str(calibrated.out), "--out", str(out), "--no-plots"]) in (0, 1)
    first = json.loads((out / "events.jsonl").read_text().splitlines()[1])
    assert first["type"] == "SimulationStarted"
    assert first["timing"] == {**timing, "failure_detection_s": {"high": 3.0, "low": 12.0}, "unplanned_failover_s": 2.0}
    summary = json.loads((out / "summary.json").read_text())
    expected = 2 * (timing["shard_restart_s"] + 1e9 / timing["full_sync_bytes_per_s"]) + 2 * timing["planned_failover_s"]
    assert summary["databases"]["1"]["upgrade_duration_s"] == pytest.approx(expected, abs=2e-6)
    assert summary["databases"]["1"]["downtime_s"] == pytest.approx(2 * timing["planned_failover_s"], abs=2e-6)


def test_nothing_is_left_running(calibrated: Calibrated) -> None:
    """After the command: no redis-server of it alive, no temporary folder left."""
    assert servers_under(calibrated.tmp) == []
    assert leftovers(calibrated.tmp) == []
