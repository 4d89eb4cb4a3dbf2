"""`shrink(scenario, seed)`: the search, then the shrunk scenario file — header comment and YAML —
checked by running the file's text once more: it must fail the same way."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.scenario import Scenario, parse_scenario, scenario_from_data, scenario_yaml
from sim.shrink.failure import EXPECTATION, Failure, Observe, observe
from sim.shrink.judge import Progress
from sim.shrink.output import ordered, readable
from sim.shrink.report import changed, count_expectations, header, removed
from sim.shrink.search import Search, search

__all__ = ["ShrinkResult", "shrink"]


@dataclass(frozen=True, slots=True)
class ShrinkResult:
    """A shrunk scenario: the file's text and data, the failure it keeps (as the original run
    showed it, and as the shrunk run shows it), and what the search cost."""

    text: str
    data: dict[str, Any]
    target: Failure
    failure: Failure
    runs: int
    invalid: int
    size: str
    original_size: str


def shrink(scenario: Scenario | dict[str, Any], seed: int | None = None, expect: str | None = None, *,
           observe_fn: Observe = observe, progress: Progress | None = None, origin: str | None = None) -> ShrinkResult:
    """The smallest scenario found that fails as `scenario` run with `seed` (default: its own)
    does — the unmet expectation `expect` names, else the severest unmet one (see
    `sim.shrink.search.SEVERITY`), or the broken invariant, or the exception the run raised.

    `origin` names where the scenario came from in the header (default: its name). Raises
    InputError for invalid scenario data and NothingToShrink when the run does not fail.
    """
    if not isinstance(scenario, Scenario):
        scenario = scenario_from_data(scenario)
    seed = scenario.seed if seed is None else seed
    found = search(scenario, seed, expect, observe_fn, progress)
    body = found.judge.scenario_data(found.shrunk)
    assert body is not None
    _, key = found.target.expect_for(found.shrunk) or ({}, "")
    wanted = Failure(found.target.failure.kind, key, found.target.failure.value)
    name = scenario.name if scenario.name.endswith("-shrunk") else f"{scenario.name}-shrunk"
    what = f"expectation {key}" if wanted.kind == EXPECTATION else f"the same {wanted.kind}"
    described = {**body, "name": name, "seed": seed,
                 "description": f"Shrunk by upgrade-sim shrink from {scenario.name} (seed {seed}): still fails {what}."}
    runs = found.judge.runs
    # the readable form first (20, 1GB); the plain data if that ever failed otherwise (a guard)
    for data in (ordered(readable(described)), ordered(described)):
        now = _failure_of(data, seed, wanted, observe_fn)
        runs += 2  # this run, and the run of the written text below (counted in its header)
        if now is None:
            runs -= 1
            continue
        text = _header(found, origin or scenario.name, now, runs) + scenario_yaml(data)
        if _failure_of_text(text, seed, wanted, observe_fn) is not None:
            return ShrinkResult(text, data, found.target.failure, now, runs, found.judge.invalid,
                                found.shrunk.size_text(), found.original.size_text())
    raise RuntimeError(f"the shrunk scenario of {scenario.name} no longer fails as {wanted.key}: a bug in shrink")


def _failure_of(data: dict[str, Any], seed: int, wanted: Failure, observe_fn: Observe) -> Failure | None:
    failures = observe_fn(scenario_from_data(data), seed)
    return next((f for f in failures if f == wanted), None)


def _failure_of_text(text: str, seed: int, wanted: Failure, observe_fn: Observe) -> Failure | None:
    failures = observe_fn(parse_scenario(text, "<shrunk>"), seed)
    return next((f for f in failures if f == wanted), None)


def _header(found: Search, origin: str, now: Failure, runs: int) -> str:
    kept = found.target.expect_for(found.shrunk)
    lines = {"Removed": removed(found.original, found.shrunk, found.expect, kept[0] if kept else {},
                                found.explicit_faults),
             "Changed": changed(found.original, found.shrunk, found.explicit_faults, found.changes)}
    return header(origin, found.seed, found.target.failure, now, lines, runs, found.judge.invalid,
                  count_expectations(kept[0] if kept else {}))
