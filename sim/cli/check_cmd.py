"""`upgrade-sim check`: run scenario files and folders as a CI gate, optionally writing JUnit XML."""
from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from sim.cli.crash import EXIT_INTERNAL, internal_error
from sim.cli.render import cell, table
from sim.cli.timing_option import add_timing_argument, timing_of
from sim.errors import InputError
from sim.run import RunResult, run_scenario
from sim.scenario import Scenario, load_scenario, with_timing

NAME = "check"
HELP = ("Run scenario files (or folders of them) and check their expectations; exit 1 if any is unmet, "
        "3 if a run crashed (the others still run; the crash is an error case in the JUnit file).")
EXAMPLE = "examples:\n  upgrade-sim check scenarios/\n  upgrade-sim check scenarios/ my-plan.yaml --junit report.xml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `check`."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders (searched for *.yaml)")
    parser.add_argument("--junit", metavar="FILE", help="also write the results as JUnit XML")
    add_timing_argument(parser)


def scenario_files(paths: list[str]) -> list[Path]:
    """The scenario files named by `paths` (folders are searched recursively, sorted)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    if not files:
        raise InputError(f"no scenario files (*.yaml, *.yml) in {' '.join(paths)}")
    return files


@dataclass(slots=True)
class Outcome:
    """One scenario of a check: its run, or the one-line internal error that stopped it."""

    source: Path
    name: str
    result: RunResult | None
    error: str | None = None


def handle(args: argparse.Namespace) -> int:
    """Load every scenario (the first bad one is reported, exit 2, before anything runs), run each
    with invariants on, print a table, write JUnit if asked; a crashed run does not stop the others."""
    junit = Path(args.junit) if args.junit else None
    if junit is not None:
        check_junit_path(junit)
    timing = timing_of(args)
    scenarios: list[tuple[Path, Scenario]] = [(path, with_timing(load_scenario(path), timing))
                                              for path in scenario_files(args.paths)]
    outcomes = [_run_one(path, scenario) for path, scenario in scenarios]
    rows = []
    for o in outcomes:
        if o.result is None:
            rows.append((o.name, "(run)", "-", "-", "ERROR"))
        elif not o.result.expectations:
            rows.append((o.name, "(no expectations)", "-", "-", "ok"))
        else:
            rows.extend((o.name, r.what, r.expected, r.actual, "ok" if r.ok else "FAILED")
                        for r in o.result.expectations)
    print(table(("scenario", "expectation", "expected", "actual", "ok"), rows))
    results = [o.result for o in outcomes if o.result is not None]
    failed = sum(len(r.failed) for r in results)
    total = sum(len(r.expectations) for r in results)
    crashed = len(outcomes) - len(results)
    print(f"\n{len(outcomes)} scenarios, {total} expectations, {failed} unmet"
          + (f", {crashed} crashed (internal error)" if crashed else ""))
    if junit is not None:
        write_junit(junit, outcomes)
    return EXIT_INTERNAL if crashed else 1 if failed else 0


def _run_one(path: Path, scenario: Scenario) -> Outcome:
    try:
        return Outcome(path, scenario.name, run_scenario(scenario, check_invariants=True))
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - a crash of one scenario is recorded, the others still run
        message = internal_error(err, f"check {path}")
        print(f"upgrade-sim: {path}: {message}", file=sys.stderr)
        return Outcome(path, scenario.name, None, message)


def check_junit_path(path: Path) -> None:
    """Refuse (InputError) a --junit path that cannot be a file: a folder, a link to one, a
    parent that is a file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        info = None  # a part of the path is a file: named below
    except OSError as err:
        raise InputError(f"--junit {path}: cannot use this path ({err.strerror})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise InputError(f"--junit {path}: is a folder or a special file, not a file")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"--junit {path}: {parent} is a file, not a folder")
            break


def write_junit(path: Path, outcomes: list[Outcome]) -> None:
    """JUnit XML: one test suite per scenario, one test case per expectation, an error case for a
    crashed run (atomic write: a temporary file renamed into place, removed on any failure)."""
    suites = ET.Element("testsuites", name="upgrade-sim")
    for o in outcomes:
        expectations = o.result.expectations if o.result is not None else []
        failures = len(o.result.failed) if o.result is not None else 0
        suite = ET.SubElement(suites, "testsuite", name=o.name, tests=str(len(expectations) + (o.error is not None)),
                              failures=str(failures), errors=str(int(o.error is not None)), file=str(o.source))
        if o.error is not None:
            case = ET.SubElement(suite, "testcase", classname=o.name, name="run")
            ET.SubElement(case, "error", message=o.error, type="InternalError").text = o.error
        for r in expectations:
            case = ET.SubElement(suite, "testcase", classname=o.name, name=r.what)
            if not r.ok:
                failure = ET.SubElement(case, "failure", message=f"expected {cell(r.expected)}, got {cell(r.actual)}")
                failure.text = f"{r.what}: expected {cell(r.expected)}, actual {cell(r.actual)}"
    results = [o.result for o in outcomes if o.result is not None]
    suites.set("tests", str(sum(len(r.expectations) for r in results) + len(outcomes) - len(results)))
    suites.set("failures", str(sum(len(r.failed) for r in results)))
    suites.set("errors", str(len(outcomes) - len(results)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as err:
        raise InputError(f"--junit {path}: cannot write the file ({err.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            ET.ElementTree(suites).write(out, encoding="utf-8", xml_declaration=True)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as err:
        os.unlink(temporary)
        if isinstance(err, OSError):
            raise InputError(f"--junit {path}: cannot write the file ({err.strerror})") from None
        raise
