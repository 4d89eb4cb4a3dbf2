"""`upgrade-sim shrink`: exit codes, the output file (default place, never over a file it did not
write), `--expect`, `--seed`, progress on stderr, and the written file failing under `run`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sim.cli import main
from sim.scenario import scenario_yaml
from sim.shrink import MARK
from tests.kit import scenario_data, upgrade
from tests.shrink.cores import hidden_core

ROOT = Path(__file__).resolve().parents[2]


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(scenario_yaml(data), encoding="utf-8")
    return path


def _vulnerable(**expect: Any) -> dict[str, Any]:
    """SPEC §5's worked example (replicated AOF, crash at 20 while the replica syncs, back at 80):
    10,000 writes lost, 85 s of downtime; the expectations given."""
    data = scenario_data({"replication": True, "data_persistence": "aof"},
                         [upgrade(10), {"at": 20, "node_crash": 1}, {"at": 80, "node_recover": 1}], duration=300)
    data["name"] = "vulnerable"
    data["expect"] = {"databases": {1: expect}}
    return data


def test_shrink_writes_the_default_file_and_it_fails_under_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Default output out/<name>-shrunk.yaml (relative to where it runs); exit 0; the file fails
    under `upgrade-sim run` (exit 1) with the same expectation and only it."""
    data = hidden_core("aof")
    data["expect"]["databases"][1]["writes_lost_max"] = 5000
    source = _write(tmp_path / "big.yaml", data)
    monkeypatch.chdir(tmp_path)
    assert main(["shrink", str(source)]) == 0
    out = tmp_path / "out" / "test-shrunk.yaml"
    printed = capsys.readouterr()
    assert f"{Path('out') / 'test-shrunk.yaml'}: expectation databases.1.writes_lost_max" in printed.out
    assert "from 20 nodes, 5 databases, 18 shards, 11 steps to 3 nodes, 1 database, 2 shards, 3 steps" in printed.out
    assert "shrink: 2 runs; now 20 nodes, 5 databases, 18 shards, 11 steps" in printed.err  # progress
    assert out.read_text().startswith(MARK)
    assert main(["run", str(out), "--out", str(tmp_path / "rerun"), "--no-plots"]) == 1
    summary = json.loads((tmp_path / "rerun" / "summary.json").read_text())
    assert [(e["what"], e["ok"]) for e in summary["expectations"]] == [("databases.1.writes_lost_max", False)]


def test_a_passing_scenario_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every expectation met with that seed: exit 2, one line saying it passes, no file written."""
    source = _write(tmp_path / "ok.yaml", _vulnerable(writes_lost_max=10_000))
    out = tmp_path / "shrunk.yaml"
    assert main(["shrink", str(source), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["upgrade-sim: error: vulnerable with seed 7 passes: every expectation is met and no invariant "
                   "breaks; nothing to shrink"]
    assert not out.exists()


def test_expect_picks_which_failing_expectation(tmp_path: Path) -> None:
    """Two expectations fail (downtime 85 s > 10 s, listed first; writes lost 10,000 > 0): by default
    the severest is kept (data lost before downtime); --expect keeps the other."""
    source = _write(tmp_path / "two.yaml", _vulnerable(downtime_max_s=10, writes_lost_max=0))
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    assert main(["shrink", str(source), "--out", str(first)]) == 0
    assert main(["shrink", str(source), "--out", str(second), "--expect", "databases.1.downtime_max_s"]) == 0
    assert "expect:\n  databases:\n    1: {writes_lost_max: 0}\n" in first.read_text()
    assert "expect:\n  databases:\n    1: {downtime_max_s: 10}\n" in second.read_text()


@pytest.mark.parametrize("key, message", [
    ("databases.1.status", "--expect databases.1.status: not an unmet expectation of vulnerable with seed 7; "
                           "unmet: databases.1.writes_lost_max"),
    ("nonsense", "--expect nonsense: not an unmet expectation of vulnerable with seed 7; "
                 "unmet: databases.1.writes_lost_max"),
])
def test_expect_must_name_an_unmet_expectation(tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str,
                                               message: str) -> None:
    """--expect naming a met or unknown expectation: exit 2, naming the unmet ones."""
    source = _write(tmp_path / "one.yaml", _vulnerable(writes_lost_max=0, status="active-change-pending"))
    assert main(["shrink", str(source), "--out", str(tmp_path / "x.yaml"), "--expect", key]) == 2
    assert capsys.readouterr().err.strip() == f"upgrade-sim: error: {message}"


def test_seed_chooses_the_failing_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """random-node-faults fails its availability bound with seed 10 but not with seed 1 (see
    a sweep of it): the seed given is the run shrunk, and it is written into the file."""
    source = ROOT / "scenarios" / "random-node-faults.yaml"
    assert main(["shrink", str(source), "--out", str(tmp_path / "a.yaml")]) == 2
    assert "random-node-faults with seed 1 passes" in capsys.readouterr().err
    assert main(["shrink", str(source), "--out", str(tmp_path / "a.yaml"), "--seed", "10"]) == 0
    assert "\nseed: 10\n" in (tmp_path / "a.yaml").read_text()


def test_never_over_a_file_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An existing --out not written by shrink is refused (exit 2, untouched) unless --force;
    its own earlier output is replaced."""
    source = _write(tmp_path / "v.yaml", _vulnerable(writes_lost_max=0))
    mine = tmp_path / "notes.yaml"
    mine.write_text("my notes\n")
    assert main(["shrink", str(source), "--out", str(mine)]) == 2
    assert "notes.yaml: exists and was not written by upgrade-sim shrink" in capsys.readouterr().err
    assert mine.read_text() == "my notes\n"
    assert main(["shrink", str(source), "--out", str(mine), "--force"]) == 0
    assert mine.read_text().startswith(MARK)
    assert main(["shrink", str(source), "--out", str(mine)]) == 0  # now it is ours: replaced
    assert main(["shrink", str(source), "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.yaml", "v.yaml"]  # no temporary left


def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A broken scenario: exit 2, the file, line and key named, nothing written."""
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "tests" / "bad_inputs" / "crash-unknown-node.yaml").read_text())
    assert main(["shrink", str(bad), "--out", str(tmp_path / "x.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.yaml:" in err[0] and "node_crash" in err[0]
    assert not (tmp_path / "x.yaml").exists()


def test_shrinking_twice_writes_the_same_bytes(tmp_path: Path) -> None:
    """Determinism through the CLI: two runs, byte-identical files."""
    source = _write(tmp_path / "v.yaml", _vulnerable(writes_lost_max=0))
    assert main(["shrink", str(source), "--out", str(tmp_path / "1.yaml")]) == 0
    assert main(["shrink", str(source), "--out", str(tmp_path / "2.yaml")]) == 0
    assert (tmp_path / "1.yaml").read_bytes() == (tmp_path / "2.yaml").read_bytes()
