"""Recovering pairs that lost every live copy, and a lost cluster (SPEC §5).

A pair is recovered from the newest persistence file among its shards on up nodes (ties:
the shard that was the pair's master at t = 0): that shard restarts if its process still
runs, loads the file and becomes master; the other full-syncs from it afterwards. With no
file anywhere the pair comes back empty (its keys were counted lost when the last copy
went); with files only on down nodes it waits for one of them.
"""
from __future__ import annotations

from sim.engine.runtime import Runtime
from sim.engine.shards import restart
from sim.events import types as ev
from sim.model.files import file_point
from sim.model.state import MASTER, NodeStatus, PairState, Recovery, ShardStatus

__all__ = ["recover_lost_pairs", "recover_pair", "cluster_recover"]


def recover_lost_pairs(rt: Runtime, cause: int | None) -> None:
    """Recover every pair that waits and now can be: a `lost` pair once its master's node is
    up, a `waiting` one (after a cluster recovery) once a file is on an up node."""
    state = rt.state
    for bdb in sorted(state.bdbs):
        for pair in state.bdbs[bdb].pairs:
            if pair.recovery == Recovery.WAITING or (
                    pair.recovery == Recovery.LOST
                    and state.nodes[state.master_of(pair).node_uid].status == NodeStatus.ACTIVE):
                recover_pair(rt, pair, cause, "its master's node is back" if pair.recovery == Recovery.LOST
                             else "a node holding its file is back")


def recover_pair(rt: Runtime, pair: PairState, cause: int | None, reason: str) -> bool:
    """Recover one pair from its newest file on an up node (or empty when there is no file at
    all); False when its only files are on down nodes (it waits)."""
    state = rt.state
    config = state.bdbs[pair.bdb_uid].config
    up = [state.shards[uid] for uid in pair.shards
          if state.nodes[state.shards[uid].node_uid].status == NodeStatus.ACTIVE]
    files = [(file_point(config, s, rt.env.now), s.uid == pair.shards[0], s) for s in up if s.file is not None]
    if files:
        point, _, chosen = max(files, key=lambda item: (item[0], item[1]))
    elif any(state.shards[uid].file is not None for uid in pair.shards) or not up:
        return False
    else:
        masters = [s for s in up if s.role == MASTER]
        point, chosen = None, (masters or up)[0]
    if chosen.status in (ShardStatus.OK, ShardStatus.LOADING, ShardStatus.FAILED):  # a process still runs:
        cause = restart(rt, chosen, "recovery", cause).seq                       # it restarts to load the file
    rt.emit(ev.PairRecoveryStarted, cause, bdb=pair.bdb_uid, pair=pair.index, shard=chosen.uid, point=point,
            reason=reason)
    return True


def cluster_recover(rt: Runtime, cause: int | None = None) -> None:
    """A `cluster_recover` step: refused without quorum, a no-op on a cluster that is not lost;
    otherwise every process restarts (memory does not survive) and every pair is recovered
    from its newest file on an up node, all at once."""
    state = rt.state
    if not state.quorum:
        rt.emit(ev.ClusterRecoverRequested, cause, outcome="refused",
                reason="the cluster has no quorum: at most half of its nodes are up")
        return
    if not state.lost:
        rt.emit(ev.ClusterRecoverRequested, cause, outcome="noop", reason="the cluster is not lost")
        return
    started = rt.emit(ev.ClusterRecoverRequested, cause, outcome="started",
                      reason="recovering every database from its persistence files")
    for bdb in sorted(state.bdbs):
        for pair in state.bdbs[bdb].pairs:
            for uid in pair.shards:
                shard = state.shards[uid]
                if state.nodes[shard.node_uid].status == NodeStatus.ACTIVE and shard.status in (
                        ShardStatus.OK, ShardStatus.LOADING, ShardStatus.FAILED):
                    restart(rt, shard, "cluster recovery", started.seq,
                            loss_reason="cluster recovery: the memory of running processes does not survive")
            if not recover_pair(rt, pair, started.seq, "cluster recovery"):
                rt.emit(ev.PairRecoveryDeferred, started.seq, bdb=bdb, pair=pair.index,
                        reason="its persistence files, or all its shards, are on down nodes")
