"""Action bookkeeping shared by the upgrade process and the fault handlers."""
from __future__ import annotations

from sim.engine.runtime import Runtime
from sim.events import types as ev

__all__ = ["fail_action", "end_action", "set_action_state", "PROGRESS"]

#: Progress (0–100) reported when the action enters each state of its state machine.
PROGRESS = {
    "init": 0, "check_slaves": 5, "prepare": 10, "upgrade_replicas": 15, "restart_shards": 15,
    "failover": 45, "upgrade_masters": 55, "wait_for_version": 85, "second_failover": 90,
}


def set_action_state(rt: Runtime, action_uid: str, state: str, cause: int | None) -> int:
    """Move the action to `state`; returns the event's seq (the cause of what follows)."""
    return rt.emit(ev.ActionStateChanged, cause, action_uid=action_uid, state=state, progress=PROGRESS[state]).seq


def fail_action(rt: Runtime, action_uid: str, reason: str, cause: int | None) -> None:
    """Fail a running action and stop its process (SPEC §3 "Failure of the action")."""
    if not rt.state.actions[action_uid].is_running:
        return
    rt.emit(ev.ActionFailed, cause, action_uid=action_uid, reason=reason)
    process = rt.actions.get(action_uid)
    if process is not None:
        rt.interrupt(process, cause)
    end_action(rt, action_uid)


def end_action(rt: Runtime, action_uid: str) -> None:
    """Note that an action ended (completed or failed) and wake whoever waits for it."""
    rt.last_action_end = max(rt.last_action_end, float(rt.env.now))
    done = rt.action_done.get(action_uid)
    if done is not None and not done.triggered:
        done.succeed()
