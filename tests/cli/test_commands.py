"""The CLI (SPEC §9): exit codes, outputs, JUnit, replay, explain, schema and help."""
from __future__ import annotations

import argparse

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sim.cli import main
from sim.cli.main import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "default.yaml"
EXAMPLE = ROOT / "scenarios" / "preserve-roles.yaml"


def test_run_writes_its_outputs_and_exits_0(tmp_path: Path, capsys) -> None:
    """`run` writes events.jsonl, summary.json, report.html and prints the headline figures."""
    out = tmp_path / "demo"
    assert main(["run", str(EXAMPLE), "--out", str(out), "--no-plots"]) == 0
    assert {"events.jsonl", "summary.json", "report.html"} <= {p.name for p in out.iterdir()}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["databases"]["1"]["upgrade_duration_s"] == 32.0
    printed = capsys.readouterr().out
    assert "0.996667" in printed and "all 6 expectations met" in printed and str(out) in printed


def test_summary_has_the_contract_shape(tmp_path: Path) -> None:
    """summary.json carries every key of the SPEC §9 example, with the worked example's figures."""
    out = tmp_path / "s"
    main(["run", str(EXAMPLE), "--out", str(out), "--no-plots"])
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary) == ["scenario", "seed", "duration", "events", "responses", "actions", "databases",
                             "expectations"]
    assert (summary["scenario"], summary["seed"], summary["duration"]) == ("preserve-roles", 7, 600.0)
    response = summary["responses"][0]
    assert (response["at"], response["status"], response["error_code"]) == (10.0, 200, None)
    assert set(response["body"]) == {"uid", "name", "module_id", "module_name", "semantic_version", "action_uid"}
    assert summary["databases"]["1"] == {
        "availability": 0.996667, "downtime_s": 2.0, "request_availability": 0.996667, "failed_requests": 2000.0,
        "longest_outage_s": 1.0, "keys_lost": 0, "bytes_lost": 0, "writes_lost": 0.0,
        "failovers": {"planned": 2, "unplanned": 0}, "upgrade_duration_s": 32.0, "roles_preserved": True,
        "masters_per_node": {"before": {"1": 1, "2": 0}, "after": {"1": 1, "2": 0}},
        "module_versions": {"ReJSON": "2.2.2"}, "redis_version": "7.2", "status": "active"}
    [action] = summary["actions"]
    assert action == {"action_uid": response["body"]["action_uid"], "bdb": 1, "name": "SMUpgradeBDB",
                      "status": "completed", "state": "completed", "progress": 100, "error": None,
                      "accepted_at": 10.0, "ended_at": 42.0}
    assert summary["expectations"][1] == {"what": "databases.1.availability_min", "expected": 0.996,
                                          "actual": 0.996667, "ok": True}


def _wrong(tmp_path: Path) -> Path:
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(EXAMPLE.read_text().replace("availability_min: 0.996", "availability_min: 0.999"))
    return wrong


def test_an_unmet_expectation_exits_1_and_is_named(tmp_path: Path, capsys) -> None:
    """A copy of a scenario with one wrong expectation: exit 1, the expectation named."""
    assert main(["check", str(_wrong(tmp_path))]) == 1
    printed = capsys.readouterr().out
    failed = [line for line in printed.splitlines() if "FAILED" in line]
    assert len(failed) == 1 and "databases.1.availability_min" in failed[0] and "0.999" in failed[0]
    assert main(["run", str(_wrong(tmp_path)), "--out", str(tmp_path / "o"), "--no-plots"]) == 1
    assert "databases.1.availability_min" in capsys.readouterr().out


def test_check_writes_junit_xml(tmp_path: Path) -> None:
    """--junit writes XML that parses: one suite per scenario, a failure element per unmet expectation."""
    report = tmp_path / "reports" / "junit.xml"
    assert main(["check", str(EXAMPLE), str(_wrong(tmp_path)), "--junit", str(report)]) == 1
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites" and root.get("failures") == "1"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["preserve-roles", "preserve-roles"]
    failures = root.findall(".//failure")
    assert len(failures) == 1 and "0.999" in failures[0].get("message")
    assert int(root.get("tests")) == sum(len(s.findall("testcase")) for s in suites) == 12


def test_check_accepts_folders(tmp_path: Path, capsys) -> None:
    """A folder is searched for scenario files; an empty one is bad input."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.yaml").write_text(EXAMPLE.read_text())
    assert main(["check", str(tmp_path / "a")]) == 0
    (tmp_path / "empty").mkdir()
    assert main(["check", str(tmp_path / "empty")]) == 2
    assert "no scenario files" in capsys.readouterr().err


def test_replay_recomputes_the_summary(tmp_path: Path, capsys) -> None:
    """`replay` of a log gives the run's figures and writes its own output folder."""
    main(["run", str(DEFAULT), "--out", str(tmp_path / "run"), "--no-plots"])
    capsys.readouterr()
    assert main(["replay", str(tmp_path / "run" / "events.jsonl"), "--out", str(tmp_path / "re"), "--no-plots"]) == 0
    live = json.loads((tmp_path / "run" / "summary.json").read_text())
    again = json.loads((tmp_path / "re" / "summary.json").read_text())
    assert again["databases"] == live["databases"] and again["responses"] == live["responses"]
    assert (tmp_path / "re" / "events.jsonl").read_bytes() == (tmp_path / "run" / "events.jsonl").read_bytes()


def test_replay_of_a_corrupt_log_is_bad_input(tmp_path: Path, capsys) -> None:
    """A log with a gap: exit 2 and one line naming the line; no output folder."""
    main(["run", str(EXAMPLE), "--out", str(tmp_path / "run"), "--no-plots"])
    lines = (tmp_path / "run" / "events.jsonl").read_text().splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines[:3] + lines[4:]) + "\n")
    capsys.readouterr()
    assert main(["replay", str(bad), "--out", str(tmp_path / "re")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "line 4: seq 3 where 2 was expected" in err[0]
    assert not (tmp_path / "re").exists()


def test_explain_prints_causes(tmp_path: Path, capsys) -> None:
    """`explain` names the outages of the upgrade and their cause."""
    main(["run", str(ROOT / "scenarios" / "vulnerability-no-persistence.yaml"), "--out", str(tmp_path / "v"),
          "--no-plots"])
    capsys.readouterr()
    assert main(["explain", str(tmp_path / "v" / "events.jsonl")]) == 0
    text = capsys.readouterr().out
    assert "no failover target" in text and "1,000,000 keys" in text


def test_schema_is_json_and_the_committed_copy_is_current(capsys) -> None:
    """`schema` prints the JSON Schema; scenarios/scenario.schema.json is the same text."""
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    json.loads(printed)
    assert (ROOT / "scenarios" / "scenario.schema.json").read_text() == printed, \
        "run `make schema` to refresh scenarios/scenario.schema.json"


def test_run_refuses_to_overwrite_a_foreign_folder(tmp_path: Path, capsys) -> None:
    """An existing folder that is not an upgrade-sim output is left alone (exit 2)."""
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "thesis.tex").write_text("...")
    assert main(["run", str(EXAMPLE), "--out", str(tmp_path / "precious")]) == 2
    assert (tmp_path / "precious" / "thesis.tex").exists()
    assert "not an upgrade-sim output folder" in capsys.readouterr().err


def test_rerunning_into_the_same_folder_replaces_it(tmp_path: Path) -> None:
    """A second run into an output folder replaces the first one's files."""
    out = tmp_path / "o"
    assert main(["run", str(EXAMPLE), "--out", str(out), "--no-plots", "--seed", "1"]) == 0
    assert main(["run", str(EXAMPLE), "--out", str(out), "--no-plots", "--seed", "2"]) == 0
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(command: str, capsys) -> None:
    """`--help` of each command exits 0 and shows an example."""
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "upgrade-sim " + command in capsys.readouterr().out.split("example")[-1]


def test_the_whole_parser_has_a_handler_for_every_command() -> None:
    """`build_parser()` (no argv) registers every command's arguments; with an argv, only the one named,
    yet `--help` of the program still lists them all."""
    def handlers(parser: argparse.ArgumentParser) -> dict[str, object]:
        (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return {name: sub.get_default("handler") for name, sub in commands.choices.items()}

    assert list(handlers(build_parser())) == list(COMMANDS)
    assert all(callable(handler) for handler in handlers(build_parser()).values())
    only = handlers(build_parser(["validate"]))
    assert list(only) == list(COMMANDS) and [name for name, h in only.items() if h is not None] == ["validate"]


@pytest.mark.parametrize("package", ["sim.plots", "sim.sweep"])
def test_every_name_of_a_lazy_package_resolves(package: str) -> None:
    """Each public name of a lazy namespace (`sim.lazy`) is found in the module it is said to live in."""
    import importlib

    module = importlib.import_module(package)
    for name in module.__all__:
        assert not isinstance(getattr(module, name), type(module)), name  # a function or class, not a submodule


def test_usage_errors_are_bad_input(capsys) -> None:
    """An unknown option or command is exit 2 with one line."""
    assert main(["run"]) == 2
    assert main(["frobnicate"]) == 2
    assert all(line.startswith("upgrade-sim: error:") for line in capsys.readouterr().err.strip().splitlines())


def test_python_dash_m_sim_is_the_cli() -> None:
    """`python -m sim --version` runs the same program."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sim", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("upgrade-sim ")


def test_the_explainer_refuses_a_stream_that_does_not_start_at_seq_0() -> None:
    from sim.events import types as ev
    from sim.metrics.explain import Explainer
    from sim.model.state import ClusterState

    with pytest.raises(ValueError, match="from seq 0"):
        Explainer()(ev.SimulationEnded(3, 1.0, None), ClusterState())


def _drop_role_column(initial: dict) -> None:
    del initial["shards"]["role"]


def _shorten_a_column(initial: dict) -> None:
    initial["shards"]["keys"].pop()


def _shards_as_rows(initial: dict) -> None:
    shards = initial["shards"]
    initial["shards"] = [dict(zip(shards, row)) for row in zip(*shards.values())]


def _unknown_node(initial: dict) -> None:
    initial["shards"]["node_uid"][0] = 99


def _short_pair_column(initial: dict) -> None:
    initial["bdbs"][0]["pairs"]["assigned_slots"].pop()


@pytest.mark.parametrize("corrupt", [_drop_role_column, _shorten_a_column, _shards_as_rows, _unknown_node,
                                     _short_pair_column])
@pytest.mark.parametrize("command", ["replay", "explain"])
def test_a_log_whose_initial_state_cannot_be_built_is_bad_input(tmp_path: Path, capsys, command: str,
                                                                corrupt) -> None:
    """A malformed snapshot on line 2 (format 2: tables by column): exit 2, one line naming
    line 2, no traceback and no output folder."""
    main(["run", str(EXAMPLE), "--out", str(tmp_path / "run"), "--no-plots"])
    lines = (tmp_path / "run" / "events.jsonl").read_text().splitlines()
    first = json.loads(lines[1])
    corrupt(first["initial"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(first), *lines[2:]]) + "\n")
    capsys.readouterr()
    out = ["--out", str(tmp_path / "re")] if command == "replay" else []
    assert main([command, str(bad), *out]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "line 2: the initial state cannot be built" in err[0], err
    assert not (tmp_path / "re").exists()
