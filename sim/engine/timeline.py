"""Timeline steps: requests and faults arrive at their times, in file order within a time.

Ordering at equal times is a rule, not an accident of the event queue: a step at time t
happens after everything already due at t has happened — including the consequences of
the previous step at t (every step is scheduled at its exact `at` with priority LATE +
its index). So a crash written at the instant a sync ends finds it ended, and a crash
written right after a request finds the accepted action started.
"""
from __future__ import annotations

from sim.api import ApiRequest, Rejected, success_body, validate
from sim.engine.faults import crash_node, recover_node
from sim.engine.inputs import ClusterRecoverStep, NodeCrashStep, NodeRecoverStep, RequestStep, Step
from sim.engine.recovery import cluster_recover
from sim.engine.runtime import Runtime
from sim.events import types as ev

__all__ = ["play_step", "handle_request"]


def play_step(rt: Runtime, step: Step) -> ev.Event | None:
    """Carry out one timeline step now; returns the answer's event for a request."""
    if isinstance(step, RequestStep):
        return handle_request(rt, step)
    if isinstance(step, NodeCrashStep):
        crash_node(rt, step.node)
    elif isinstance(step, NodeRecoverStep):
        recover_node(rt, step.node)
    elif isinstance(step, ClusterRecoverStep):
        cluster_recover(rt)
    return None


def handle_request(rt: Runtime, step: RequestStep) -> ev.Event:
    """Validate a request against the state now and record the answer; an accepted upgrade
    creates its action (the driver starts it). Returns the answer's event."""
    state = rt.state
    request = ApiRequest(step.method, step.path, step.body, step.credentials)
    user = None if step.credentials is None or step.credentials.implicit else step.credentials.name
    result = validate(request, state)
    common = dict(method=step.method, path=step.path, user=user, request=step.body)
    if isinstance(result, Rejected):
        return rt.emit(ev.RequestRejected, None, status=result.status, error_code=result.error_code.value,
                       message=result.message, **common)
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
    rt.emit(ev.ActionStarted, accepted.seq, action_uid=action_uid, bdb=bdb.uid, name="SMUpgradeBDB",
            modules=modules, preserve_roles=result.preserve_roles, may_discard_data=result.may_discard_data,
            original_masters=originals, retry_of=retry_of, redis_version=result.redis_version,
            force_discard=result.force_discard, parallel=result.parallel, restart=result.restart)
    return accepted
