"""The search: from a failing scenario to the smallest one found that fails the same way.

Order: observe the failure and pick the target; turn random faults into explicit steps; pin
the placement (so removing a database or a node moves nothing else); drop every other
expectation (expectations never change a run, so no run is needed to know that is safe);
then rounds of passes — ddmin over databases, steps, nodes, pairs, users and modules, then
greedy passes (settings back to defaults, short numbers, a shorter window, placement unpinned,
uids renumbered) — until a whole round changes nothing. Deterministic: no clock, no
randomness, every list in a fixed order.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError
from sim.scenario import Scenario
from sim.shrink.case import Case, Target, canonical
from sim.shrink.failure import EXPECTATION, Failure, Observe, observe
from sim.shrink.faults import explicit_faults
from sim.shrink.judge import Judge, Progress
from sim.shrink.layout import pin_all
from sim.shrink.numbers import shrink_duration, shrink_numbers
from sim.shrink.structure import shrink_databases, shrink_lists, shrink_nodes, shrink_pairs, shrink_timeline
from sim.shrink.tidy import renumber_node_uids, renumber_shard_uids, shrink_keys, unpin

__all__ = ["Search", "NothingToShrink", "choose_target", "search", "severity", "PASSES", "MAX_ROUNDS", "SEVERITY"]

#: The passes of one round, in order: the big cuts first, so the later passes run small scenarios.
PASSES: tuple[tuple[str, Callable[[Case, Judge], Case]], ...] = (
    ("databases", shrink_databases), ("timeline", shrink_timeline), ("nodes", shrink_nodes),
    ("pairs", shrink_pairs), ("users and modules", shrink_lists), ("defaults", shrink_keys),
    ("numbers", shrink_numbers), ("duration", shrink_duration), ("placement", unpin),
    ("node uids", renumber_node_uids), ("shard uids", renumber_shard_uids),
)
#: Rounds stop when one changes nothing; every kept change makes the scenario strictly smaller,
#: so this bound is a guard, not a limit met in practice.
MAX_ROUNDS = 50


class NothingToShrink(InputError):
    """The scenario passes with that seed (or `--expect` names no failing expectation)."""


@dataclass(frozen=True, slots=True)
class Search:
    """What a search found: the original and shrunk cases, the target failure, what the search
    did first (random faults made explicit, placement pinned), and how many runs it took."""

    original: Case
    shrunk: Case
    target: Target
    expect: dict[str, Any]
    seed: int
    explicit_faults: int | None
    judge: Judge
    changes: tuple[str, ...]  # the passes that changed something, in PASSES order


#: The default target among several unmet expectations [ours]: data lost first (keys, then
#: writes), then availability, then the others; in the order listed within a rank.
SEVERITY = (("keys_lost_max",), ("writes_lost_max",),
            ("availability_min", "request_availability_min", "downtime_max_s", "longest_outage_max_s"))


def severity(failure: Failure) -> int:
    """The rank of an unmet expectation in SEVERITY (len(SEVERITY) for the others)."""
    check = failure.key.rsplit(".", 1)[-1]
    return next((rank for rank, checks in enumerate(SEVERITY) if check in checks), len(SEVERITY))


def choose_target(failures: tuple[Failure, ...], expect_key: str | None, what: str) -> Failure:
    """The failure to keep: the one `expect_key` names, else the severest (SEVERITY, then the
    order listed); raises NothingToShrink."""
    if not failures:
        raise NothingToShrink(f"{what} passes: every expectation is met and no invariant breaks; nothing to shrink")
    if expect_key is None:
        return min(failures, key=severity)  # min keeps the first of equal rank
    unmet = [f.key for f in failures if f.kind == EXPECTATION]
    for failure in failures:
        if failure.kind == EXPECTATION and failure.key == expect_key:
            return failure
    if not unmet:
        raise NothingToShrink(f"--expect {expect_key}: {what} fails before expectations are checked "
                              f"({failures[0].describe()}); leave out --expect to shrink that")
    raise NothingToShrink(f"--expect {expect_key}: not an unmet expectation of {what}; unmet: {', '.join(unmet)}")


def search(scenario: Scenario, seed: int, expect_key: str | None = None, observe_fn: Observe = observe,
           progress: Progress | None = None) -> Search:
    """Shrink `scenario` run with `seed`; raises NothingToShrink when it does not fail."""
    what = f"{scenario.name} with seed {seed}"
    failure = choose_target(observe_fn(scenario, seed), expect_key, what)
    data = scenario.model_dump(mode="json", exclude_unset=True)
    expect = data.pop("expect", {})
    original = Case(data, tuple(range(len(data.get("timeline") or []))))
    target = Target.of(failure, expect, original)
    judge = Judge(target, seed, observe_fn, progress)
    judge.runs += 1  # the run observed above
    if not judge.fails(original):  # the scenario as data must fail as the scenario did
        raise RuntimeError(f"{what}: its data does not fail as the scenario does ({failure.describe()})")
    case, made = original, None
    converted = explicit_faults(case, scenario, seed)
    if converted is not None and judge.fails(converted[0]):
        case, made = converted
    pinned = Case(pin_all(case.data, scenario.initial_state()), case.ids)
    if judge.fails(pinned):
        case = pinned
    changes: set[str] = set()
    for _ in range(MAX_ROUNDS):
        before = canonical(case.data)
        for name, run_pass in PASSES:
            start = canonical(case.data)
            case = run_pass(case, judge)
            if canonical(case.data) != start:
                changes.add(name)
        if canonical(case.data) == before:
            break
    return Search(original, case, target, expect, seed, made, judge,
                  tuple(name for name, _ in PASSES if name in changes))

