"""Failover processes: planned (during an upgrade) and unplanned (after a node failure)."""
from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.engine.runtime import Runtime
from sim.engine.shards import ensure_sync
from sim.events import types as ev
from sim.model.state import PairState

__all__ = ["fail_over", "try_unplanned_failover"]

Proc = Generator[simpy.Event, Any, Any]


def fail_over(rt: Runtime, pair: PairState, planned: bool, cause: int | None) -> Proc:
    """Swap the roles of a pair: the proxy stops forwarding for the failover's duration.

    A planned failover loses no acknowledged write; an unplanned one loses the writes of
    the last `replication_lag_s` (SPEC §5). Returns None, or a reason if it was aborted.
    """
    state = rt.state
    master = state.master_of(pair)
    replica = state.partner_of(master)
    assert replica is not None
    me = rt.env.active_process
    rt.failovers[(pair.bdb_uid, pair.index)] = me
    rt.watch(me, master.uid, replica.uid)
    try:
        start = rt.emit(ev.FailoverStarted, cause, bdb=pair.bdb_uid, pair=pair.index, master=master.uid,
                        replica=replica.uid, planned=planned)
        yield rt.env.timeout(rt.timing.planned_failover_s if planned else rt.timing.unplanned_failover_s)
        done = rt.emit(ev.FailoverCompleted, start.seq, bdb=pair.bdb_uid, pair=pair.index, master=replica.uid,
                       replica=master.uid, planned=planned)
        if not planned:
            rt.needs_failover.pop(master.uid, None)
            _count_lag_loss(rt, pair, master.uid, done.seq)
            ensure_sync(rt, master, done.seq)
        return None
    except simpy.Interrupt:
        return f"failover of pair {pair.index} of database {pair.bdb_uid} aborted: a shard died"
    finally:
        rt.unwatch(me, master.uid, replica.uid)
        if rt.failovers.get((pair.bdb_uid, pair.index)) is me:
            del rt.failovers[(pair.bdb_uid, pair.index)]


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
    rt.start(fail_over(rt, pair, planned=False, cause=cause))
    return True
