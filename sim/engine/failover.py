"""Failovers: planned (an upgrade's phases, all pairs at once) and unplanned (a dead master's
in-sync replica takes over once the failure is noticed) — SPEC §3, §5.

The proxy stops forwarding to a pair for the failover's duration (`planned_failover_s` or
`unplanned_failover_s`); a planned failover loses no acknowledged write; an unplanned one
loses those of the dead master's last `replication_lag_s` [OURS].
"""
from __future__ import annotations

from collections.abc import Iterable

from sim.engine.runtime import Runtime
from sim.events import types as ev
from sim.model.state import PairState, Recovery

__all__ = ["start_failovers", "on_failover_timer", "try_unplanned_failover"]


def start_failovers(rt: Runtime, pairs: Iterable[PairState], planned: bool, cause: int | None) -> None:
    """Stop forwarding to each pair and start its failover (all at the same time)."""
    state = rt.state
    for pair in pairs:
        master = state.master_of(pair)
        replica = state.partner_of(master)
        assert replica is not None
        rt.emit(ev.FailoverStarted, cause, bdb=pair.bdb_uid, pair=pair.index, master=master.uid,
                replica=replica.uid, planned=planned)


def on_failover_timer(rt: Runtime, bdb: int, index: int, key: int) -> None:
    """A failover's time is up: the roles swap (unless a crash aborted it since)."""
    pair = rt.state.bdbs[bdb].pairs[index]
    run = pair.failover
    if run is None or run.key != key:
        return
    down_since, down_cause = pair.down_since, pair.down_cause
    done = rt.emit(ev.FailoverCompleted, key, bdb=bdb, pair=index, master=run.replica, replica=run.master,
                   planned=run.planned)
    if not run.planned and down_since is not None:
        _count_lag_loss(rt, pair, run.master, down_since, done.seq if down_cause is None else down_cause)


def _count_lag_loss(rt: Runtime, pair: PairState, master: int, died_at: float, cause: int) -> None:
    """Writes the dead master acknowledged in its last `replication_lag_s` before it died never
    reached the replica (SPEC §5); only writes it really accepted count, and none twice."""
    lag = rt.timing.replication_lag_s
    since = max(died_at - lag, pair.lost_until)
    writes = pair.writes_per_sec * rt.serving.accepted_s(master, since, died_at)
    if writes > 0:
        rt.emit(ev.WritesLost, cause, bdb=pair.bdb_uid, pair=pair.index, shard=master, writes=writes,
                since=since, until=died_at,
                reason=f"unplanned failover: writes of the last {lag:g} s had not reached the replica")


def try_unplanned_failover(rt: Runtime, pair: PairState, cause: int | None) -> bool:
    """Start the failover of a pair whose master died, if its replica is live and in sync, the
    cluster serves (quorum, not lost) and the master's failure was noticed; True if started."""
    state = rt.state
    if pair.recovery != Recovery.FAILOVER or pair.failover is not None or not state.accepts_management():
        return False
    master = state.master_of(pair)
    replica = state.partner_of(master)
    if not state.nodes[master.node_uid].detected or replica is None or not state.is_in_sync(replica):
        return False
    start_failovers(rt, [pair], planned=False, cause=cause)
    return True
