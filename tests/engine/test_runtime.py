"""The runtime's shared timeouts (`Runtime.sleep`): one SimPy event per wake-up, same order."""
from __future__ import annotations

import simpy

from sim.engine.runtime import Runtime
from sim.model.timing import Timing


def _runtime() -> Runtime:
    return Runtime(simpy.Environment(), Timing(), seed=1, sinks=[])


def test_the_same_delay_asked_at_the_same_instant_is_one_timeout() -> None:
    """Processes asking for the same delay at one instant share a timeout; another delay, or the
    same delay asked later, gets its own."""
    rt = _runtime()
    first, again, other = rt.sleep(5.0), rt.sleep(5.0), rt.sleep(10.0)
    assert first is again and other is not first
    rt.env.run(until=1.0)
    assert rt.sleep(5.0) is not first  # asked at t=1: wakes at 6, not 5


def test_a_zero_delay_already_over_is_not_shared() -> None:
    """A zero delay asked after the previous one at that instant has fired is a fresh timeout
    (yielding a processed event would resume at once, out of turn)."""
    rt = _runtime()
    first = rt.sleep(0.0)
    rt.env.step()
    assert first.processed and rt.sleep(0.0) is not first


def test_sharers_wake_in_the_order_they_asked_before_what_the_first_starts() -> None:
    """A and B wait 5 s from t=0; A starts C when it wakes: A, then B, then C, all at t=5."""
    rt = _runtime()
    woke: list[tuple[str, float]] = []

    def note(name: str):
        woke.append((name, rt.env.now))
        yield rt.env.timeout(0)

    def sleeper(name: str, starts: str | None):
        yield rt.sleep(5.0)
        woke.append((name, rt.env.now))
        if starts:
            rt.start(note(starts))

    rt.start(sleeper("A", "C"))
    rt.start(sleeper("B", None))
    rt.env.run()
    assert woke == [("A", 5.0), ("B", 5.0), ("C", 5.0)]


def test_an_interrupted_sharer_leaves_the_others_waiting() -> None:
    """Interrupting one process waiting on a shared timeout takes only that one off it."""
    rt = _runtime()
    woke: list[str] = []

    def sleeper(name: str):
        try:
            yield rt.sleep(5.0)
            woke.append(name)
        except simpy.Interrupt:
            woke.append(f"{name} interrupted at {rt.env.now:g}")

    a, _ = rt.start(sleeper("A")), rt.start(sleeper("B"))
    rt.env.run(until=1.0)
    a.interrupt("crash")
    rt.env.run()
    assert woke == ["A interrupted at 1", "B"]
