"""Exit codes (issue 16, items 5 and 6): 0 ok, 1 an expectation unmet, 2 bad input (one line),
3 internal error (one line naming a file that holds the traceback; never a traceback on the
terminal). `check` goes on after a crash and records it as a JUnit error case."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import sim.cli.check_cmd
import sim.cli.run_cmd
from sim.cli import main
from sim.run import run_scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "preserve-roles.yaml"
DEFAULT = ROOT / "scenarios" / "default.yaml"


def _crash_report(err: str) -> Path:
    match = re.fullmatch(r"upgrade-sim: (?:\S+: )?internal error: .+; details in (\S+)\n", err)
    assert match, err
    return Path(match.group(1))


def test_an_internal_error_exits_3_with_one_line_and_a_report(monkeypatch, capsys) -> None:
    """A bug (here a ZeroDivisionError inside the run) is exit 3: one stderr line naming the
    error and a file; the file holds the traceback; the terminal shows none."""
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero in the engine")

    monkeypatch.setattr(sim.cli.run_cmd, "run_scenario", broken)
    assert main(["run", str(EXAMPLE), "--no-plots"]) == 3
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    assert "internal error: ZeroDivisionError: division by zero in the engine" in captured.err
    report = _crash_report(captured.err)
    text = report.read_text()
    assert "Traceback (most recent call last)" in text and "def broken" not in text and "broken" in text
    report.unlink()


def test_check_goes_on_after_a_crash_and_records_it_in_junit(monkeypatch, capsys, tmp_path: Path) -> None:
    """Two scenarios, the first crashes: the second still runs, the exit code is 3, and the JUnit
    file has an error case for the crash next to the other scenario's test cases."""
    def flaky(scenario, **kwargs):
        if scenario.name == "default":
            raise RuntimeError("the engine broke on default")
        return run_scenario(scenario, **kwargs)

    monkeypatch.setattr(sim.cli.check_cmd, "run_scenario", flaky)
    junit = tmp_path / "report.xml"
    assert main(["check", str(DEFAULT), str(EXAMPLE), "--junit", str(junit)]) == 3
    captured = capsys.readouterr()
    assert "ERROR" in captured.out and "2 scenarios, 6 expectations, 0 unmet, 1 crashed" in captured.out
    _crash_report(captured.err).unlink()
    suites = ET.parse(junit).getroot()
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("7", "0", "1")
    crashed, ok = suites.findall("testsuite")
    error = crashed.find("testcase/error")
    assert crashed.get("name") == "default" and error is not None and "RuntimeError" in error.get("message")
    assert ok.get("name") == "preserve-roles" and len(ok.findall("testcase")) == 6


def test_check_with_unmet_and_crash_exits_3_and_with_unmet_only_exits_1(monkeypatch, tmp_path: Path, capsys) -> None:
    """Precedence: a crash (3) over an unmet expectation (1)."""
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(EXAMPLE.read_text().replace("name: preserve-roles", "name: wrong")
                     .replace("availability_min: 0.996", "availability_min: 0.999"))
    assert main(["check", str(wrong)]) == 1

    def crash_default(scenario, **kwargs):
        if scenario.name == "default":
            raise ValueError("boom")
        return run_scenario(scenario, **kwargs)

    monkeypatch.setattr(sim.cli.check_cmd, "run_scenario", crash_default)
    assert main(["check", str(wrong), str(DEFAULT)]) == 3
    _crash_report(capsys.readouterr().err).unlink()


def test_help_documents_the_exit_codes(capsys) -> None:
    """`--help` of the program and of each command lists 0, 1, 2 and 3."""
    for args in (["--help"], ["run", "--help"], ["check", "--help"], ["replay", "--help"]):
        with pytest.raises(SystemExit):
            main(args)
        text = capsys.readouterr().out
        assert "exit codes:" in text and "3  internal error" in text and "2  bad input" in text, args


@pytest.mark.parametrize("args, message", [
    (["run", str(EXAMPLE), "--seed", "-1"], "argument --seed: '-1': a seed is an integer from 0"),
    (["run", str(EXAMPLE), "--seed", "１"], "argument --seed: '１' is not a seed"),
    (["run", str(EXAMPLE), "--seed", "9" * 30], "is not a seed"),
    (["run", str(EXAMPLE), "--seed", "9223372036854775808"], "a seed is an integer from 0 to 2**63 - 1"),
    (["sweep", str(EXAMPLE), "--seeds", "0"], "argument --seeds: '0': give a whole number from 1"),
    (["sweep", str(EXAMPLE), "--seeds", "10000000000"], "argument --seeds: '10000000000': give a whole number"),
    (["sweep", str(EXAMPLE), "--seeds", "2", "--first-seed", "-3"], "argument --first-seed"),
    (["sweep", str(EXAMPLE), "--seeds", "2", "--workers", "0"], "argument --workers: '0'"),
    (["run"], "the following arguments are required: scenario"),
    (["replay", "/nonexistent.jsonl"], "cannot read the log (No such file or directory)"),
    (["validate", "/nonexistent.yaml"], "cannot read the file (No such file or directory)"),
])
def test_bad_arguments_are_one_line(args: list[str], message: str, capsys) -> None:
    """Every bad argument: exit 2, one line, the offending value named."""
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and message in captured.err, captured.err
    assert captured.out == ""


def test_a_seed_on_the_command_line_is_used(tmp_path: Path, capsys) -> None:
    """A valid --seed still works (and 0 is a seed)."""
    assert main(["run", str(EXAMPLE), "--seed", "0", "--out", str(tmp_path / "o"), "--no-plots"]) == 0
    assert "seed 0," in capsys.readouterr().out
