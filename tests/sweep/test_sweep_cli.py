"""`upgrade-sim sweep` on the command line: bad --vary keys and values are exit 2 with one line
naming them; a good sweep prints its verdict and progress and writes its folder atomically."""
from __future__ import annotations

import csv
import json
import shlex
import xml.etree.ElementTree as ET
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


SIX = ROOT / "scenarios" / "six-node-sharded.yaml"
#: The README's sweep (issue 20's newcomer question), with fewer crash times to keep the test short.
README_SWEEP = ["--vary", "preserve_roles=true,false", "--vary", "timeline.1.at=40..160/120",
                "--vary", "timeline.1.node_crash,timeline.2.node_recover=1,3", "--rank-by",
                "keys_lost,writes_lost,downtime_s,imbalance", "--seeds", "1", "--no-plots", "--workers", "1"]


def _rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "results.csv").open() as table:
        return list(csv.DictReader(table))


@pytest.mark.parametrize("bound, code", [("db1.downtime_s.p95>30", 0), ("db1.downtime_s.p95>15", 1)])
def test_the_readme_sweep_ranks_gates_and_writes_junit(bound: str, code: int, tmp_path: Path, capsys) -> None:
    """2 strategies × (2 crash times × 2 nodes) = 8 runs; the verdict's table first; --fail-on exits 1
    when the p95 crosses its bound and writes junit.xml (and the --junit copy); strategy and
    condition columns in results.csv."""
    out, junit = tmp_path / "plan", tmp_path / "plan.xml"
    assert main(["sweep", str(SIX), *README_SWEEP, "--fail-on", bound, "--out", str(out), "--junit", str(junit)]) == code
    printed = capsys.readouterr().out
    assert printed.startswith("Sweep of six-node-sharded: 2 strategies x 4 conditions x 1 seed = 8 runs (seed 6)\n"
                              "strategy keys: preserve_roles\n"
                              "condition keys: timeline.1.at, timeline.1.node_crash, timeline.2.node_recover\n")
    assert sorted(p.name for p in out.iterdir()) == [".upgrade-sim-output", "junit.xml", "results.csv",
                                                     "summary.json", "verdict.txt"]
    assert (out / "junit.xml").read_bytes() == junit.read_bytes()
    suite = ET.parse(junit).getroot().find("testsuite")
    assert [c.get("classname") for c in suite.findall("testcase")] == [
        "sweep.six-node-sharded.preserve_roles=true", "sweep.six-node-sharded.preserve_roles=false"]
    assert (suite.find("testcase/failure") is not None) == (code == 1)
    rows = _rows(out)
    assert [(r["strategy"], r["condition"]) for r in rows][:2] == [
        ("preserve_roles=true", "timeline.1.at=40, timeline.1.node_crash,timeline.2.node_recover=1"),
        ("preserve_roles=true", "timeline.1.at=40, timeline.1.node_crash,timeline.2.node_recover=3")]
    assert {r["timeline.1.at"] for r in rows} == {"40", "160"}
    assert all(r["timeline.1.node_crash"] == r["timeline.2.node_recover"] for r in rows)
    summary = json.loads((out / "summary.json").read_text())
    assert [a["role"] for a in summary["axes"]] == ["strategy", "condition", "condition"]
    assert summary["rank_by"] == ["keys_lost.mean", "writes_lost.mean", "downtime_s.mean", "imbalance.mean"]
    assert [f["failed"] for f in summary["fail_on"]] == [code == 1] * 2


def test_the_printed_command_reproduces_the_worst_run(tmp_path: Path, capsys) -> None:
    """The sweep prints `upgrade-sim run SCENARIO --seed N --set …`; running it gives the worst row's
    figures exactly (same events, same losses, same downtime)."""
    out = tmp_path / "plan"
    assert main(["sweep", str(SIX), *README_SWEEP, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    command = next(line for line in printed.splitlines() if line.startswith("  reproduce: ")).split(": ", 1)[1]
    summary = json.loads((out / "summary.json").read_text())
    assert command == summary["worst_run"]["command"]
    args = shlex.split(command)
    assert args[:3] == ["upgrade-sim", "run", str(SIX)]
    assert main([*args[1:], "--out", str(tmp_path / "again"), "--no-plots"]) in (0, 1)
    again = json.loads((tmp_path / "again" / "summary.json").read_text())
    worst = next(r for r in _rows(out) if r["strategy"] == summary["worst_run"]["strategy"]
                 and r["condition"] == summary["worst_run"]["condition"])
    figures = again["databases"]["1"]
    assert (str(again["events"]), repr(figures["downtime_s"]), repr(figures["writes_lost"]),
            str(figures["keys_lost"])) == (worst["events"], worst["db1.downtime_s"], worst["db1.writes_lost"],
                                           worst["db1.keys_lost"])


@pytest.mark.parametrize("args, fragment", [
    (["--junit", "x.xml"], "--junit x.xml: the JUnit file holds the --fail-on bounds; give at least one"),
    (["--fail-on", "db1.downtime_s>3"], "--fail-on db1.downtime_s: name the statistic"),
    (["--rank-by", "speed"], "--rank-by speed: unknown figure 'speed'"),
    (["--vary", "preserve_roles,timeline.1.at=true:40"], "preserve_roles is a strategy key and timeline.1.at a "
                                                         "condition key"),
    (["--condition", "timeline.1.at=160..40/40"], "--condition timeline.1.at=160..40/40: a range goes up"),
])
def test_bad_sweep_options_are_one_line_before_any_run(args: list[str], fragment: str, tmp_path: Path,
                                                       capsys) -> None:
    """Exit 2, one line, nothing written."""
    assert main(["sweep", str(SIX), "--seeds", "1", "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err
    assert list(tmp_path.iterdir()) == []


def test_the_readme_sweep_example_is_what_the_program_prints(tmp_path: Path, capsys) -> None:
    """The README's documented sweep, run as written (output folders moved to tmp): every line it shows
    (but the elisions) is printed, and the exit code is 0 (the p95 holds)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Compare strategies over conditions and seeds"):]
    command = section[section.index("```sh\n") + 6:section.index("```", section.index("```sh\n") + 6)]
    args = shlex.split(command.replace("\\\n", " "))
    assert args[:3] == ["upgrade-sim", "sweep", "scenarios/six-node-sharded.yaml"]
    args[2] = str(ROOT / args[2])
    args[args.index("--out") + 1] = str(tmp_path / "plan")
    args[args.index("--junit") + 1] = str(tmp_path / "plan.xml")
    assert main(args[1:]) == 0
    printed = capsys.readouterr().out.replace(str(ROOT) + "/", "")
    start = section.index("```\nSweep of ") + 4
    shown = section[start:section.index("```", start)]
    for line in shown.splitlines():
        if line not in ("...", "Details"):
            assert line in printed.splitlines(), line


@pytest.mark.parametrize("option", ["--set", "--vary"])
def test_an_index_of_thousands_of_digits_is_one_line(option: str, tmp_path: Path, capsys) -> None:
    """`timeline.<5,000 digits>.at` reached int() past Python's digit limit: exit 3 before."""
    path = f"timeline.{'9' * 5000}.at"
    args = ["run", str(DEFAULT), "--no-plots", "--set", f"{path}=1"] if option == "--set" else \
        ["sweep", str(DEFAULT), "--seeds", "1", "--vary", f"{path}=1,2"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not an index in it" in err


@pytest.mark.parametrize("command", ["sweep", "check"])
def test_seeds_past_the_largest_one_are_refused_before_any_run(command: str, tmp_path: Path, capsys) -> None:
    """--first-seed 2**63 - 1 with --seeds 2 ran seed 2**63, which `run --seed` refuses: its
    reproduce line could not be used."""
    args = [command, str(FAULTS), "--seeds", "2", "--first-seed", str(2**63 - 1)]
    if command == "sweep":
        args += ["--no-plots", "--workers", "1", "--out", str(tmp_path / "out")]
    assert main(args) == 2
    assert "pass the largest seed, 2**63 - 1: start lower" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
