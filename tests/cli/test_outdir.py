"""Output folders (issue 16, items 1 and 7): `run` never removes what it did not write, never
follows a link to delete, never replaces the working folder or a parent of it, leaves no
temporary folder on any exit (SIGTERM included), and concurrent runs into one folder either
succeed in turn or say "busy" — each refusal one line, exit 2."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.outdir import MARKER

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "preserve-roles.yaml"
HEAVY = ROOT / "scenarios" / "six-node-sharded.yaml"


def _run(out: Path | str, capsys, scenario: Path = SCENARIO) -> tuple[int, str]:
    code = main(["run", str(scenario), "--out", str(out), "--no-plots"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err.strip()


def _one_line(err: str) -> str:
    assert len(err.splitlines()) == 1, err
    return err


def _leftovers(folder: Path) -> list[str]:
    """Hidden temporary folders or lock files an interrupted run could leave."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != MARKER)


def test_an_output_folder_carries_the_marker_and_a_rerun_replaces_it(tmp_path: Path, capsys) -> None:
    """The marker file is written; a second run into the same folder replaces it whole."""
    out = tmp_path / "o"
    assert _run(out, capsys)[0] == 0
    assert (out / MARKER).is_file()
    (out / "stale.txt").write_text("from the first run's era")
    assert _run(out, capsys)[0] == 0
    assert not (out / "stale.txt").exists() and (out / "summary.json").exists()
    assert _leftovers(tmp_path) == []


def test_a_folder_without_the_marker_is_never_replaced(tmp_path: Path, capsys) -> None:
    """A user's folder holding a summary.json of its own (the issue's loss): refused, intact."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "summary.json").write_text("precious")
    code, err = _run(out, capsys)
    assert code == 2 and "is not an upgrade-sim output folder" in _one_line(err)
    assert (out / "summary.json").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_an_empty_folder_is_taken(tmp_path: Path, capsys) -> None:
    """An empty folder holds nothing to lose: the outputs go there."""
    (tmp_path / "empty").mkdir()
    assert _run(tmp_path / "empty", capsys)[0] == 0
    assert (tmp_path / "empty" / "events.jsonl").exists()


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symbolic_link_is_never_followed_to_delete(tmp_path: Path, capsys, dangling: bool) -> None:
    """`--out` a link to an earlier output (or a dangling link): refused; the link and its target intact."""
    earlier = tmp_path / "earlier"
    assert _run(earlier, capsys)[0] == 0
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere" if dangling else earlier)
    code, err = _run(link, capsys)
    assert code == 2 and "is a symbolic link" in _one_line(err)
    assert link.is_symlink() and (earlier / "summary.json").exists()
    assert _leftovers(tmp_path) == []


def test_the_working_folder_and_its_parents_are_never_replaced(tmp_path: Path, capsys, monkeypatch) -> None:
    """`--out .` inside an earlier output folder, and `--out ..`: refused, nothing removed."""
    earlier = tmp_path / "earlier"
    assert _run(earlier, capsys)[0] == 0
    (tmp_path / MARKER).write_text("as if tmp_path were an output")
    monkeypatch.chdir(earlier)
    for out in (".", "..", str(tmp_path)):
        code, err = _run(out, capsys)
        assert code == 2 and "is the working folder or contains it" in _one_line(err), out
    assert (earlier / "summary.json").exists() and _leftovers(earlier) == []


def test_a_scenario_named_dot_dot_cannot_name_a_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    """The issue's first loss: `name: ..` made the default output `out/..`. Names are slugs now."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO.read_text().replace("name: preserve-roles", "name: '..'"))
    (tmp_path / "summary.json").write_text("precious")
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(scenario)]) == 2
    assert "name: String should match pattern" in _one_line(capsys.readouterr().err)
    assert (tmp_path / "summary.json").read_text() == "precious"


@pytest.mark.parametrize("make, message", [
    (lambda base: (base / "file").write_text("x") and base / "file" / "out", "a part of"),
    (lambda base: (base / "file").write_text("x") and base / "file", "exists and is not a folder"),
    (lambda base: Path("/dev/null/out"), "a part of /dev/null is a file"),
    (lambda base: Path("/proc/upgrade-sim-out"), "cannot write next to the output folder"),
])
def test_impossible_locations_are_one_line(tmp_path: Path, capsys, make, message: str) -> None:
    """A parent that is a file, a file in the way, a read-only place: exit 2, one line, nothing left."""
    code, err = _run(make(tmp_path), capsys)
    assert code == 2 and message in _one_line(err)
    assert _leftovers(tmp_path) == []


def test_a_run_that_fails_leaves_no_temporary_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    """An error while writing (here a crash of the report) removes the temporary folder: exit 3."""
    import sim.run

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug in the report")

    monkeypatch.setattr(sim.run, "write_outputs", broken)
    assert main(["run", str(SCENARIO), "--out", str(tmp_path / "o")]) == 3
    assert "internal error: ZeroDivisionError" in _one_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def _subprocess_run(out: Path, scenario: Path = SCENARIO, plots: bool = False) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "sim", "run", str(scenario), "--out", str(out)] + ([] if plots else ["--no-plots"])
    return subprocess.Popen(args, cwd=out.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_concurrent_runs_into_one_folder_succeed_or_say_busy(tmp_path: Path) -> None:
    """Six processes at once into one --out: each exits 0, or 2 saying busy; the folder is one
    complete output and no temporary folder or lock file is left."""
    out = tmp_path / "shared"
    processes = [_subprocess_run(out) for _ in range(6)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    assert all(code == 0 or (code == 2 and "busy" in err and len(err.strip().splitlines()) == 1)
               for code, err in results), results
    assert any(code == 0 for code, _ in results)
    assert {"events.jsonl", "summary.json", "report.html", MARKER} <= {p.name for p in out.iterdir()}
    assert _leftovers(tmp_path) == []
    for process in processes:
        process.stdout.close()
        process.stderr.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_run_leaves_no_temporary_folder(tmp_path: Path, signum: int) -> None:
    """SIGTERM (or Ctrl-C) while the outputs are being written: the temporary folder and the
    lock are removed, no output folder appears; exit 128 + 15 (130 for Ctrl-C)."""
    out = tmp_path / "o"
    process = _subprocess_run(out, HEAVY, plots=True)
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be signalled"
        time.sleep(0.005)
    process.send_signal(signum)
    code = process.wait(timeout=60)
    err = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    assert code == (130 if signum == signal.SIGINT else 128 + signum), err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_check_junit_at_a_folder_is_one_line(tmp_path: Path, capsys) -> None:
    """`check --junit` naming a folder, or under a file: exit 2, one line, before any run."""
    (tmp_path / "file").write_text("x")
    for junit, message in ((tmp_path, "is a folder"), (tmp_path / "file" / "r.xml", "is a file, not a folder")):
        assert main(["check", str(SCENARIO), "--junit", str(junit)]) == 2
        captured = capsys.readouterr()
        assert message in _one_line(captured.err.strip()) and captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_the_lock_says_busy_while_held(tmp_path: Path, capsys) -> None:
    """While a writer holds a folder's lock, another is told "busy" at once (not made to wait)."""
    import fcntl

    out = tmp_path / "o"
    lock = os.open(tmp_path / ".o.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        code, err = _run(out, capsys)
    finally:
        os.close(lock)
    assert code == 2 and "busy" in _one_line(err)
    assert not out.exists()


def _swallowed_stop(signum: int) -> None:
    """A stop raised where Python swallows exceptions: in a weakref callback (as importlib's module
    lock callback is, when a signal lands during an import)."""
    import weakref

    from sim import stopping

    class Thing:
        pass

    thing = Thing()
    keep = weakref.ref(thing, lambda ref: stopping.stop(signum))
    del thing  # the callback runs now; its exception goes to sys.unraisablehook, not to the caller
    assert keep() is None


def test_a_stop_swallowed_by_python_still_stops_the_run_and_writes_nothing(tmp_path: Path, capsys,
                                                                           monkeypatch) -> None:
    """SIGTERM's exception lost in a weakref callback mid-run: the output folder is not committed, the
    temporary one is removed, exit 143 with one line (no "Exception ignored" report)."""
    import sim.run

    real = sim.run.write_outputs

    def outputs_then_stop(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        _swallowed_stop(signal.SIGTERM)

    monkeypatch.setattr(sim.run, "write_outputs", outputs_then_stop)
    assert main(["run", str(SCENARIO), "--out", str(tmp_path / "o"), "--no-plots"]) == 128 + signal.SIGTERM
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["upgrade-sim: stopped by signal 15"], err
    assert list(tmp_path.iterdir()) == []


def test_a_stop_swallowed_in_a_command_without_outputs_is_still_its_exit_code(capsys, monkeypatch) -> None:
    """Ctrl-C lost in a weakref callback while validating: the command still ends as interrupted (130)."""
    import sim.cli.validate_cmd as validate_cmd

    monkeypatch.setattr(validate_cmd, "handle", lambda args: (_swallowed_stop(signal.SIGINT), 0)[1])
    assert main(["validate", str(SCENARIO)]) == 130
    assert capsys.readouterr().err.strip().splitlines() == ["upgrade-sim: interrupted"]


def _wrapped_stop(signum: int) -> None:
    """A stop raised while a class is created, in a descriptor's `__set_name__` (as a signal landing while
    `dataclasses` builds a class during an import): CPython 3.11 raises a RuntimeError in its place."""
    from sim import stopping

    class Field:
        def __set_name__(self, owner: type, name: str) -> None:
            stopping.stop(signum)

    class Holder:  # noqa: B903 - the class body is the point
        current = Field()


@pytest.mark.parametrize(("command", "signum"), [("validate", signal.SIGINT), ("run", signal.SIGTERM),
                                                 ("check", signal.SIGINT)])
def test_a_stop_python_wraps_in_another_error_is_the_stop_not_an_internal_error(
        tmp_path: Path, capsys, monkeypatch, command: str, signum: int) -> None:
    """The stop arrives as `RuntimeError: Error calling __set_name__ …`: the command ends as stopped (130 for
    Ctrl-C, 143 for SIGTERM, one line), not as an internal error (exit 3 and a crash file), and writes nothing."""
    with pytest.raises(RuntimeError, match="__set_name__"):  # what CPython makes of it
        _wrapped_stop(signum)
    from sim import stopping
    stopping.reset()
    import sim.cli.validate_cmd as validate_cmd
    import sim.run

    if command == "validate":
        monkeypatch.setattr(validate_cmd, "handle", lambda args: (_wrapped_stop(signum), 0)[1])
        argv = ["validate", str(SCENARIO)]
    elif command == "check":  # a crash of one scenario is recorded and the others run: not a stop
        import sim.cli.check_cmd as check_cmd
        monkeypatch.setattr(check_cmd, "run_scenario", lambda *args, **kwargs: _wrapped_stop(signum))
        argv = ["check", str(SCENARIO), str(SCENARIO.parent / "no-quorum.yaml")]
    else:
        real = sim.run.write_outputs

        def outputs_then_stop(*args: object, **kwargs: object) -> None:
            _wrapped_stop(signum)
            real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(sim.run, "write_outputs", outputs_then_stop)
        argv = ["run", str(SCENARIO), "--out", str(tmp_path / "o"), "--no-plots"]
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where a crash file would go
    assert main(argv) == 128 + signum
    said = capsys.readouterr().err.strip().splitlines()
    assert said == ["upgrade-sim: interrupted" if signum == signal.SIGINT else "upgrade-sim: stopped by signal 15"]
    assert list(tmp_path.iterdir()) == []  # no output folder, no crash file
    stopping.raise_if_stopped()  # forgotten once the command is over: the caller's next call is not stopped
