"""Replay: fold a stream of events through `apply` and the projection, without SimPy."""
from __future__ import annotations

from collections.abc import Iterable

from sim.errors import LogFormatError
from sim.events import FileInvariants, apply, check_invariants, check_order
from sim.events.types import Event, SimulationEnded, SimulationStarted
from sim.metrics.projection import OutcomeProjection
from sim.model.state import ClusterState

__all__ = ["replay_events"]


def replay_events(events: Iterable[Event], invariants: bool = False) -> tuple[ClusterState, OutcomeProjection]:
    """The final state and outcome projection of a stream of events.

    Raises LogFormatError when the stream does not start with SimulationStarted or does
    not end with SimulationEnded (an incomplete log).
    """
    state, projection = ClusterState(), OutcomeProjection()
    previous: Event | None = None
    files = FileInvariants()
    for event in events:
        if previous is None and not isinstance(event, SimulationStarted):
            raise LogFormatError(f"the first event is {event.type}, not SimulationStarted")
        check_order(previous, event)
        apply(state, event)
        if invariants:
            check_invariants(state, event)
            files(state, event)
        projection(event, state)
        previous = event
    if not isinstance(previous, SimulationEnded):
        raise LogFormatError("the log does not end with SimulationEnded: the run that wrote it did not finish")
    return state, projection
