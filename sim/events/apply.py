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
from sim.model.files import holds_file, live_point
from sim.model.snapshot import from_snapshot
from sim.model.state import (
    MASTER, SLAVE, ActionState, ActionStatus, ClusterState, FailoverRun, NodeStatus, Recovery, ShardState, ShardStatus,
    SyncStatus,
)
from sim.model.timing import Timing

__all__ = ["apply"]

_HANDLERS: dict[type[ev.Event], Callable[[ClusterState, Any], None]] = {}


def apply(state: ClusterState, event: ev.Event) -> None:
    """Apply one event to the state, in place; note in `state.touched` the pairs whose
    availability it may have changed, each with the uid of the master that serves it now (None:
    nothing serves it) — computed once here for every fold that tracks availability."""
    _HANDLERS[type(event)](state, event)
    pairs = touched_pairs(state, event)
    state.touched = [(bdb, index, _server(state, bdb, index)) for bdb, index in pairs] if pairs else ()


def _server(state: ClusterState, bdb: int, index: int) -> int | None:
    try:
        master = state.master_of(state.bdbs[bdb].pairs[index])
    except LookupError:  # a log's snapshot without a master here: the log reader names what is wrong
        return None
    return master.uid if state.is_serving(master) else None


def _on(cls: type[ev.Event]) -> Callable[[Callable[[ClusterState, Any], None]], Callable[[ClusterState, Any], None]]:
    def register(fn: Callable[[ClusterState, Any], None]) -> Callable[[ClusterState, Any], None]:
        _HANDLERS[cls] = fn
        return fn
    return register


def _nothing(state: ClusterState, event: ev.Event) -> None:
    """Events that record a fact without changing the state (answers, key losses)."""


for _cls in (ev.SimulationEnded, ev.RequestAccepted, ev.RequestRejected, ev.KeysLost):
    _HANDLERS[_cls] = _nothing


@_on(ev.SimulationStarted)
def _started(state: ClusterState, e: ev.SimulationStarted) -> None:
    initial = from_snapshot(e.initial)
    for f in fields(ClusterState):
        setattr(state, f.name, getattr(initial, f.name))
    state.timing = Timing.model_validate(e.timing)


# --- actions -------------------------------------------------------------------------------

@_on(ev.ActionStarted)
def _action_started(state: ClusterState, e: ev.ActionStarted) -> None:
    state.actions[e.action_uid] = ActionState(
        e.action_uid, e.bdb, e.name, ActionStatus.PENDING, "init", 0, e.t, [dict(m) for m in e.modules],
        e.preserve_roles, e.may_discard_data, list(e.original_masters), e.retry_of, redis_version=e.redis_version,
        force_discard=e.force_discard, parallel=e.parallel, restart=e.restart)
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
    action.status, action.state, action.phase, action.progress = ActionStatus.ACTIVE, e.state, e.phase, e.progress


@_on(ev.ActionCompleted)
def _action_completed(state: ClusterState, e: ev.ActionCompleted) -> None:
    action = _running(state, e, e.action_uid)
    action.status, action.state, action.progress, action.ended_at = ActionStatus.COMPLETED, "completed", 100, e.t
    action.phase = "completed"
    bdb = state.bdbs[action.bdb_uid]
    for plan in action.modules:
        for i, entry in enumerate(bdb.module_list):
            if entry["module_name"] == plan["module_name"]:
                args = plan["new_module_args"] if plan["new_module_args"] is not None else entry["module_args"]
                bdb.module_list[i] = module_entry(state.modules[plan["to_uid"]], args)
    if action.redis_version is not None:
        bdb.redis_version = action.redis_version
    bdb.status = "active"


@_on(ev.ActionFailed)
def _action_failed(state: ClusterState, e: ev.ActionFailed) -> None:
    action = _running(state, e, e.action_uid)
    action.status, action.ended_at, action.reason = ActionStatus.FAILED, e.t, e.reason


# --- shards --------------------------------------------------------------------------------

@_on(ev.ShardRestartStarted)
def _restart_started(state: ClusterState, e: ev.ShardRestartStarted) -> None:
    shard = state.shards[e.shard]
    config = state.bdbs[shard.bdb_uid].config
    if e.reason == "discard":  # the data is discarded, its file with it
        shard.file, shard.file_live = None, False
    elif shard.file_live:  # a graceful stop completes the file; any other stop freezes it
        shard.file = e.t if e.reason == "upgrade" else live_point(config, shard.file or 0.0, e.t)
        shard.file_live = False
    _stop(shard, ShardStatus.RESTARTING)
    shard.until, shard.key, shard.action = e.t + state.timing.shard_restart_s, e.seq, e.action
    if e.action is not None:
        state.actions[e.action].restarted[shard.uid] = None


@_on(ev.ShardRestarted)
def _restarted(state: ClusterState, e: ev.ShardRestarted) -> None:
    shard = state.shards[e.shard]
    _run_on(shard, e.modules, e.redis_version)
    shard.status, shard.until = ShardStatus.OK, None
    if shard.role == MASTER:  # a master back without a file to load serves what it has (nothing)
        config = state.bdbs[shard.bdb_uid].config
        if holds_file(config, MASTER):
            shard.file, shard.file_live = e.t, True
        pair = state.pair_of(shard)
        if pair.recovery == Recovery.RECOVERING:
            pair.recovery = pair.down_since = pair.down_cause = None


@_on(ev.ShardLoadStarted)
def _load_started(state: ClusterState, e: ev.ShardLoadStarted) -> None:
    shard = state.shards[e.shard]
    _run_on(shard, e.modules, e.redis_version)
    shard.status, shard.until, shard.key = ShardStatus.LOADING, e.t + e.seconds, e.seq


@_on(ev.ShardLoaded)
def _loaded(state: ClusterState, e: ev.ShardLoaded) -> None:
    shard = state.shards[e.shard]
    shard.status, shard.until = ShardStatus.OK, None
    if holds_file(state.bdbs[shard.bdb_uid].config, shard.role):  # its file is its data, on disk whole
        shard.file, shard.file_live = e.t, True
    pair = state.pair_of(shard)
    if pair.recovery == Recovery.RECOVERING:
        pair.recovery = pair.down_since = pair.down_cause = None


@_on(ev.ShardLoadFailed)
def _load_failed(state: ClusterState, e: ev.ShardLoadFailed) -> None:
    shard = state.shards[e.shard]
    shard.status, shard.until = ShardStatus.FAILED, None


@_on(ev.ReplicaSyncStarted)
def _sync_started(state: ClusterState, e: ev.ReplicaSyncStarted) -> None:
    shard = state.shards[e.shard]
    shard.sync, shard.source, shard.until, shard.key = SyncStatus.IN_PROGRESS, e.source, e.t + e.seconds, e.seq


@_on(ev.ReplicaSynced)
def _synced(state: ClusterState, e: ev.ReplicaSynced) -> None:
    shard, source = state.shards[e.shard], state.shards[e.source]
    shard.sync, shard.keys, shard.bytes = SyncStatus.IDLE, source.keys, source.bytes
    shard.source = shard.until = None
    if holds_file(state.bdbs[shard.bdb_uid].config, SLAVE):  # the sync rewrote its file
        shard.file, shard.file_live = e.t, True


@_on(ev.ReplicaSyncAborted)
def _sync_aborted(state: ClusterState, e: ev.ReplicaSyncAborted) -> None:
    shard = state.shards[e.shard]
    shard.sync, shard.source, shard.until = SyncStatus.LINK_DOWN, None, None


# --- failovers, replica HA, recovery ---------------------------------------------------------

@_on(ev.FailoverStarted)
def _failover_started(state: ClusterState, e: ev.FailoverStarted) -> None:
    state.shards[e.master].paused = True
    state.shards[e.replica].paused = True
    timing = state.timing
    seconds = timing.planned_failover_s if e.planned else timing.unplanned_failover_s
    state.bdbs[e.bdb].pairs[e.pair].failover = FailoverRun(e.master, e.replica, e.planned, e.t + seconds, e.seq)


@_on(ev.FailoverCompleted)
def _failover_completed(state: ClusterState, e: ev.FailoverCompleted) -> None:
    master, replica = state.shards[e.master], state.shards[e.replica]
    master.role, master.paused, master.sync, master.source = MASTER, False, SyncStatus.IDLE, None
    replica.role, replica.paused = SLAVE, False
    # after a planned failover the old master follows the new one in sync; after an
    # unplanned one it must full-sync when it is back
    replica.sync = SyncStatus.IDLE if e.planned and replica.status == ShardStatus.OK else SyncStatus.LINK_DOWN
    config = state.bdbs[e.bdb].config
    for shard in (master, replica):  # a file follows its shard's new role (SPEC §5)
        if shard.file_live and not holds_file(config, shard.role):
            shard.file, shard.file_live = live_point(config, shard.file or 0.0, e.t), False
    pair = state.bdbs[e.bdb].pairs[e.pair]
    pair.failover = None
    if not e.planned:
        pair.recovery = pair.down_since = pair.down_cause = None


@_on(ev.FailoverAborted)
def _failover_aborted(state: ClusterState, e: ev.FailoverAborted) -> None:
    pair = state.bdbs[e.bdb].pairs[e.pair]
    for uid in pair.shards:
        state.shards[uid].paused = False
    pair.failover = None


@_on(ev.ReplicaMigrated)
def _migrated(state: ClusterState, e: ev.ReplicaMigrated) -> None:
    shard = state.shards[e.shard]
    del state.shards_by_node[e.from_node][shard.uid]
    state.shards_by_node[e.to_node][shard.uid] = None
    shard.node_uid = e.to_node
    _stop(shard, ShardStatus.RESTARTING)
    shard.keys = shard.bytes = 0
    shard.file, shard.file_live = None, False  # no file until its first full sync
    shard.until, shard.key = e.t + state.timing.shard_restart_s, e.seq
    policy, bdb = state.policy, state.bdbs[shard.bdb_uid]
    bdb.ha_cooldown_until = e.t + policy.slave_ha_bdb_cooldown_period
    state.ha_cooldown_until, state.ha_cooldown_node = e.t + policy.slave_ha_cooldown_period, e.from_node
    node = state.nodes[e.from_node]
    node.ha_due, node.ha_waiting = None, False


@_on(ev.ReplicaMigrationDeferred)
def _ha_deferred(state: ClusterState, e: ev.ReplicaMigrationDeferred) -> None:
    node = state.nodes[e.node]
    node.ha_due, node.ha_key, node.ha_waiting = e.until, e.seq, e.until is None


@_on(ev.PairRecoveryStarted)
def _recovery_started(state: ClusterState, e: ev.PairRecoveryStarted) -> None:
    pair = state.bdbs[e.bdb].pairs[e.pair]
    for uid in pair.shards:
        shard = state.shards[uid]
        if uid == e.shard:
            shard.role, shard.sync = MASTER, SyncStatus.IDLE
        elif shard.role == MASTER or shard.sync != SyncStatus.LINK_DOWN:
            shard.role, shard.sync, shard.source = SLAVE, SyncStatus.LINK_DOWN, None
    pair.recovery = Recovery.RECOVERING


@_on(ev.PairRecoveryDeferred)
def _recovery_deferred(state: ClusterState, e: ev.PairRecoveryDeferred) -> None:
    pair = state.bdbs[e.bdb].pairs[e.pair]
    pair.recovery = Recovery.WAITING
    if pair.down_since is None:
        pair.down_since, pair.down_cause = e.t, e.seq


@_on(ev.WritesLost)
def _writes_lost(state: ClusterState, e: ev.WritesLost) -> None:
    pair = state.bdbs[e.bdb].pairs[e.pair]
    pair.lost_until = max(pair.lost_until, e.until)


# --- nodes and the cluster -----------------------------------------------------------------

@_on(ev.NodeCrashed)
def _node_crashed(state: ClusterState, e: ev.NodeCrashed) -> None:
    node = state.nodes[e.node]
    node.status, node.crashed_at, node.crash_seq, node.detected = NodeStatus.DOWN, e.t, e.seq, False
    node.ha_due = e.t + state.policy.slave_ha_grace_period if state.policy.slave_ha else None
    node.ha_key, node.ha_waiting = e.seq, False
    shards = [state.shards[uid] for uid in state.shards_by_node[e.node]]
    for shard in shards:
        if shard.file_live:
            config = state.bdbs[shard.bdb_uid].config
            shard.file, shard.file_live = live_point(config, shard.file or 0.0, e.t), False
        _stop(shard, ShardStatus.DOWN)
        shard.action = None
    for shard in shards:
        _note_loss_of(state, shard, e)


def _note_loss_of(state: ClusterState, dead: ShardState, e: ev.Event) -> None:
    """What a shard's death means for its pair (SPEC §5): a dead master with a live, in-sync
    replica awaits the unplanned failover; with none, every live copy is lost."""
    pair = state.pair_of(dead)
    master = state.master_of(pair)
    if pair.recovery == Recovery.RECOVERING and master is not dead:
        return  # the replica died while the pair reloads: the reload goes on
    if master is not dead and pair.recovery != Recovery.FAILOVER:
        return  # a replica died; its master serves on
    partner = state.partner_of(master)
    waits = partner is not None and partner is not dead and state.is_in_sync(partner) \
        and pair.recovery in (None, Recovery.FAILOVER)
    pair.recovery = Recovery.FAILOVER if waits else Recovery.LOST
    if pair.down_since is None:
        pair.down_since, pair.down_cause = e.t, e.seq


@_on(ev.NodeFailureDetected)
def _detected(state: ClusterState, e: ev.NodeFailureDetected) -> None:
    state.nodes[e.node].detected = True


@_on(ev.NodeRecovered)
def _node_recovered(state: ClusterState, e: ev.NodeRecovered) -> None:
    node = state.nodes[e.node]
    node.status, node.ha_due, node.ha_waiting = NodeStatus.ACTIVE, None, False


@_on(ev.QuorumLost)
def _quorum_lost(state: ClusterState, e: ev.QuorumLost) -> None:
    state.quorum = False
    if state.policy.quorum_loss == "requires_recovery":
        state.lost = True


@_on(ev.QuorumRegained)
def _quorum_regained(state: ClusterState, e: ev.QuorumRegained) -> None:
    state.quorum = True


@_on(ev.ClusterRecoverRequested)
def _cluster_recover(state: ClusterState, e: ev.ClusterRecoverRequested) -> None:
    if e.outcome == "started":
        state.lost = False


@_on(ev.RandomFaultScheduled)
def _fault_scheduled(state: ClusterState, e: ev.RandomFaultScheduled) -> None:
    node = state.nodes[e.node]
    node.fault_kind, node.fault_at, node.fault_key = e.kind, e.at, e.seq
    node.fault_draws += 1


def _stop(shard: ShardState, status: str) -> None:
    """A shard's process stops: what it held only in memory (no file) is gone."""
    shard.status, shard.paused, shard.until = status, False, None
    if shard.role == SLAVE:
        shard.sync, shard.source = SyncStatus.LINK_DOWN, None
    if shard.file is None:
        shard.keys = shard.bytes = 0


def _run_on(shard: ShardState, modules: dict[str, str] | None, redis_version: str | None) -> None:
    if modules is not None:
        shard.modules = dict(modules)
    if redis_version is not None:
        shard.redis_version = redis_version
    shard.action = None


missing = set(ev.EVENT_TYPES.values()) - set(_HANDLERS)
assert not missing, f"event types without an apply case: {missing}"
