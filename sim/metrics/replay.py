"""Replay: fold a stream of events through `apply` and the projection, without SimPy."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sim.events import fold_log
from sim.events.types import Event
from sim.metrics.projection import OutcomeProjection
from sim.model.state import ClusterState

__all__ = ["replay_events"]


def replay_events(events: Iterable[Event], invariants: bool = False,
                  sinks: Iterable[Callable[[Event, ClusterState], None]] = ()
                  ) -> tuple[ClusterState, OutcomeProjection]:
    """The final state and outcome projection of a stream of events read from a log; every
    event is also handed, after the projection, to `sinks` (e.g. an `Explainer`).

    Raises LogFormatError (naming the line) for a log that `sim.events.fold_log` refuses: one
    that does not start with SimulationStarted or end with SimulationEnded, refers to what the
    state does not hold, or (with `invariants`) breaks a rule.
    """
    state, projection = ClusterState(), OutcomeProjection()
    extra = tuple(sinks)
    for event, state in fold_log(events, invariants):
        projection(event, state)
        for sink in extra:
            sink(event, state)
    return state, projection
