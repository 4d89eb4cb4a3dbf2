"""`sweep --fail-on 'db1.downtime_s.p95>30'`: bounds on a sweep's statistics, as a CI gate.

A bound is `[dbUID.]FIGURE.STAT OP NUMBER` (OP one of `>`, `>=`, `<`, `<=`; figures and
statistics as in `sim.sweep.objective`): the sweep fails when the statistic, taken over all
the runs of a strategy (every condition and seed), makes the comparison true — for *any*
strategy [ours: sweep only the strategy you will use to gate on it alone]. A statistic with
no value (no run completed the upgrade, for `upgrade_duration_s`) fails too: nothing shows
the bound holds. Each bound × strategy is a JUnit test case.
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError
from sim.sweep.objective import Term, databases_of, order_key, parse_term, run_value, stats
from sim.sweep.verdict import groups

__all__ = ["Bound", "GateResult", "parse_bound", "evaluate", "gate_junit"]

_BOUND = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(>=|<=|>|<)\s*(\S+)\s*$")
_TESTS: dict[str, Callable[[float, float], bool]] = {
    ">": lambda v, b: v > b, ">=": lambda v, b: v >= b, "<": lambda v, b: v < b, "<=": lambda v, b: v <= b,
}

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Bound:
    """A statistic, a comparison and a number: the sweep fails when the comparison holds."""

    term: Term
    op: str
    limit: float

    @property
    def text(self) -> str:
        """As written, normalised (`db1.downtime_s.p95>30`)."""
        return f"{self.term.text}{self.op}{self.limit:g}"

    def crossed(self, value: float | None) -> bool:
        """True when `value` fails the gate (None fails it)."""
        return value is None or _TESTS[self.op](value, self.limit)


@dataclass(frozen=True, slots=True)
class GateResult:
    """One bound for one strategy: the statistic, whether it fails, and the worst run for it."""

    bound: Bound
    strategy: str
    runs: int
    value: float | None
    failed: bool
    worst: Row


def parse_bound(text: str) -> Bound:
    """Parse `TERM OP NUMBER`; InputError naming the bound."""
    match = _BOUND.match(text)
    if match is None:
        raise InputError(f"--fail-on {text!r}: write FIGURE.STAT>NUMBER, e.g. 'db1.downtime_s.p95>30' "
                         "(>, >=, < or <=)")
    term = parse_term("--fail-on", match.group(1), None)
    try:
        limit = float(match.group(3))
    except ValueError:
        limit = math.nan
    if not math.isfinite(limit):
        raise InputError(f"--fail-on {text.strip()}: {match.group(3)!r} is not a finite number")
    return Bound(term, match.group(2), limit)


def evaluate(bounds: Sequence[Bound], rows: Sequence[Row]) -> list[GateResult]:
    """Every bound for every strategy (bounds in order, strategies in grid order)."""
    databases = databases_of(rows)
    results = []
    for bound in bounds:
        for label, runs in groups(rows).items():
            values = [run_value(r, bound.term, databases) for r in runs]
            value = stats(values, bound.term.better_high)[bound.term.stat]
            worst = max(range(len(runs)), key=lambda i: order_key([values[i]], [bound.term]))
            results.append(GateResult(bound, label, len(runs), value, bound.crossed(value), runs[worst]))
    return results


def gate_junit(scenario: str, results: Sequence[GateResult], describe: Callable[[GateResult], str]
               ) -> ET.Element:
    """JUnit XML: one suite for the sweep, one case per bound and strategy, a failure with
    `describe(result)` for each failed one."""
    suites = ET.Element("testsuites", name="upgrade-sim sweep")
    failed = sum(1 for r in results if r.failed)
    suite = ET.SubElement(suites, "testsuite", name=f"sweep of {scenario}", tests=str(len(results)),
                          failures=str(failed), errors="0")
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=f"sweep.{scenario}.{result.strategy}",
                             name=f"{result.bound.term.text} not {result.bound.op} {result.bound.limit:g}")
        if result.failed:
            text = describe(result)
            ET.SubElement(case, "failure", message=text.splitlines()[0]).text = text
    suites.set("tests", str(len(results)))
    suites.set("failures", str(failed))
    suites.set("errors", "0")
    return suites
