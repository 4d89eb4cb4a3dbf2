"""Invariants of SPEC §8, checked after every event when switched on.

Only the pairs an event touched are re-examined, so checking stays linear in the log.
"""
from __future__ import annotations

from sim.errors import InvariantViolation
from sim.events.touch import touched_shards
from sim.events.types import Event
from sim.model.state import MASTER, SHARD_STATUSES, SYNC_STATUSES, ClusterState, NodeStatus, PairState, ShardStatus

#: Statuses of a shard whose process runs (it cannot on a down node).
_RUNNING = (ShardStatus.OK, ShardStatus.LOADING, ShardStatus.RESTARTING)

__all__ = ["check_invariants", "check_pair", "check_order", "FileInvariants"]


def check_order(previous: Event | None, event: Event) -> None:
    """`seq` goes up by one without gaps and `t` never decreases."""
    if previous is None:
        if event.seq != 0:
            raise InvariantViolation(f"the first event has seq {event.seq}, not 0")
        return
    if event.seq != previous.seq + 1:
        raise InvariantViolation(f"seq {event.seq} follows seq {previous.seq}")
    if event.t < previous.t:
        raise InvariantViolation(f"event {event.seq} at t={event.t} goes back from t={previous.t}")


def check_invariants(state: ClusterState, event: Event) -> None:
    """Check every pair `event` touched; raises InvariantViolation naming the event."""
    seen: set[tuple[int, int]] = set()
    for uid in touched_shards(state, event):
        shard = state.shards[uid]
        key = (shard.bdb_uid, shard.pair)
        if key not in seen:
            seen.add(key)
            problem = check_pair(state, state.bdbs[shard.bdb_uid].pairs[shard.pair])
            if problem:
                raise InvariantViolation(f"after event {event.seq} ({event.type} at t={event.t}): {problem}")


def check_pair(state: ClusterState, pair: PairState) -> str | None:
    """What is wrong with one pair, or None."""
    shards = [state.shards[uid] for uid in pair.shards]
    masters = [s.uid for s in shards if s.role == MASTER]
    if len(masters) != 1:
        return f"pair {pair.index} of database {pair.bdb_uid} has masters {masters}"
    nodes = [s.node_uid for s in shards]
    if len(set(nodes)) != len(nodes):
        return f"master and replica of pair {pair.index} of database {pair.bdb_uid} share node {nodes[0]}"
    if state.bdbs[pair.bdb_uid].config.rack_aware:
        racks = [state.nodes[n].rack_id for n in nodes]
        if len(set(racks)) != len(racks):
            return f"master and replica of pair {pair.index} of database {pair.bdb_uid} share rack {racks[0]}"
    for shard in shards:
        if shard.status not in SHARD_STATUSES or shard.sync not in SYNC_STATUSES:
            return f"shard {shard.uid} has status {shard.status!r} / sync {shard.sync!r}"
        if shard.status in _RUNNING and state.nodes[shard.node_uid].status != NodeStatus.ACTIVE:
            return f"shard {shard.uid} is {shard.status} on down node {shard.node_uid}"
        if shard.keys > pair.keys or shard.bytes > pair.bytes:
            return f"shard {shard.uid} holds more data than its pair had at t = 0"
    return None


class FileInvariants:
    """Persistence files (SPEC §5), checked after every event on the shards it touched: a file's
    point never exceeds now, and a frozen file does not move — its point changes only when the
    file becomes live again (rewritten by a sync, a load, a fresh master) or is deleted."""

    __slots__ = ("frozen",)

    def __init__(self) -> None:
        self.frozen: dict[int, float] = {}

    def __call__(self, state: ClusterState, event: Event) -> None:
        for uid in touched_shards(state, event):
            shard = state.shards[uid]
            if shard.file is not None and shard.file > event.t:
                raise InvariantViolation(f"after event {event.seq} ({event.type} at t={event.t}): shard {uid}'s "
                                         f"file has point {shard.file}, after now")
            before = self.frozen.get(uid)
            if shard.file is None or shard.file_live:
                self.frozen.pop(uid, None)
            elif before is not None and before != shard.file:
                raise InvariantViolation(f"after event {event.seq} ({event.type} at t={event.t}): shard {uid}'s "
                                         f"frozen file moved from point {before} to {shard.file}")
            else:
                self.frozen[uid] = shard.file
