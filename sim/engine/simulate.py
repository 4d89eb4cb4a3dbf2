"""Run a simulation: build the state, play the timeline, stop at the window's end."""
from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import simpy
from simpy.core import EmptySchedule, StopSimulation

from sim.engine.faults import random_faults
from sim.engine.inputs import SimulationInput
from sim.engine.runtime import Runtime, Sink
from sim.engine.timeline import at, run_timeline
from sim.events import types as ev
from sim.model.build import build_state
from sim.model.snapshot import to_snapshot
from sim.model.state import ClusterState

__all__ = ["simulate", "rare_collections", "DEFAULT_MARGIN_S", "Interruptions", "run_until"]

#: Allocations between two young-generation garbage collections during a run (Python's
#: default: 700). A run allocates events, SimPy events and generators by the hundred
#: thousand and makes almost no reference cycles; at the default, collections (and the full
#: ones over the whole state, whose count grows with the run) took 20–30 % of a large run,
#: and still 3–6 % when only the simulation (not the outputs) was covered.
GC_YOUNG_THRESHOLD = 100_000

#: Without a `duration`, the window ends this long after the last action or timeline step.
DEFAULT_MARGIN_S = 60.0


def simulate(inputs: SimulationInput, sinks: Iterable[Sink], check_invariants: bool = False) -> ClusterState:
    """Run `inputs` to the end of its window, handing every event to `sinks`; returns the
    final state. Raises InputError when the cluster cannot be built (e.g. placement)."""
    with rare_collections():
        return _simulate(inputs, sinks, check_invariants)


@contextmanager
def rare_collections() -> Iterator[None]:
    """Raise the collector's young-generation threshold for the block (see GC_YOUNG_THRESHOLD);
    blocks may nest."""
    previous = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _simulate(inputs: SimulationInput, sinks: Iterable[Sink], check_invariants: bool) -> ClusterState:
    env = simpy.Environment()
    rt = Runtime(env, inputs.timing, inputs.seed, sinks, check_invariants)
    window = {"start": 0.0, "end": inputs.duration, "default_margin_s": DEFAULT_MARGIN_S}
    # `apply` builds the runtime's own state from the snapshot: the initial state is only read
    initial = inputs.initial if inputs.initial is not None else build_state(inputs.cluster, inputs.databases)
    rt.emit(ev.SimulationStarted, None, initial=to_snapshot(initial),
            timing=inputs.timing.model_dump(mode="json"), window=window)
    timeline = rt.start(run_timeline(rt, inputs.timeline))
    if inputs.random_faults is not None:
        faults = inputs.random_faults
        for node in faults.nodes or tuple(sorted(rt.state.nodes)):
            rt.start(random_faults(rt, node, faults.mtbf_s, faults.mttr_s))
    end = inputs.duration if inputs.duration is not None else _default_end(rt, timeline, inputs)
    if end > env.now:
        run_until(env, at(env, end))
    while env.peek() <= end:  # the window [0, end] is closed: what is due at `end` still happens
        env.step()
    Interruptions.raise_pending()
    rt.emit(ev.SimulationEnded, None)
    return rt.state


def _default_end(rt: Runtime, timeline: simpy.Process, inputs: SimulationInput) -> float:
    """The end of the last action or timeline step, plus DEFAULT_MARGIN_S (SPEC §9)."""
    env = rt.env
    run_until(env, timeline)
    pending = [done for done in rt.action_done.values() if not done.triggered]
    if pending:
        run_until(env, simpy.AllOf(env, pending))
    last_step = max((s.at for s in inputs.timeline), default=0.0)
    return max(rt.last_action_end, last_step) + DEFAULT_MARGIN_S


def run_until(env: simpy.Environment, until: simpy.Event) -> None:
    """Step until `until` has been processed, or until nothing is left to happen (an action
    that waits for ever is stuck: the window still ends). Unlike `env.run(until=...)`, which
    says "nothing left" with a RuntimeError, nothing is caught here: any exception raised
    inside the simulation propagates, and an interruption (`Interruptions`) is raised between
    two events."""
    if until.callbacks is None:
        return
    until.callbacks.append(StopSimulation.callback)
    Interruptions.stepping = True
    try:
        while True:
            env.step()
            if Interruptions.pending is not None:
                Interruptions.raise_pending()
    except StopSimulation:
        return
    except EmptySchedule:
        return
    finally:
        Interruptions.stepping = False


class Interruptions:
    """An interruption (Ctrl-C, SIGTERM) that arrives while events are processed is held here
    and raised between two events: raised inside a SimPy process, SimPy would keep it as that
    process's failure and go on with the other events due at the same instant."""

    stepping = False
    pending: BaseException | None = None

    @classmethod
    def defer(cls, error: BaseException) -> bool:
        """Hold `error` for the running simulation; False when none runs (raise it yourself)."""
        if not cls.stepping:
            return False
        cls.pending = error
        return True

    @classmethod
    def raise_pending(cls) -> None:
        """Raise the interruption held, if any."""
        error, cls.pending = cls.pending, None
        if error is not None:
            raise error
