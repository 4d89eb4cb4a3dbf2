"""Run a simulation: build the state, play the timeline, stop at the window's end."""
from __future__ import annotations

from collections.abc import Iterable

import simpy

from sim.engine.faults import random_faults
from sim.engine.inputs import SimulationInput
from sim.engine.runtime import Runtime, Sink
from sim.engine.timeline import run_timeline
from sim.events import types as ev
from sim.model.build import build_state
from sim.model.snapshot import to_snapshot
from sim.model.state import ClusterState

__all__ = ["simulate", "DEFAULT_MARGIN_S"]

#: Without a `duration`, the window ends this long after the last action or timeline step.
DEFAULT_MARGIN_S = 60.0


def simulate(inputs: SimulationInput, sinks: Iterable[Sink], check_invariants: bool = False) -> ClusterState:
    """Run `inputs` to the end of its window, handing every event to `sinks`; returns the
    final state. Raises InputError when the cluster cannot be built (e.g. placement)."""
    initial = build_state(inputs.cluster, inputs.databases)
    env = simpy.Environment()
    rt = Runtime(env, inputs.timing, inputs.seed, sinks, check_invariants)
    window = {"start": 0.0, "end": inputs.duration, "default_margin_s": DEFAULT_MARGIN_S}
    rt.emit(ev.SimulationStarted, None, initial=to_snapshot(initial),
            timing=inputs.timing.model_dump(mode="json"), window=window)
    timeline = rt.start(run_timeline(rt, inputs.timeline))
    if inputs.random_faults is not None:
        faults = inputs.random_faults
        for node in faults.nodes or tuple(sorted(rt.state.nodes)):
            rt.start(random_faults(rt, node, faults.mtbf_s, faults.mttr_s))
    end = inputs.duration if inputs.duration is not None else _default_end(rt, timeline, inputs)
    if end > env.now:
        env.run(until=end)
    while env.peek() <= end:  # the window [0, end] is closed: what is due at `end` still happens
        env.step()
    rt.emit(ev.SimulationEnded, None)
    return rt.state


def _default_end(rt: Runtime, timeline: simpy.Process, inputs: SimulationInput) -> float:
    """The end of the last action or timeline step, plus DEFAULT_MARGIN_S (SPEC §9)."""
    env = rt.env
    try:
        env.run(until=timeline)
        pending = [done for done in rt.action_done.values() if not done.triggered]
        if pending:
            env.run(until=simpy.AllOf(env, pending))
    except RuntimeError:  # nothing left to happen while an action still waits: it is stuck
        pass
    last_step = max((s.at for s in inputs.timeline), default=0.0)
    return max(rt.last_action_end, last_step) + DEFAULT_MARGIN_S
