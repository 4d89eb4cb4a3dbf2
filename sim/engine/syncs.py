"""Full syncs of replicas (SPEC §3, §5): started whenever a live replica is out of sync and
its master can serve one, under `max_slave_full_syncs` (syncs into a node) and
`max_redis_forks` (syncs served from a node). Redis replicas reconnect by themselves: no
action drives a sync, it follows from the state.

Replicas held back by a limit start, when a sync ends, in ascending shard uid [OURS].
"""
from __future__ import annotations

from sim.engine.runtime import Runtime
from sim.events import types as ev
from sim.model.state import MASTER, SLAVE, NodeStatus, ShardState, ShardStatus, SyncStatus

__all__ = ["Syncs"]


class Syncs:
    """Starts and ends full syncs; counts those under way per node when a limit applies."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        policy = rt.state.policy
        self.limited = policy.max_slave_full_syncs > 0 or policy.max_redis_forks > 0
        #: replica uid -> (its node, its source's node), for syncs under way (only with limits)
        self.running: dict[int, tuple[int, int]] = {}
        #: replicas that could sync but for a limit
        self.waiting: set[int] = set()

    def rebuild(self) -> None:
        """Derive the syncs under way and the waiting replicas from the state (after a replay)."""
        state = self.rt.state
        for shard in state.shards.values():
            if shard.sync == SyncStatus.IN_PROGRESS and shard.source is not None and self.limited:
                self.running[shard.uid] = (shard.node_uid, state.shards[shard.source].node_uid)
            elif self._source(shard) is not None and self.limited:
                self.waiting.add(shard.uid)

    def maybe_sync(self, replica: ShardState, cause: int | None) -> None:
        """Start a full sync of `replica` if it needs one and may have one now."""
        master = self._source(replica)
        if master is None:
            self.waiting.discard(replica.uid)
            return
        if self.limited and not self._has_room(replica, master):
            self.waiting.add(replica.uid)
            return
        self.waiting.discard(replica.uid)
        seconds = master.bytes / self.rt.timing.full_sync_bytes_per_s
        if self.limited:
            self.running[replica.uid] = (replica.node_uid, master.node_uid)
        self.rt.emit(ev.ReplicaSyncStarted, cause, shard=replica.uid, source=master.uid, seconds=seconds)

    def on_timer(self, uid: int, key: int) -> None:
        """A full sync's time is up: the replica holds its master's data and is in sync."""
        rt = self.rt
        replica = rt.state.shards[uid]
        if replica.sync != SyncStatus.IN_PROGRESS or replica.key != key or replica.source is None:
            return
        master = rt.state.shards[replica.source]
        # the replica takes the master's copy: only a master holding less than it can lose data
        smaller = master.keys < replica.keys or master.bytes < replica.bytes
        rt.emit_checking_loss(ev.ReplicaSynced, key, replica if smaller else None,
                              f"replica {uid} synced from a master holding less",
                              shard=uid, source=master.uid)
        self.ended(uid, key)

    def ended(self, uid: int, cause: int | None) -> None:
        """A sync ended (or was aborted): start the waiting ones that now fit, in uid order."""
        if not self.limited:
            return
        self.running.pop(uid, None)
        shards = self.rt.state.shards
        for waiting in sorted(self.waiting):
            self.maybe_sync(shards[waiting], cause)

    def _source(self, replica: ShardState) -> ShardState | None:
        """The master a replica would sync from now, or None when it needs no sync or cannot
        have one (it is not a live, out-of-sync replica; its master is not up)."""
        state = self.rt.state
        if (replica.role != SLAVE or replica.status != ShardStatus.OK or replica.sync != SyncStatus.LINK_DOWN
                or state.nodes[replica.node_uid].status != NodeStatus.ACTIVE):
            return None
        pair = state.pair_of(replica)
        master = state.master_of(pair)
        if master.role != MASTER or master.status != ShardStatus.OK \
                or state.nodes[master.node_uid].status != NodeStatus.ACTIVE:
            return None
        return master

    def _has_room(self, replica: ShardState, master: ShardState) -> bool:
        policy, shards = self.rt.state.policy, self.rt.state.shards
        for uid in [u for u in self.running if shards[u].sync != SyncStatus.IN_PROGRESS]:
            del self.running[uid]  # ended by a crash (its replica or its source died)
        into = sum(1 for node, _ in self.running.values() if node == replica.node_uid)
        forks = sum(1 for _, node in self.running.values() if node == master.node_uid)
        return ((policy.max_slave_full_syncs <= 0 or into < policy.max_slave_full_syncs)
                and (policy.max_redis_forks <= 0 or forks < policy.max_redis_forks))
