"""Action bookkeeping shared by the upgrade driver and the fault handlers: the state machine's
states (the vendor's names beside ours, SPEC §3) and failing an action."""
from __future__ import annotations

from sim.engine.runtime import Runtime
from sim.events import types as ev

__all__ = ["fail_action", "set_phase", "PHASES"]

#: Our phase -> (the vendor's state name shown by `GET /v1/actions`, progress 0–100).
PHASES: dict[str, tuple[str, int]] = {
    "check_slaves": ("check_slaves", 5),
    "upgrade_replicas": ("prepare", 15),
    "failover": ("stop_forwarding", 45),
    "failover_done": ("start_wd", 50),
    "upgrade_masters": ("wait_for_version", 55),
    "restart_shards": ("wait_for_version", 15),
    "discard_shards": ("wait_for_version", 15),
    "check_version": ("wait_for_version", 85),
    "second_failover": ("second_failover", 90),
    "configure_shards": ("configure_shards", 95),
}


def set_phase(rt: Runtime, action_uid: str, phase: str, cause: int | None) -> int:
    """Move the action to one of our phases; returns the event's seq (the cause of what follows)."""
    state, progress = PHASES[phase]
    return rt.emit(ev.ActionStateChanged, cause, action_uid=action_uid, state=state, phase=phase,
                   progress=progress).seq


def fail_action(rt: Runtime, action_uid: str, reason: str, cause: int | None) -> None:
    """Fail a running action (SPEC §3 "Failure of the action"): it starts nothing more; what it
    started (restarts, loads, syncs) goes on by itself."""
    if rt.state.actions[action_uid].is_running:
        rt.emit(ev.ActionFailed, cause, action_uid=action_uid, reason=reason)
