"""Replica high availability (SPEC §5 "Replica HA"): when a node stays down past
`slave_ha_grace_period`, each master that lost its replica there gets a new one on the
least-loaded eligible node (fewest shards, then lowest uid; placement rules hold).

Held back: without quorum (or in a lost cluster), and while some replicated pair has lost
both its shards — until the condition clears; within the cluster cooldown
(`slave_ha_cooldown_period`) after another node's replicas migrated, and within a
database's cooldown (`slave_ha_bdb_cooldown_period`) — until the cooldown ends, if the node
is still down then [OURS: deferred, not dropped].
"""
from __future__ import annotations

from sim.engine.runtime import Runtime
from sim.events import types as ev
from sim.model.placement import eligible_replica_nodes
from sim.model.state import SLAVE, NodeStatus, ShardStatus

__all__ = ["on_ha_timer", "recheck_waiting_ha"]


def on_ha_timer(rt: Runtime, node: int, key: int) -> None:
    """A node's replica HA is due (unless it came back or was deferred again since)."""
    record = rt.state.nodes[node]
    if record.ha_key == key and record.ha_due is not None and record.status == NodeStatus.DOWN:
        _migrate(rt, node, key)


def recheck_waiting_ha(rt: Runtime, cause: int | None) -> None:
    """Run the replica HA of nodes that waited for a condition, now that it cleared."""
    if _blocker(rt) is not None:  # still held back: nothing below could change that
        return
    state = rt.state
    for uid, record in sorted(state.nodes.items()):
        if record.ha_waiting and record.status == NodeStatus.DOWN and _blocker(rt) is None:
            _migrate(rt, uid, cause)


def _blocker(rt: Runtime) -> str | None:
    """What holds every migration back now, if anything (no quorum; a pair with no live shard)."""
    state = rt.state
    if not state.quorum or state.lost:
        return "the cluster has no quorum" if not state.quorum else "the cluster is lost"
    for bdb in state.bdbs.values():
        for pair in bdb.pairs:
            if len(pair.shards) == 2 and all(state.shards[u].status != ShardStatus.OK for u in pair.shards):
                return f"pair {pair.index} of database {bdb.uid} lost both its shards"
    return None


def _migrate(rt: Runtime, node: int, cause: int | None) -> None:
    state, now = rt.state, rt.env.now
    blocker = _blocker(rt)
    if blocker is not None:
        if not state.nodes[node].ha_waiting:
            rt.emit(ev.ReplicaMigrationDeferred, cause, node=node, until=None, reason=blocker)
        return
    cooldown = state.ha_cooldown_until
    if cooldown is not None and now < cooldown and state.ha_cooldown_node != node:
        rt.emit(ev.ReplicaMigrationDeferred, cause, node=node, until=cooldown,
                reason=f"cluster cooldown after node {state.ha_cooldown_node}'s replicas migrated")
        return
    cooled = {uid: bdb.ha_cooldown_until for uid, bdb in state.bdbs.items()}  # as the pass starts
    later: float | None = None
    for uid in sorted(state.shards_by_node[node]):
        shard = state.shards[uid]
        master = state.partner_of(shard)
        if shard.role != SLAVE or master is None or master.status != ShardStatus.OK:
            continue
        until = cooled[shard.bdb_uid]
        if until is not None and now < until:
            later = until if later is None else min(later, until)
            continue
        rack_aware = state.bdbs[shard.bdb_uid].config.rack_aware
        candidates = eligible_replica_nodes(master.node_uid, [
            (n.uid, n.rack_id, n.status == NodeStatus.ACTIVE and not n.quorum_only
             and len(state.shards_by_node[n.uid]) < n.max_redis_servers, len(state.shards_by_node[n.uid]))
            for n in state.nodes.values()], rack_aware)
        if candidates:
            rt.emit(ev.ReplicaMigrated, cause, shard=uid, from_node=node, to_node=candidates[0])
    if later is not None:
        rt.emit(ev.ReplicaMigrationDeferred, cause, node=node, until=later,
                reason="a database's cooldown after its replicas migrated")
