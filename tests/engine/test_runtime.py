"""The runtime's clock: wake-ups at exact absolute times, in a stated order within an instant; a
finished run leaves no reference cycles behind."""
from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from sim import load_scenario
from sim.engine import simulate
from sim.engine.runtime import LATE, Clock, Runtime
from sim.events.types import Event
from sim.model.state import ClusterState
from sim.model.timing import Timing
from sim.scenario import to_input

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _runtime() -> Runtime:
    return Runtime(Clock(), Timing(), seed=1, sinks=[])


def _drain(rt: Runtime) -> None:
    while rt.env.peek() != float("inf"):
        rt.env.step()


def test_a_wake_up_happens_at_exactly_its_time() -> None:
    """Scheduled at 30.7 from 10.1, it happens at 30.7, not at 10.1 + (30.7 - 10.1) = 30.700000000000003."""
    rt = _runtime()
    seen: list[float] = []
    rt.wake(10.1, 0, lambda: rt.wake(30.7, 0, lambda: seen.append(rt.env.now)))
    _drain(rt)
    assert 10.1 + (30.7 - 10.1) != 30.7 and seen == [30.7]


def test_wake_ups_at_one_instant_go_by_the_seq_that_started_them_then_the_timeline() -> None:
    """At one instant: timed work by the seq of the event that started it (and its kind), then the
    timeline's steps in file order — whatever the order they were scheduled in."""
    rt = _runtime()
    order: list[str] = []
    rt.wake(5.0, LATE + 1, order.append, "step 1")
    rt.wake(5.0, LATE + 0, order.append, "step 0")
    rt.timer(5.0, 9, "sync", order.append, "sync of seq 9")
    rt.timer(5.0, 3, "detect", order.append, "detection of seq 3")
    rt.timer(5.0, 3, "restart", order.append, "restart of seq 3")
    _drain(rt)
    assert order == ["restart of seq 3", "detection of seq 3", "sync of seq 9", "step 0", "step 1"]


def test_a_wake_up_in_the_past_happens_now() -> None:
    """Work whose end is already past (a zero-length restart asked late) happens at the current time."""
    rt = _runtime()
    seen: list[float] = []
    rt.wake(4.0, 0, lambda: rt.wake(1.0, 0, lambda: seen.append(rt.env.now)))
    _drain(rt)
    assert seen == [4.0]


class _Counter:
    """A sink that counts the events it is handed."""

    def __init__(self) -> None:
        self.events = 0

    def __call__(self, event: Event, state: ClusterState) -> None:
        self.events += 1


@pytest.mark.parametrize("name", ["default", "random-node-faults"])
def test_a_finished_run_is_freed_without_the_cycle_collector(name: str) -> None:
    """A run's engine, runtime, clock and handlers refer to each other; `simulate` breaks those
    cycles when it ends, so that a large run's sinks (the explainer: tens of megabytes) are freed
    at once and not when a rare full collection comes (`rare_collections`). With the collector
    off, the sink dies as soon as its last outside reference goes; the run did its work."""
    inputs = to_input(load_scenario(SCENARIOS / f"{name}.yaml"))
    sink = _Counter()
    gc.collect()
    gc.disable()
    try:
        state = simulate(inputs, [sink])
        events, alive = sink.events, weakref.ref(sink)
        del sink
        assert alive() is None and events > 10 and state.actions
    finally:
        gc.enable()
