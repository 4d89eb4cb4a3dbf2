"""Random faults turned into explicit timeline steps: the crashes and recoveries the seed drew.

The scenario is run once with an event sink; each `RandomFaultScheduled` records a draw (node,
kind, time) and the engine's `NodeCrashed` / `NodeRecovered` events with no cause at that node
and time are the faults that happened (a drawn crash of a node already down changes nothing
and leaves no event). Each becomes a `node_crash` / `node_recover` step at exactly that time,
and `faults.random` goes: the same run, with every fault now a step the search can remove.
"""
from __future__ import annotations

import copy
from typing import Any

from sim.engine import simulate
from sim.events import types as ev
from sim.model.state import ClusterState
from sim.scenario import Scenario, to_input
from sim.shrink.case import Case
from sim.stopping import raise_if_stopped

__all__ = ["drawn_faults", "explicit_faults"]


def drawn_faults(scenario: Scenario, seed: int) -> list[dict[str, Any]]:
    """The random faults of a run as timeline steps (`{at, node_crash}` / `{at, node_recover}`),
    in the order they happened."""
    drawn: set[tuple[int, str, float]] = set()
    steps: list[dict[str, Any]] = []

    def sink(event: ev.Event, state: ClusterState) -> None:
        if isinstance(event, ev.RandomFaultScheduled):
            drawn.add((event.node, event.kind, event.at))
        elif isinstance(event, (ev.NodeCrashed, ev.NodeRecovered)) and event.cause is None:
            kind = "crash" if isinstance(event, ev.NodeCrashed) else "recover"
            if (event.node, kind, event.t) in drawn:
                steps.append({"at": event.t, f"node_{kind}": event.node})

    try:
        simulate(to_input(scenario, seed), [sink], check_invariants=False)
    except Exception:  # noqa: BLE001 - a run that breaks down still drew the faults before it did
        raise_if_stopped()  # unless it is a stop Python wrapped (see sim.stopping)
    return steps


def explicit_faults(case: Case, scenario: Scenario, seed: int) -> tuple[Case, int] | None:
    """`case` with its random faults as explicit steps, merged by time, and how many; None without random faults."""
    faults = case.data.get("faults") or {}
    if faults.get("random") is None:
        return None
    steps = drawn_faults(scenario, seed)
    data = copy.deepcopy(case.data)
    rest = {k: v for k, v in faults.items() if k != "random"}
    if rest:
        data["faults"] = rest
    else:
        data.pop("faults")
    first = max(case.ids, default=-1) + 1
    # a drawn fault happened before the file's steps at its instant (steps come last then);
    # the sort is stable: equal times keep their order, as the engine keeps it
    merged = [(0, step, first + i) for i, step in enumerate(steps)]
    merged += [(1, step, sid) for step, sid in zip(case.steps, case.ids)]
    merged.sort(key=lambda item: (float(item[1]["at"]), item[0]))
    data["timeline"] = [step for _, step, _ in merged]
    return Case(data, tuple(sid for _, _, sid in merged)), len(steps)
