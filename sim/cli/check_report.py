"""What `upgrade-sim check` reports: each expectation over the seeds run, the table printed, and
the JUnit XML (one suite per scenario file, one case per expectation)."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.cli.render import cell, number
from sim.run import RunResult
from sim.scenario import ExpectationResult

__all__ = ["Outcome", "Held", "required_seeds", "held_over_seeds", "rows_of", "junit_tree", "failed_actions"]

#: At most this many failing seeds are named in a JUnit failure text.
_NAMED = 10


@dataclass(slots=True)
class Outcome:
    """One scenario file of a check: its runs (one per seed), or why it has none — the one-line
    internal error that stopped it, the bad-input message of its file, or another file's."""

    source: Path
    name: str
    runs: list[tuple[int, RunResult]] = field(default_factory=list)
    error: str | None = None
    bad: str | None = None
    skipped: bool = False


@dataclass(slots=True)
class Held:
    """One expectation over the seeds: its result on each, and how many seeds it must hold on."""

    what: str
    expected: Any
    results: list[tuple[int, ExpectationResult | None]]
    required: int

    @property
    def held(self) -> int:
        """Seeds on which it held (an expectation absent from a run held: `responses.count`)."""
        return sum(1 for _, r in self.results if r is None or r.ok)

    @property
    def ok(self) -> bool:
        """True when it held on at least the required number of seeds."""
        return self.held >= self.required

    def failures(self) -> list[tuple[int, ExpectationResult]]:
        """(seed, result) of every seed it failed on."""
        return [(seed, r) for seed, r in self.results if r is not None and not r.ok]

    def worst(self) -> tuple[int, ExpectationResult] | None:
        """The failing seed furthest from a bound (`…_min`: the lowest, `…_max…`: the highest; ties
        and other expectations: the first), or None."""
        failures = self.failures()
        numbers = [f for f in failures if isinstance(f[1].actual, (int, float)) and not isinstance(f[1].actual, bool)]
        last = self.what.rsplit(".", 1)[-1]
        if numbers and last.endswith("_min"):
            return min(numbers, key=lambda f: f[1].actual)
        if numbers and "_max" in last:
            return max(numbers, key=lambda f: f[1].actual)
        return failures[0] if failures else None


def required_seeds(seeds: int, share: float) -> int:
    """Seeds an expectation must hold on: share × seeds, rounded up (0.95 of 20 → 19)."""
    return max(1, math.ceil(share * seeds - 1e-9))


def held_over_seeds(outcome: Outcome, share: float) -> list[Held]:
    """Every expectation of the scenario (in the order runs list them) over its seeds."""
    order: dict[str, Any] = {}
    for _, result in outcome.runs:
        for r in result.expectations:
            order.setdefault(r.what, r.expected)
    required = required_seeds(len(outcome.runs), share)
    held = []
    for what, expected in order.items():
        per_seed = [(seed, next((r for r in result.expectations if r.what == what), None))
                    for seed, result in outcome.runs]
        held.append(Held(what, expected, per_seed, required))
    return held


def rows_of(outcomes: list[Outcome], share: float, seeds: int) -> list[tuple[Any, ...]]:
    """The printed table's rows: with one seed, expected and actual; with more, on how many seeds it
    held and its worst failing seed."""
    rows: list[tuple[Any, ...]] = []
    for o in outcomes:
        if not o.runs:
            rows.append((o.name, "(run)", "-", "-", *(("-",) if seeds > 1 else ()), "ERROR"))
            continue
        held = held_over_seeds(o, share)
        if not held:
            rows.append((o.name, "(no expectations)", "-", "-", *(("-",) if seeds > 1 else ()), "ok"))
        for h in held:
            if seeds == 1:
                result = h.results[0][1]
                rows.append((o.name, h.what, h.expected, result.actual if result else "-",
                             "ok" if h.ok else "FAILED"))
            else:
                found = h.worst()
                worst = f"{cell(found[1].actual)} (seed {found[0]})" if found else "-"
                rows.append((o.name, h.what, h.expected, f"{h.held}/{len(h.results)}", worst,
                             "ok" if h.ok else "FAILED"))
    return rows


def failed_actions(result: RunResult, what: str) -> list[str]:
    """Why the failed actions behind an expectation failed (`actions[].error` of the summary): those
    on its database (`databases.N.…`), or every failed action for the other expectations."""
    parts = what.split(".")
    database = int(parts[1]) if parts[0] == "databases" and len(parts) > 1 and parts[1].isdigit() else None
    return [f"action {a['action_uid']} ({a['name']}) on database {a['bdb']} failed"
            + (f" at t={number(a['ended_at'])}" if a.get("ended_at") is not None else "")
            + (f" in state {a['state']}" if a.get("state") else "") + f": {a.get('error') or 'no reason given'}"
            for a in result.summary.get("actions") or []
            if a.get("status") == "failed" and (database is None or a.get("bdb") == database)]


def _failure_text(o: Outcome, h: Held, share: float) -> tuple[str, str]:
    """(message, text) of a JUnit failure."""
    failures = h.failures()
    seed, first = h.worst() or failures[0]
    result = next(r for s, r in o.runs if s == seed)
    if len(o.runs) == 1:
        message = f"expected {cell(h.expected)}, got {cell(first.actual)}"
        lines = [f"{h.what}: expected {cell(h.expected)}, actual {cell(first.actual)}"]
    else:
        message = (f"held on {h.held} of {len(o.runs)} seeds, needs {h.required} (pass share {share:g}); "
                   f"worst: seed {seed}, expected {cell(h.expected)}, got {cell(first.actual)}")
        named = ", ".join(f"{s} (got {cell(r.actual)})" for s, r in failures[:_NAMED])
        more = f" and {len(failures) - _NAMED} more" if len(failures) > _NAMED else ""
        lines = [f"{h.what}: expected {cell(h.expected)}; held on {h.held} of {len(o.runs)} seeds, needs "
                 f"{h.required}; failed on seeds {named}{more}",
                 f"reproduce: upgrade-sim run {o.source} --seed {seed}"]
    actions = failed_actions(result, h.what)
    if actions:
        message += f"; {actions[0]}"
    if len(o.runs) == 1:
        lines += actions
    else:  # why the actions of each named failing seed failed
        runs = dict(o.runs)
        lines += [f"seed {s}: {text}" for s, _ in failures[:_NAMED] for text in failed_actions(runs[s], h.what)]
    return message, "\n".join(lines)


def junit_tree(outcomes: list[Outcome], share: float) -> ET.Element:
    """JUnit XML: one test suite per scenario file, one test case per expectation (over the seeds);
    an error case for a crashed run or a file that is bad input; a skipped case for a file not run
    because another is bad input."""
    suites = ET.Element("testsuites", name="upgrade-sim")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for o in outcomes:
        suite = ET.SubElement(suites, "testsuite", name=o.name, file=str(o.source))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if o.bad is not None or o.error is not None:
            case = ET.SubElement(suite, "testcase", classname=o.name, name="load" if o.bad is not None else "run")
            text = o.bad if o.bad is not None else o.error
            ET.SubElement(case, "error", message=text or "", type="InputError" if o.bad is not None
                          else "InternalError").text = text
            counts["tests"] += 1
            counts["errors"] += 1
        if o.skipped:
            case = ET.SubElement(suite, "testcase", classname=o.name, name="run")
            ET.SubElement(case, "skipped", message="not run: another scenario file is bad input (exit 2)")
            counts["tests"] += 1
            counts["skipped"] += 1
        for h in held_over_seeds(o, share) if o.runs else []:
            case = ET.SubElement(suite, "testcase", classname=o.name, name=h.what)
            counts["tests"] += 1
            if not h.ok:
                message, text = _failure_text(o, h, share)
                ET.SubElement(case, "failure", message=message).text = text
                counts["failures"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))
    return suites
