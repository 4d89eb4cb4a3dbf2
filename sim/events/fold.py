"""Folding a log's events into the state: the one loop every reader of a log goes through.

`fold_log(events)` applies each event to a fresh state and hands out `(event, state)`, after
checking what the reader cannot check alone: the run starts with SimulationStarted (whose
initial state must be well formed: `state_problem`) and ends with SimulationEnded, nothing
follows its end or lies past its window, every reference names something the state holds
(`reference_problem`), and, with `invariants`, the rules of SPEC §8 still hold. A log that
fails any of these is refused (LogFormatError naming the line, exit 2): it is input, and
input is not trusted. A live run never comes here: it applies its own events.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from sim.errors import InvariantViolation, LogFormatError
from sim.events.apply import apply
from sim.events.decode import CREATES, reference_problem, shown, state_problem
from sim.events.invariants import FileInvariants, check_invariants, check_order
from sim.events.types import Event, SimulationEnded, SimulationStarted
from sim.model.state import ClusterState

__all__ = ["fold_log", "line_of"]

#: What `apply` or an invariant raises on an event it cannot take: a bad log, not a crash.
_APPLY_ERRORS = (InvariantViolation, LookupError, TypeError, ValueError, AttributeError, ArithmeticError)
_CREATES = {kind: frozenset(name for k, name in CREATES if k == kind) for kind, _ in CREATES}


def line_of(event: Event) -> int:
    """The line of an event in its log: the header is line 1, event `seq` k is line k + 2."""
    return event.seq + 2


def fold_log(events: Iterable[Event], invariants: bool = True) -> Iterator[tuple[Event, ClusterState]]:
    """Apply `events` (read from a log) to a new state, yielding each event with the state after it.

    Raises LogFormatError (naming the line) as the module docstring says.
    """
    state = ClusterState()
    previous: Event | None = None
    end: float | None = None
    files = FileInvariants()
    for event in events:
        line = line_of(event)
        _check_place(previous, event, line, end)
        if previous is not None:
            problem = reference_problem(state, event, _CREATES.get(event.type, frozenset()))
            if problem is not None:
                raise LogFormatError(f"line {line}: {event.type}.{problem}")
        try:
            apply(state, event)
            if isinstance(event, SimulationStarted):
                problem = state_problem(state)
                if problem is not None:
                    raise LogFormatError(f"line {line}: the initial state cannot be built ({problem})")
                end = _window_end(event, line)
            if invariants:
                check_invariants(state, event)
                files(state, event)
        except LogFormatError:
            raise
        except _APPLY_ERRORS as err:
            detail = " ".join(str(err).split())[:200] or type(err).__name__
            if isinstance(err, KeyError):
                detail = f"missing key {detail}"
            if isinstance(event, SimulationStarted):
                raise LogFormatError(f"line {line}: the initial state cannot be built ({detail})") from None
            raise LogFormatError(f"line {line}: {event.type} event cannot be applied to the state ({detail})") from None
        yield event, state
        previous = event
    if not isinstance(previous, SimulationEnded):
        raise LogFormatError("the log does not end with SimulationEnded: the run that wrote it did not finish "
                             "(or the log was cut at a line boundary)")


def _check_place(previous: Event | None, event: Event, line: int, end: float | None) -> None:
    if previous is None and not isinstance(event, SimulationStarted):
        raise LogFormatError(f"line {line}: the first event is {event.type}, not SimulationStarted")
    if previous is not None and isinstance(event, SimulationStarted):
        raise LogFormatError(f"line {line}: a second SimulationStarted: a log holds one run")
    if isinstance(previous, SimulationEnded):
        raise LogFormatError(f"line {line}: {event.type} after SimulationEnded: nothing follows the window's end")
    try:
        check_order(previous, event)
    except InvariantViolation as err:
        raise LogFormatError(f"line {line}: {err}") from None
    if end is not None and (event.t > end or (isinstance(event, SimulationEnded) and event.t != end)):
        raise LogFormatError(f"line {line}: {event.type} at t={event.t!r}, but the window ends at t={end!r}")


def _window_end(event: SimulationStarted, line: int) -> float | None:
    """The window's end the first event announces (None: it ends after the last action)."""
    window = event.window
    value = window.get("end")
    start = window.get("start", 0.0)
    if value is None:
        return None
    if type(value) not in (int, float) or not 0 <= value < float("inf") or value < start:
        raise LogFormatError(f"line {line}: SimulationStarted.window.end: {shown(value)} is not a time after the start")
    return float(value)
