"""Expectations of a scenario checked against a run's summary (SPEC §9 `expect`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.scenario.models import Expect

__all__ = ["ExpectationResult", "evaluate"]


@dataclass(frozen=True, slots=True)
class ExpectationResult:
    """One checked expectation: what, the expected and actual values, and whether it holds."""

    what: str
    expected: Any
    actual: Any
    ok: bool

    def to_record(self) -> dict[str, Any]:
        """As `summary.json` lists it."""
        return {"what": self.what, "expected": self.expected, "actual": self.actual, "ok": self.ok}


def _at_least(actual: Any, expected: Any) -> bool:
    return actual is not None and actual >= expected


def _at_most(actual: Any, expected: Any) -> bool:
    return actual is not None and actual <= expected


def _equal(actual: Any, expected: Any) -> bool:
    return bool(actual == expected)


def _includes(actual: dict[str, str], expected: dict[str, str]) -> bool:
    return all(actual.get(name) == version for name, version in expected.items())


# expectation key -> (summary figure, comparison)
_RULES: dict[str, tuple[Callable[[dict[str, Any]], Any], Callable[[Any, Any], bool]]] = {
    "availability_min": (lambda d: d["availability"], _at_least),
    "request_availability_min": (lambda d: d["request_availability"], _at_least),
    "downtime_max_s": (lambda d: d["downtime_s"], _at_most),
    "longest_outage_max_s": (lambda d: d["longest_outage_s"], _at_most),
    "keys_lost_max": (lambda d: d["keys_lost"], _at_most),
    "writes_lost_max": (lambda d: d["writes_lost"], _at_most),
    "failovers_max": (lambda d: d["failovers"]["planned"] + d["failovers"]["unplanned"], _at_most),
    "upgrade_duration_max_s": (lambda d: d["upgrade_duration_s"], _at_most),
    "roles_preserved": (lambda d: d["roles_preserved"], _equal),
    "module_versions": (lambda d: d["module_versions"], lambda actual, expected: _includes(actual, expected)),
    "redis_version": (lambda d: d["redis_version"], _equal),
    "status": (lambda d: d["status"], _equal),
}


def evaluate(expect: Expect, summary: dict[str, Any]) -> list[ExpectationResult]:
    """Every expectation of `expect`, in order: responses first, then databases by uid."""
    results: list[ExpectationResult] = []
    if expect.responses is not None:
        answers = summary["responses"]
        if len(answers) != len(expect.responses):
            results.append(ExpectationResult("responses.count", len(expect.responses), len(answers), False))
        for i, wanted in enumerate(expect.responses):
            got = answers[i] if i < len(answers) else None
            results.append(ExpectationResult(f"responses.{i}.status", wanted.status,
                                             got["status"] if got else None,
                                             got is not None and got["status"] == wanted.status))
            if wanted.error_code is not None:
                actual = got and got["error_code"]
                results.append(ExpectationResult(f"responses.{i}.error_code", wanted.error_code, actual,
                                                 actual == wanted.error_code))
    for uid in sorted(expect.databases):
        figures = summary["databases"][str(uid)]
        for key, expected in expect.databases[uid].model_dump(exclude_none=True).items():
            figure, holds = _RULES[key]
            actual = figure(figures)
            results.append(ExpectationResult(f"databases.{uid}.{key}", expected, actual, holds(actual, expected)))
    return results
