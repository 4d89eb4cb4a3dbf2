"""`apply(state, event)`: the one place where state changes, one case per event type.

Deterministic and in place (one writer); replaying a log is this function folded over
its events, so a live run and a replay reach the same state.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from sim.errors import InvariantViolation
from sim.events import types as ev
from sim.events.touch import touched_pairs
from sim.model.build import module_entry
from sim.model.snapshot import from_snapshot
from sim.model.state import ActionState, ClusterState, ShardState

__all__ = ["apply"]

_HANDLERS: dict[type[ev.Event], Callable[[ClusterState, Any], None]] = {}


def apply(state: ClusterState, event: ev.Event) -> None:
    """Apply one event to the state, in place; note in `state.touched` the pairs whose
    availability it may have changed."""
    _HANDLERS[type(event)](state, event)
    state.touched = touched_pairs(state, event)


def _on(cls: type[ev.Event]) -> Callable[[Callable[[ClusterState, Any], None]], Callable[[ClusterState, Any], None]]:
    def register(fn: Callable[[ClusterState, Any], None]) -> Callable[[ClusterState, Any], None]:
        _HANDLERS[cls] = fn
        return fn
    return register


def _nothing(state: ClusterState, event: ev.Event) -> None:
    """Events that record a fact without changing the state (answers, losses, detection)."""


for _cls in (ev.SimulationEnded, ev.RequestAccepted, ev.RequestRejected, ev.NodeFailureDetected,
             ev.KeysLost, ev.WritesLost):
    _HANDLERS[_cls] = _nothing


@_on(ev.SimulationStarted)
def _started(state: ClusterState, e: ev.SimulationStarted) -> None:
    initial = from_snapshot(e.initial)
    for f in fields(ClusterState):
        setattr(state, f.name, getattr(initial, f.name))


@_on(ev.ActionStarted)
def _action_started(state: ClusterState, e: ev.ActionStarted) -> None:
    state.actions[e.action_uid] = ActionState(
        e.action_uid, e.bdb, e.name, "pending", "init", 0, e.t, [dict(m) for m in e.modules],
        e.preserve_roles, e.may_discard_data, list(e.original_masters), e.retry_of)
    bdb = state.bdbs[e.bdb]
    bdb.status = "active-change-pending"
    bdb.action_uid = e.action_uid


def _running(state: ClusterState, e: ev.Event, action_uid: str) -> ActionState:
    """The action an event moves on; a finished action never moves again (a bug if it does)."""
    action = state.actions[action_uid]
    if not action.is_running:
        raise InvariantViolation(f"event {e.seq} ({e.type} at t={e.t}) on action {action_uid}, "
                                 f"which is already {action.status}")
    return action


@_on(ev.ActionStateChanged)
def _action_state(state: ClusterState, e: ev.ActionStateChanged) -> None:
    action = _running(state, e, e.action_uid)
    action.status, action.state, action.progress = "active", e.state, e.progress


@_on(ev.ActionCompleted)
def _action_completed(state: ClusterState, e: ev.ActionCompleted) -> None:
    action = _running(state, e, e.action_uid)
    action.status, action.state, action.progress, action.ended_at = "completed", "completed", 100, e.t
    bdb = state.bdbs[action.bdb_uid]
    for plan in action.modules:
        for i, entry in enumerate(bdb.module_list):
            if entry["module_name"] == plan["module_name"]:
                args = plan["new_module_args"] if plan["new_module_args"] is not None else entry["module_args"]
                bdb.module_list[i] = module_entry(state.modules[plan["to_uid"]], args)
    bdb.status = "active"


@_on(ev.ActionFailed)
def _action_failed(state: ClusterState, e: ev.ActionFailed) -> None:
    action = _running(state, e, e.action_uid)
    action.status, action.ended_at, action.reason = "failed", e.t, e.reason


@_on(ev.ShardRestartStarted)
def _restart_started(state: ClusterState, e: ev.ShardRestartStarted) -> None:
    shard = state.shards[e.shard]
    _stop(state, shard, "restarting")


@_on(ev.ShardRestarted)
def _restarted(state: ClusterState, e: ev.ShardRestarted) -> None:
    shard = state.shards[e.shard]
    shard.status = "ok"
    if e.modules is not None:
        shard.modules = dict(e.modules)


@_on(ev.ShardLoadStarted)
def _load_started(state: ClusterState, e: ev.ShardLoadStarted) -> None:
    shard = state.shards[e.shard]
    shard.status = "loading"
    if e.modules is not None:
        shard.modules = dict(e.modules)


@_on(ev.ShardLoaded)
def _loaded(state: ClusterState, e: ev.ShardLoaded) -> None:
    state.shards[e.shard].status = "ok"


@_on(ev.ShardLoadFailed)
def _load_failed(state: ClusterState, e: ev.ShardLoadFailed) -> None:
    state.shards[e.shard].status = "failed"


@_on(ev.ReplicaSyncStarted)
def _sync_started(state: ClusterState, e: ev.ReplicaSyncStarted) -> None:
    state.shards[e.shard].sync = "in_progress"


@_on(ev.ReplicaSynced)
def _synced(state: ClusterState, e: ev.ReplicaSynced) -> None:
    shard, source = state.shards[e.shard], state.shards[e.source]
    shard.sync, shard.keys, shard.bytes = "idle", source.keys, source.bytes


@_on(ev.ReplicaSyncAborted)
def _sync_aborted(state: ClusterState, e: ev.ReplicaSyncAborted) -> None:
    state.shards[e.shard].sync = "link_down"


@_on(ev.FailoverStarted)
def _failover_started(state: ClusterState, e: ev.FailoverStarted) -> None:
    state.shards[e.master].paused = True
    state.shards[e.replica].paused = True


@_on(ev.FailoverCompleted)
def _failover_completed(state: ClusterState, e: ev.FailoverCompleted) -> None:
    master, replica = state.shards[e.master], state.shards[e.replica]
    master.role, master.paused, master.sync = "master", False, "idle"
    replica.role, replica.paused = "slave", False
    # after a planned failover the old master follows the new one in sync; after an
    # unplanned one it must full-sync when it is back
    replica.sync = "idle" if e.planned and replica.status == "ok" else "link_down"


@_on(ev.FailoverAborted)
def _failover_aborted(state: ClusterState, e: ev.FailoverAborted) -> None:
    for uid in state.bdbs[e.bdb].pairs[e.pair].shards:
        state.shards[uid].paused = False


@_on(ev.ReplicaMigrated)
def _migrated(state: ClusterState, e: ev.ReplicaMigrated) -> None:
    shard = state.shards[e.shard]
    del state.shards_by_node[e.from_node][shard.uid]
    state.shards_by_node[e.to_node][shard.uid] = None
    shard.node_uid = e.to_node
    shard.status, shard.sync, shard.paused, shard.keys, shard.bytes = "restarting", "link_down", False, 0, 0


@_on(ev.NodeCrashed)
def _node_crashed(state: ClusterState, e: ev.NodeCrashed) -> None:
    state.nodes[e.node].status = "down"
    for uid in state.shards_by_node[e.node]:
        _stop(state, state.shards[uid], "down")


@_on(ev.NodeRecovered)
def _node_recovered(state: ClusterState, e: ev.NodeRecovered) -> None:
    state.nodes[e.node].status = "active"


@_on(ev.QuorumLost)
def _quorum_lost(state: ClusterState, e: ev.QuorumLost) -> None:
    state.quorum = False


@_on(ev.QuorumRegained)
def _quorum_regained(state: ClusterState, e: ev.QuorumRegained) -> None:
    state.quorum = True


def _stop(state: ClusterState, shard: ShardState, status: str) -> None:
    """A shard's process stops: in-memory data of a non-persistent database is gone."""
    shard.status, shard.paused = status, False
    if shard.role == "slave":
        shard.sync = "link_down"
    if not state.bdbs[shard.bdb_uid].config.is_persistent:
        shard.keys = shard.bytes = 0


missing = set(ev.EVENT_TYPES.values()) - set(_HANDLERS)
assert not missing, f"event types without an apply case: {missing}"
