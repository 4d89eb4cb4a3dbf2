"""`upgrade-sim check`: run scenario files and folders as a CI gate, optionally writing JUnit XML."""
from __future__ import annotations

import argparse
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from sim.cli.render import cell, table
from sim.cli.timing_option import add_timing_argument, timing_of
from sim.errors import InputError
from sim.run import RunResult, run_scenario
from sim.scenario import load_scenario, with_timing

NAME = "check"
HELP = "Run scenario files (or folders of them) and check their expectations; exit 1 if any is unmet."
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


def handle(args: argparse.Namespace) -> int:
    """Run every scenario with invariants on; print a table; write JUnit if asked."""
    results: list[tuple[Path, str, RunResult]] = []
    timing = timing_of(args)
    for path in scenario_files(args.paths):
        scenario = with_timing(load_scenario(path), timing)
        results.append((path, scenario.name, run_scenario(scenario, check_invariants=True)))
    rows = []
    for path, name, result in results:
        if not result.expectations:
            rows.append((name, "(no expectations)", "-", "-", "ok"))
        rows.extend((name, r.what, r.expected, r.actual, "ok" if r.ok else "FAILED") for r in result.expectations)
    print(table(("scenario", "expectation", "expected", "actual", "ok"), rows))
    failed = sum(len(r.failed) for _, _, r in results)
    total = sum(len(r.expectations) for _, _, r in results)
    print(f"\n{len(results)} scenarios, {total} expectations, {failed} unmet")
    if args.junit:
        write_junit(Path(args.junit), results)
    return 1 if failed else 0


def write_junit(path: Path, results: list[tuple[Path, str, RunResult]]) -> None:
    """JUnit XML: one test suite per scenario, one test case per expectation (atomic write)."""
    suites = ET.Element("testsuites", name="upgrade-sim")
    for source, name, result in results:
        suite = ET.SubElement(suites, "testsuite", name=name, tests=str(len(result.expectations)),
                              failures=str(len(result.failed)), errors="0", file=str(source))
        for r in result.expectations:
            case = ET.SubElement(suite, "testcase", classname=name, name=r.what)
            if not r.ok:
                failure = ET.SubElement(case, "failure", message=f"expected {cell(r.expected)}, got {cell(r.actual)}")
                failure.text = f"{r.what}: expected {cell(r.expected)}, actual {cell(r.actual)}"
    suites.set("tests", str(sum(len(r.expectations) for _, _, r in results)))
    suites.set("failures", str(sum(len(r.failed) for _, _, r in results)))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        ET.ElementTree(suites).write(out, encoding="utf-8", xml_declaration=True)
    os.replace(temporary, path)
