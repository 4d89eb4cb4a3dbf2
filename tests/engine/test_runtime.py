"""The runtime's clock: wake-ups at exact absolute times, in a stated order within an instant; a
finished run leaves no reference cycles behind."""
from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sim import load_scenario
from sim.engine import resume, simulate
from sim.engine.simulate import Engine
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
    """A sink that counts the events it is handed, and raises at event `fail_at` if given."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.events = 0
        self.fail_at = fail_at

    def __call__(self, event: Event, state: ClusterState) -> None:
        self.events += 1
        if self.events == self.fail_at:
            raise _SinkFailed


class _SinkFailed(Exception):
    pass


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> list[weakref.ref[object]]:
    """Weak references to every engine built, and to its runtime, while the test runs."""
    refs: list[weakref.ref[object]] = []
    build = Engine.__init__

    def noted(self: Engine, *args: Any, **kwargs: Any) -> None:
        build(self, *args, **kwargs)
        refs.extend([weakref.ref(self), weakref.ref(self.rt), weakref.ref(self.rt.env)])

    monkeypatch.setattr(Engine, "__init__", noted)
    return refs


@contextmanager
def _no_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _run(name: str, seed: int | None, sink: _Counter) -> ClusterState:
    return simulate(to_input(load_scenario(SCENARIOS / f"{name}.yaml"), seed), [sink])


# random-node-faults ends with fault timers still pending: they must not keep the run alive either
@pytest.mark.parametrize(("name", "seed"), [("default", None), ("random-node-faults", None),
                                            ("random-node-faults", 2), ("no-quorum", None)])
def test_a_finished_run_is_freed_without_the_cycle_collector(name: str, seed: int | None,
                                                             engines: list[weakref.ref[object]]) -> None:
    """A run's engine, runtime, clock and handlers refer to each other; `simulate` breaks those
    cycles when it ends, so that a finished run (a large run's explainer: tens of megabytes) is
    freed at once and not when a rare full collection comes (`rare_collections`). With the
    collector off, the engine, its runtime, its clock and the sink die as soon as the caller
    lets go; the run did its work."""
    with _no_collector():
        sink = _Counter()
        state = _run(name, seed, sink)
        events, alive = sink.events, weakref.ref(sink)
        del sink
        assert events > 10 and state.actions
        assert alive() is None and len(engines) == 3 and all(ref() is None for ref in engines)


def test_a_failed_run_is_freed_too_and_its_error_comes_through(engines: list[weakref.ref[object]]) -> None:
    """A sink raising in the middle of a run: the caller gets that very exception (the clean-up
    masks nothing), and the engine is freed all the same."""
    with _no_collector():
        with pytest.raises(_SinkFailed) as raised:
            _run("random-node-faults", None, _Counter(fail_at=40))
        assert raised.value.__context__ is None
        del raised
        assert len(engines) == 3 and all(ref() is None for ref in engines)


def test_a_resumed_run_is_freed_without_the_cycle_collector(engines: list[weakref.ref[object]]) -> None:
    """`resume` (the twin's restart from a log prefix) closes its engine the same way."""
    inputs = to_input(load_scenario(SCENARIOS / "random-node-faults.yaml"))
    log: list[Event] = []
    simulate(inputs, [lambda event, state: log.append(event)])
    with _no_collector():
        state = resume(inputs, log[: len(log) // 2], [_Counter()])
        assert state.actions and len(engines) == 6 and all(ref() is None for ref in engines)
