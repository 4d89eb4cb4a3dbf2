"""`upgrade-sim sweep` on the command line: bad --vary keys and values are exit 2 with one line
naming them; a good sweep prints its verdict and progress and writes its folder atomically."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "default.yaml"
FAULTS = ROOT / "scenarios" / "random-node-faults.yaml"


@pytest.mark.parametrize("vary, named", [
    ("nosuchkey=1", "--vary nosuchkey: unknown key"),
    ("preserve_roles=maybe", "--vary preserve_roles=maybe"),
    ("parallel_shards_upgrade=1,-1", "--vary parallel_shards_upgrade=-1: "),
    ("cluster.polcy.parallel_shards_upgrade=1", "--vary cluster.polcy.parallel_shards_upgrade=1: "),
    ("timeline.5.request.body.preserve_roles=true", "--vary timeline.5.request.body.preserve_roles: "),
    ("data_persistence=aof,sometimes", "--vary data_persistence=sometimes: "),
    ("shards_count=0", "--vary shards_count=0: "),
    ("preserve_roles", "--vary 'preserve_roles'"),
    ("parallel_shards_upgrade=[1", "--vary parallel_shards_upgrade=[1: not a YAML value"),
])
def test_a_bad_vary_is_exit_2_with_one_line_naming_it(vary: str, named: str, tmp_path: Path, capsys) -> None:
    """Exit 2; one stderr line naming the key (and value); nothing on stdout; no folder written."""
    out = tmp_path / "out"
    code = main(["sweep", str(DEFAULT), "--vary", "preserve_roles=true,false", "--vary", vary, "--seeds", "2",
                 "--out", str(out)])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("upgrade-sim: error: ") and named in lines[0]
    assert captured.out == "" and not out.exists()


def test_a_sweep_prints_its_verdict_and_writes_its_folder(tmp_path: Path, capsys) -> None:
    """4 strategies × 2 seeds: 8 rows in grid order, a verdict per strategy, progress on stderr."""
    out = tmp_path / "sweep"
    assert main(["sweep", str(FAULTS), "--vary", "preserve_roles=true,false", "--vary",
                 "cluster.policy.parallel_shards_upgrade=1,0", "--seeds", "2", "--first-seed", "10",
                 "--out", str(out), "--no-plots", "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "sweep: 8/8 runs (100%)" in captured.err and "4 strategies x 2 seeds = 8 runs" in captured.err
    assert sorted(p.name for p in out.iterdir()) == [".upgrade-sim-output", "results.csv", "summary.json", "verdict.txt"]
    assert captured.out.startswith((out / "verdict.txt").read_text())
    with (out / "results.csv").open() as table:
        rows = list(csv.DictReader(table))
    assert [(r["preserve_roles"], r["cluster.policy.parallel_shards_upgrade"], r["seed"]) for r in rows] == [
        (p, s, seed) for p in ("true", "false") for s in ("1", "0") for seed in ("10", "11")]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["vary"] == {"preserve_roles": ["true", "false"],
                               "cluster.policy.parallel_shards_upgrade": ["1", "0"]}
    assert [s["strategy"] for s in summary["strategies"]] == [
        "preserve_roles=true, cluster.policy.parallel_shards_upgrade=1",
        "preserve_roles=true, cluster.policy.parallel_shards_upgrade=0",
        "preserve_roles=false, cluster.policy.parallel_shards_upgrade=1",
        "preserve_roles=false, cluster.policy.parallel_shards_upgrade=0"]
    # roles move only without preserve_roles (or when a fault moves them)
    assert all(r["db1.roles_preserved"] == "false" for r in rows if r["preserve_roles"] == "false")


def test_a_sweep_without_random_faults_says_seeds_do_not_matter(tmp_path: Path, capsys) -> None:
    """The default scenario draws nothing from its seed: the note says so, and every seed agrees."""
    out = tmp_path / "s"
    assert main(["sweep", str(DEFAULT), "--seeds", "3", "--out", str(out), "--no-plots", "--workers", "1"]) == 0
    assert "every seed gives the same run" in capsys.readouterr().err
    with (out / "results.csv").open() as table:
        rows = list(csv.DictReader(table))
    assert {r["db1.downtime_s"] for r in rows} == {"2.0"} and [r["seed"] for r in rows] == ["1", "2", "3"]


def test_a_sweep_replaces_its_own_folder_but_refuses_others_before_running(tmp_path: Path, capsys) -> None:
    """A second sweep into its folder replaces it; a folder of other files is refused (exit 2) untouched."""
    out = tmp_path / "s"
    args = ["sweep", str(DEFAULT), "--seeds", "1", "--no-plots", "--workers", "1", "--out"]
    assert main(args + [str(out)]) == 0
    assert main(args + [str(out)]) == 0
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep")
    capsys.readouterr()
    assert main(args + [str(precious)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not an upgrade-sim output folder" in err[0]
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious", "s"]


def test_sweep_help_shows_examples_and_shortcuts(capsys) -> None:
    """`sweep --help` exits 0 with an example and the list of shortcuts."""
    with pytest.raises(SystemExit) as done:
        main(["sweep", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "upgrade-sim sweep scenarios/" in text and "parallel_shards_upgrade" in text and "--scheduler" in text
