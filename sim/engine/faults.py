"""Faults (SPEC §5): node crash and recovery, failure detection, unplanned failover,
replica HA, quorum loss, and random faults drawn from the seed."""
from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.engine.actions import fail_action
from sim.engine.failover import try_unplanned_failover
from sim.engine.runtime import Runtime
from sim.engine.shards import drive, restart_shard, serve_after_start
from sim.events import types as ev
from sim.model.placement import eligible_replica_nodes
from sim.model.topology import has_quorum

__all__ = ["crash_node", "recover_node", "random_faults"]

Proc = Generator[simpy.Event, Any, Any]


def crash_node(rt: Runtime, node: int, cause: int | None = None) -> None:
    """A node goes down: its shards die at this instant, and every consequence follows."""
    state = rt.state
    if state.nodes[node].status != "active":
        return
    dead = sorted(state.shards_by_node[node])
    pairs = sorted({(state.shards[u].bdb_uid, state.shards[u].pair) for u in dead})
    held = {key: state.pair_keys(state.bdbs[key[0]].pairs[key[1]]) for key in pairs}
    crash = rt.emit(ev.NodeCrashed, cause, node=node)
    rt.node_epoch[node] = rt.node_epoch.get(node, 0) + 1
    rt.detected.discard(node)
    rt.noticed[node] = rt.env.event()
    for uid in dead:
        # the earliest crash whose losses are not yet counted (a shard that died again before
        # serving again had accepted nothing since)
        rt.died.setdefault(uid, (crash.t, crash.seq))
        if state.shards[uid].role == "master":
            rt.needs_failover[uid] = None
    _record_consequences(rt, node, dead, pairs, held, crash.seq)
    rt.interrupt_dependents(dead, crash.seq)
    if state.quorum and not has_quorum(state):
        lost = rt.emit(ev.QuorumLost, crash.seq)
        rt.quorum_back = rt.env.event()
        for action in [a for a in state.actions.values() if a.is_running]:
            fail_action(rt, action.uid, "the cluster lost quorum", lost.seq)
    for bdb_uid in sorted({state.shards[u].bdb_uid for u in dead}):
        action = state.running_action(bdb_uid)
        if action is not None:
            shard = next(u for u in dead if state.shards[u].bdb_uid == bdb_uid)
            fail_action(rt, action.uid, f"shard {shard} died with node {node}", crash.seq)
    epoch = rt.node_epoch[node]
    rt.start(_detect(rt, node, epoch, crash.seq))
    if state.policy.slave_ha:
        rt.start(_replica_ha(rt, node, epoch, crash.seq))


def _record_consequences(rt: Runtime, node: int, dead: list[int], pairs: list[tuple[int, int]],
                         held: dict[tuple[int, int], tuple[int, int]], cause: int) -> None:
    state = rt.state
    dead_set = set(dead)
    for bdb_uid, index in pairs:
        pair = state.bdbs[bdb_uid].pairs[index]
        keys, bytes_ = held[(bdb_uid, index)]
        if (keys or bytes_) and state.pair_keys(pair) == (0, 0):
            victim = next(u for u in pair.shards if u in dead_set)
            rt.emit(ev.KeysLost, cause, bdb=bdb_uid, pair=index, shard=victim, keys=keys, bytes=bytes_,
                    reason=f"node {node} crashed with the last copy (no persistence)")
        if rt.failovers.pop((bdb_uid, index), None) is not None:  # its process lets go of the pair
            rt.emit(ev.FailoverAborted, cause, bdb=bdb_uid, pair=index, reason=f"node {node} crashed")
        for uid in pair.shards:
            shard = state.shards[uid]
            if uid not in dead_set and shard.sync == "in_progress":
                rt.emit(ev.ReplicaSyncAborted, cause, shard=uid,
                        reason=f"its master died with node {node}")


def _detect(rt: Runtime, node: int, epoch: int, cause: int) -> Proc:
    sensitivity = rt.state.policy.failure_detection_sensitivity
    yield rt.env.timeout(getattr(rt.timing.failure_detection_s, sensitivity))
    if rt.node_epoch.get(node) != epoch:
        return
    noticed = rt.emit(ev.NodeFailureDetected, cause, node=node)
    rt.detected.add(node)
    for uid in sorted(rt.needs_failover):
        if rt.state.shards[uid].node_uid == node:
            try_unplanned_failover(rt, uid, noticed.seq)
    rt.noticed[node].succeed()


def recover_node(rt: Runtime, node: int, cause: int | None = None) -> None:
    """A node comes back: quorum may return, and its shard processes restart."""
    state = rt.state
    if state.nodes[node].status == "active":
        return
    back = rt.emit(ev.NodeRecovered, cause, node=node)
    if not state.quorum and has_quorum(state):
        regained = rt.emit(ev.QuorumRegained, back.seq)
        for uid in sorted(rt.needs_failover):
            try_unplanned_failover(rt, uid, regained.seq)
        if rt.quorum_back is not None:
            rt.quorum_back.succeed()
    for uid in sorted(state.shards_by_node[node]):
        rt.start(restart_shard(rt, uid, "recovery", back.seq))


def _replica_ha(rt: Runtime, node: int, epoch: int, cause: int) -> Proc:
    """After `slave_ha_grace_period` (or, without quorum then, once quorum returns), re-create
    elsewhere each replica of the down node whose master is up (SPEC §5 "Replica HA");
    placement rules hold."""
    state = rt.state
    yield rt.env.timeout(state.policy.slave_ha_grace_period)
    while not state.quorum and rt.quorum_back is not None:  # HA needs the cluster manager: wait
        yield rt.quorum_back
    if rt.node_epoch.get(node) != epoch or state.nodes[node].status == "active":
        return
    for uid in sorted(state.shards_by_node[node]):
        shard = state.shards[uid]
        master = state.partner_of(shard)
        if shard.role != "slave" or master is None or master.status != "ok":
            continue
        rack_aware = state.bdbs[shard.bdb_uid].config.rack_aware
        candidates = eligible_replica_nodes(master.node_uid, [
            (n.uid, n.rack_id, n.status == "active" and not n.quorum_only
             and len(state.shards_by_node[n.uid]) < n.max_redis_servers, len(state.shards_by_node[n.uid]))
            for n in state.nodes.values()], rack_aware)
        if candidates:
            moved = rt.emit(ev.ReplicaMigrated, cause, shard=uid, from_node=node, to_node=candidates[0])
            rt.start(drive(rt, uid, serve_after_start(rt, shard, moved.seq, None, graceful=True)))


def random_faults(rt: Runtime, node: int, mtbf_s: float, mttr_s: float) -> Proc:
    """Crash and recover a node forever, with exponential times drawn from the node's own
    stream (`faults/node/<uid>`), so one node's draws never shift another's."""
    draws = rt.stream(f"faults/node/{node}")
    while True:
        yield rt.env.timeout(draws.expovariate(1.0 / mtbf_s))
        crash_node(rt, node)
        yield rt.env.timeout(draws.expovariate(1.0 / mttr_s))
        recover_node(rt, node)
