"""Failover processes: planned (during an upgrade) and unplanned (after a node failure)."""
from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.engine.runtime import Runtime
from sim.engine.shards import ensure_sync
from sim.events import types as ev
from sim.model.state import PairState, ShardState

__all__ = ["fail_over", "try_unplanned_failover"]

Proc = Generator[simpy.Event, Any, Any]


def fail_over(rt: Runtime, pairs: list[PairState], planned: bool, cause: int | None) -> Proc:
    """Swap the roles of pairs, all at the same time: the proxy stops forwarding to each for
    the failover's duration (SPEC §3: a phase's pairs fail over together). One process and
    one timeout serve them all: on a large database that costs less than the failovers.

    A planned failover loses no acknowledged write; an unplanned one loses the writes of the
    last `replication_lag_s` (SPEC §5). A crash aborts the failovers of the pairs it hit (its
    handler records FailoverAborted and takes them out of `rt.failovers`); the others go on.
    Returns the reasons of the aborted ones.
    """
    state, me = rt.state, rt.env.active_process
    going: list[tuple[PairState, ShardState, ShardState, int]] = []
    for pair in pairs:
        master = state.master_of(pair)
        replica = state.partner_of(master)
        assert replica is not None
        rt.failovers[(pair.bdb_uid, pair.index)] = me
        rt.watch(me, master.uid, replica.uid)
        start = rt.emit(ev.FailoverStarted, cause, bdb=pair.bdb_uid, pair=pair.index, master=master.uid,
                        replica=replica.uid, planned=planned)
        going.append((pair, master, replica, start.seq))
    timer = rt.env.timeout(rt.timing.planned_failover_s if planned else rt.timing.unplanned_failover_s)
    aborted: list[str] = []
    while going:
        try:
            yield timer
            break
        except simpy.Interrupt:  # a shard died: let go of the pairs it hit, wait on for the others
            hit = [g for g in going if rt.failovers.get((g[0].bdb_uid, g[0].index)) is not me]
            for pair, master, replica, _ in hit:
                rt.unwatch(me, master.uid, replica.uid)
                aborted.append(f"failover of pair {pair.index} of database {pair.bdb_uid} aborted: a shard died")
            going = [g for g in going if g not in hit]
    for pair, master, replica, seq in going:
        del rt.failovers[(pair.bdb_uid, pair.index)]
        rt.unwatch(me, master.uid, replica.uid)
        done = rt.emit(ev.FailoverCompleted, seq, bdb=pair.bdb_uid, pair=pair.index, master=replica.uid,
                       replica=master.uid, planned=planned)
        if not planned:
            rt.needs_failover.pop(master.uid, None)
            _count_lag_loss(rt, pair, master.uid, done.seq)
            ensure_sync(rt, master, done.seq)
    return aborted


def _count_lag_loss(rt: Runtime, pair: PairState, master: int, cause: int) -> None:
    """Writes the dead master acknowledged in its last `replication_lag_s` before the crash
    never reached the replica (SPEC §5); only writes it really accepted count."""
    died_at, crash = rt.died.pop(master, (rt.env.now, cause))
    lag = rt.timing.replication_lag_s
    writes = pair.writes_per_sec * rt.serving.accepted_s(master, died_at - lag, died_at)
    if writes > 0:
        rt.emit(ev.WritesLost, crash, bdb=pair.bdb_uid, pair=pair.index, shard=master, writes=writes,
                reason=f"unplanned failover: writes of the last {lag:g} s had not reached the replica")


def try_unplanned_failover(rt: Runtime, master_uid: int, cause: int | None) -> bool:
    """Fail a dead master over to its replica if that replica is live and in sync, the
    cluster has quorum and the master's failure was noticed; True when one started."""
    state = rt.state
    master = state.shards[master_uid]
    if master.role != "master" or master.status == "ok" or not state.quorum:
        return False
    if master.node_uid not in rt.detected or master_uid not in rt.needs_failover:
        return False
    pair = state.pair_of(master)
    replica = state.partner_of(master)
    if replica is None or not state.is_in_sync(replica) or (pair.bdb_uid, pair.index) in rt.failovers:
        return False
    rt.start(fail_over(rt, [pair], planned=False, cause=cause))
    return True
