"""`--timing FILE` on run, check and sweep: the file's values override the scenario's timing key by
key, the log records them, and a bad file is one line naming file, line and key (exit 2)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario, load_timing, merge_timing, with_timing

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "preserve-roles.yaml"
PROFILE = """# any comment
timing:
  shard_restart_s: 0.5
  full_sync_bytes_per_s: 20MB
  failure_detection_s: {low: 20}
"""


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE)
    return path


def test_load_timing_gives_the_values_normalised(profile: Path) -> None:
    """Only the keys given, sizes as bytes per second, nested keys kept nested."""
    assert load_timing(profile) == {"shard_restart_s": 0.5, "full_sync_bytes_per_s": 20e6,
                                    "failure_detection_s": {"low": 20.0}}


@pytest.mark.parametrize(("text", "message"), [
    ("timing:\n  shard_restart_s: 0.5\n  planned_failover_s: -1\n",
     ":3: timing.planned_failover_s: Input should be greater than or equal to 0 (got -1)"),
    ("timing:\n  shard_restart_s: 0.5\n  restart_s: 1\n", ":3: timing.restart_s: unknown key 'restart_s'"),
    ("timing:\n  failure_detection_s: {high: x}\n", ":2: timing.failure_detection_s.high: Input should be a valid number"),
    ("timing:\n  full_sync_bytes_per_s: 10 parsecs\n", ":2: timing.full_sync_bytes_per_s: "),
    ("timing:\n", ":1: timing: timing is a mapping of SPEC §6's keys (shard_restart_s, ...), not an empty value"),
    ("timing: [1, 2]\n", ":1: timing: timing is a mapping of SPEC §6's keys (shard_restart_s, ...), not a list"),
    ("name: x\ntiming: {}\n", ":1: name: unknown key 'name' (a timing file has one key, timing)"),
    ("shard_restart_s: 1\n", ":1: shard_restart_s: unknown key 'shard_restart_s' (a timing file has one key, timing)"),
    ("- 1\n", ":1: a timing file is a mapping with the key timing, not a list"),
    ("timing: {a: 1\n", ":2: malformed YAML"),
])
def test_a_bad_timing_file_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    """Each bad file gives one message starting with its path and line."""
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_timing(path)
    assert str(caught.value).startswith(f"{path}{message}")


def test_overrides_apply_key_by_key() -> None:
    """A file's key replaces the scenario's; inside failure_detection_s, sensitivity by sensitivity."""
    scenario_timing = {"shard_restart_s": 9, "planned_failover_s": 3, "failure_detection_s": {"high": 1, "low": 2}}
    assert merge_timing(scenario_timing, {"shard_restart_s": 0.5, "failure_detection_s": {"low": 20}}) == {
        "shard_restart_s": 0.5, "planned_failover_s": 3, "failure_detection_s": {"high": 1, "low": 20}}
    assert merge_timing(None, {"shard_restart_s": 0.5}) == {"shard_restart_s": 0.5}


def test_with_timing_copies_the_scenario(profile: Path) -> None:
    """The original is untouched; the copy has the file's values and the scenario's others."""
    scenario = load_scenario(EXAMPLE)
    changed = with_timing(scenario, load_timing(profile))
    assert scenario.timing.shard_restart_s == 5 and changed.timing.shard_restart_s == 0.5
    assert changed.timing.failure_detection_s.model_dump() == {"high": 3.0, "low": 20.0}
    assert changed.timing.planned_failover_s == 1 and with_timing(scenario, None) is scenario


def test_run_records_the_timing_used(profile: Path, tmp_path: Path) -> None:
    """The worked example with restart 0.5 s and sync 20 MB/s: 2 × (0.5 + 1 GB ÷ 20 MB/s) + 2 × 1 = 103 s;
    the first event's timing is the merged profile."""
    out = tmp_path / "run"
    assert main(["run", str(EXAMPLE), "--timing", str(profile), "--out", str(out), "--no-plots"]) == 0
    first = json.loads((out / "events.jsonl").read_text().splitlines()[1])
    assert first["timing"] == {"shard_restart_s": 0.5, "rdb_load_bytes_per_s": 100e6, "aof_load_bytes_per_s": 50e6,
                               "full_sync_bytes_per_s": 20e6, "planned_failover_s": 1.0,
                               "failure_detection_s": {"high": 3.0, "low": 20.0}, "unplanned_failover_s": 2.0,
                               "replication_lag_s": 0.1}
    assert json.loads((out / "summary.json").read_text())["databases"]["1"]["upgrade_duration_s"] == 103.0


def test_check_and_sweep_use_it_too(profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check runs with the profile (an expectation on the duration now fails: 103 s > 32 s); sweep
    rows show 103 s, and a --vary of a timing key wins over the file (0 s restarts: 102 s)."""
    limited = tmp_path / "limited.yaml"
    limited.write_text(EXAMPLE.read_text().replace("roles_preserved: true", "roles_preserved: true, "
                                                                             "upgrade_duration_max_s: 40"))
    assert main(["check", str(limited)]) == 0
    assert main(["check", str(limited), "--timing", str(profile)]) == 1
    assert "upgrade_duration_max_s" in capsys.readouterr().out
    out = tmp_path / "sweep"
    assert main(["sweep", str(EXAMPLE), "--timing", str(profile), "--vary", "shard_restart_s=0.5,0", "--seeds", "1",
                 "--workers", "1", "--out", str(out), "--no-plots"]) == 0
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [float(r["db1.upgrade_duration_s"]) for r in rows] == [103.0, 102.0]


def test_a_bad_timing_file_is_exit_2_before_anything_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """run, check and sweep: exit 2, one line, no output folder."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("timing:\n  shard_restart_s: soon\n")
    for argv in (["run", str(EXAMPLE), "--out", str(tmp_path / "o")], ["check", str(EXAMPLE)],
                 ["sweep", str(EXAMPLE), "--seeds", "1", "--out", str(tmp_path / "o")]):
        assert main([*argv, "--timing", str(bad)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"upgrade-sim: error: {bad}:2: timing.shard_restart_s: ") and "\n" not in err
    assert not (tmp_path / "o").exists()
