"""The timeline: requests and faults arrive at their times, in file order within a time.

Ordering at equal times is a rule, not an accident of the event queue: a step at time t
happens after everything already due at t has happened — including the consequences of
the previous step at t. So a crash written at the instant a sync ends finds it ended, and
a crash written right after a request finds the accepted action started.
"""
from __future__ import annotations

import heapq
from collections.abc import Generator
from typing import Any

import simpy
from simpy.core import URGENT

from sim.api import ApiRequest, Rejected, success_body, validate
from sim.engine.faults import crash_node, recover_node
from sim.engine.inputs import NodeCrashStep, NodeRecoverStep, RequestStep, Step
from sim.engine.runtime import Runtime
from sim.engine.upgrade import run_action
from sim.events import types as ev

__all__ = ["run_timeline", "handle_request", "at", "LATE"]

Proc = Generator[simpy.Event, Any, Any]


#: Event-queue priority of timeline steps: after SimPy's URGENT (0) and NORMAL (1) events.
LATE = 2


def at(env: simpy.Environment, time: float, priority: int = URGENT) -> simpy.Event:
    """An event processed at the absolute time `time` (not `now + (time - now)`, which rounds:
    `10.1 + (30.7 - 10.1)` is 30.700000000000003), before other events due then with a higher
    `priority` number. Raises ValueError for a time already past."""
    if not time >= env.now:
        raise ValueError(f"t={time!r} is before now (t={env.now!r})")
    event = simpy.Event(env)
    event._ok, event._value = True, None  # an already-succeeded event, as simpy.Timeout is
    # SimPy's `schedule` takes a delay from now; its queue holds absolute times (SimPy 4)
    queue: Any = env._queue
    heapq.heappush(queue, (time, priority, next(env._eid), event))
    return event


def run_timeline(rt: Runtime, steps: tuple[Step, ...]) -> Proc:
    """Play the steps in time order (a stable sort keeps file order within one time), each at
    exactly its `at`."""
    for step in sorted(steps, key=lambda s: s.at):
        yield at(rt.env, step.at, LATE)
        if isinstance(step, RequestStep):
            handle_request(rt, step)
        elif isinstance(step, NodeCrashStep):
            crash_node(rt, step.node)
        elif isinstance(step, NodeRecoverStep):
            recover_node(rt, step.node)


def handle_request(rt: Runtime, step: RequestStep) -> None:
    """Validate a request against the state now; record the answer; start the action."""
    state = rt.state
    request = ApiRequest(step.method, step.path, step.body, step.credentials)
    user = None if step.credentials is None or step.credentials.implicit else step.credentials.name
    result = validate(request, state)
    common = dict(method=step.method, path=step.path, user=user, request=step.body)
    if isinstance(result, Rejected):
        rt.emit(ev.RequestRejected, None, status=result.status, error_code=result.error_code.value,
                message=result.message, **common)
        return
    action_uid = rt.new_action_uid()
    accepted = rt.emit(ev.RequestAccepted, None, status=result.status,
                       response=success_body(result, state, action_uid), **common)
    bdb = state.bdbs[result.bdb_uid]
    previous = state.last_action(bdb.uid)
    retry_of = previous.uid if previous is not None and previous.status == "failed" else None
    originals = list(previous.original_masters) if retry_of and previous is not None else \
        [state.master_of(p).uid for p in bdb.pairs]
    modules = [{"module_name": m.module_name, "from_uid": m.from_uid, "to_uid": m.to_uid,
                "new_module_args": m.new_module_args} for m in result.modules]
    started = rt.emit(ev.ActionStarted, accepted.seq, action_uid=action_uid, bdb=bdb.uid, name="SMUpgradeBDB",
                      modules=modules, preserve_roles=result.preserve_roles,
                      may_discard_data=result.may_discard_data, original_masters=originals, retry_of=retry_of)
    rt.action_done[action_uid] = rt.env.event()
    rt.actions[action_uid] = rt.start(run_action(rt, action_uid, started.seq))
