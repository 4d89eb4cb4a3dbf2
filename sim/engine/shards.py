"""Shard processes: restart, reload from persistence, and full sync of a replica (SPEC §3, §5).

Each returns None when the shard serves again (loaded, or in sync with its master) and a
reason string when it could not; a crash interrupts it (the crash handler has already
recorded the consequences as events).
"""
from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.engine.runtime import Runtime
from sim.events import types as ev
from sim.model.state import ShardState

__all__ = ["restart_shard", "drive", "serve_after_start", "sync_replica", "ensure_sync", "unpersisted_since",
           "take_over"]

Proc = Generator[simpy.Event, Any, Any]


def restart_shard(rt: Runtime, uid: int, reason: str, cause: int | None,
                  modules: dict[str, str] | None = None, loss_reason: str = "") -> Proc:
    """Stop a shard's process, start it again (on `modules` if given), and bring it back."""
    shard = rt.state.shards[uid]
    take_over(rt, shard, cause)

    # a persistent shard's data stays on disk: only a non-persistent one's stop can lose it
    holder = None if rt.state.bdbs[shard.bdb_uid].config.is_persistent else shard

    def body() -> Proc:
        stop = rt.emit_checking_loss(ev.ShardRestartStarted, cause, holder, loss_reason or f"restart ({reason})",
                                     shard=uid, reason=reason)
        graceful = reason != "recovery"
        if graceful:  # an orderly shutdown leaves a complete persistence file (SPEC §3)
            rt.persisted_at[uid] = stop.t
        return (yield from serve_after_start(rt, shard, stop.seq, modules, graceful))

    return (yield from drive(rt, uid, body()))


def drive(rt: Runtime, uid: int, body: Proc) -> Proc:
    """Run `body` as the process driving shard `uid`: a crash of the shard interrupts it."""
    me = rt.env.active_process
    rt.driver[uid] = me
    rt.watch(me, uid)
    try:
        return (yield from body)
    except simpy.Interrupt:
        return f"shard {uid} died"
    finally:
        rt.unwatch(me, uid)
        if rt.driver.get(uid) is me:
            del rt.driver[uid]


def serve_after_start(rt: Runtime, shard: ShardState, cause: int, modules: dict[str, str] | None,
                      graceful: bool) -> Proc:
    """The part of a restart after the stop: wait for the process, then reload or sync.

    `graceful` is an orderly stop (nothing lost); otherwise a persistent master that reloads
    loses the writes of its persistence window (SPEC §5).
    """
    yield rt.sleep(rt.timing.shard_restart_s)
    if not graceful and shard.role == "master":
        yield from _await_failover_decision(rt, shard)
    config = rt.state.bdbs[shard.bdb_uid].config
    if shard.role == "master" and config.is_persistent:
        problem = yield from _reload(rt, shard, cause, modules)
        if problem is None:
            rt.needs_failover.pop(shard.uid, None)
            ensure_sync(rt, rt.state.partner_of(shard), cause)
        return problem
    started = rt.emit(ev.ShardRestarted, cause, shard=shard.uid, modules=modules)
    rt.died.pop(shard.uid, None)  # no reload: nothing of its old data is served again
    if shard.role == "master":
        rt.needs_failover.pop(shard.uid, None)
        ensure_sync(rt, rt.state.partner_of(shard), started.seq)
        return None
    return (yield from sync_replica(rt, shard, started.seq))


def _await_failover_decision(rt: Runtime, shard: ShardState) -> Proc:
    """A master that crashed and is back while its replica is in sync does not serve its
    (empty or stale) data: it waits for the cluster to notice the crash and fail it over,
    then rejoins as a replica [OURS]. Without quorum, the decision waits for quorum."""
    state = rt.state
    while shard.role == "master" and shard.uid in rt.needs_failover:
        partner = state.partner_of(shard)
        if partner is None or not state.is_in_sync(partner):
            return
        pair = state.pair_of(shard)
        running = rt.failovers.get((pair.bdb_uid, pair.index))
        noticed = rt.noticed.get(shard.node_uid)
        if running is not None and running.is_alive:
            yield running
        elif noticed is not None and not noticed.processed:
            yield noticed
        elif not state.quorum and rt.quorum_back is not None:
            yield rt.quorum_back
        else:
            return


def _reload(rt: Runtime, shard: ShardState, cause: int, modules: dict[str, str] | None) -> Proc:
    config = rt.state.bdbs[shard.bdb_uid].config
    aof = config.data_persistence == "aof"
    rate = rt.timing.aof_load_bytes_per_s if aof else rt.timing.rdb_load_bytes_per_s
    needed = shard.bytes / rate
    bound = config.max_aof_load_time if aof else float("inf")
    start = rt.emit(ev.ShardLoadStarted, cause, shard=shard.uid, modules=modules, seconds=min(needed, bound))
    yield rt.sleep(min(needed, bound))
    if needed > bound:
        reason = (f"AOF reload of shard {shard.uid} needs {needed:g} s, more than max_aof_load_time "
                  f"{bound:g} s")
        rt.emit(ev.ShardLoadFailed, start.seq, shard=shard.uid, reason=reason)
        return reason
    rt.emit(ev.ShardLoaded, start.seq, shard=shard.uid)
    _count_persistence_loss(rt, shard)
    rt.persisted_at[shard.uid] = rt.env.now
    return None


def _count_persistence_loss(rt: Runtime, shard: ShardState) -> None:
    """A crashed master that reloaded serves without the writes it acknowledged after its
    last persistence point: count them (SPEC §5), once."""
    died = rt.died.pop(shard.uid, None)
    if died is None or not shard.keys:
        return
    config = rt.state.bdbs[shard.bdb_uid].config
    start = unpersisted_since(config, died[0], rt.persisted_at.get(shard.uid, 0.0))
    pair = rt.state.pair_of(shard)
    writes = pair.writes_per_sec * rt.serving.accepted_s(shard.uid, start, died[0])
    if writes > 0:
        rt.emit(ev.WritesLost, died[1], bdb=pair.bdb_uid, pair=pair.index, shard=shard.uid, writes=writes,
                reason=f"reload after crash: writes acknowledged since t={start:g} were not yet persisted")


def unpersisted_since(config: Any, crashed_at: float, persisted_at: float) -> float:
    """Start of the writes a persistent shard loses when it crashes at `crashed_at` [OURS]:
    AOF every-sec the last second, AOF always none, snapshot those since the last snapshot
    (at every multiple of each rule's `secs` from t = 0) — never before `persisted_at`, the
    last moment its data was wholly on disk (a graceful stop, a finished load)."""
    if config.data_persistence == "aof":
        point = crashed_at if config.aof_policy == "appendfsync-always" else crashed_at - 1.0
    elif config.data_persistence == "snapshot":
        point = max((crashed_at // rule.secs) * rule.secs for rule in config.snapshot_policy)
    else:
        point = crashed_at
    return max(point, persisted_at)


def sync_replica(rt: Runtime, replica: ShardState, cause: int | None) -> Proc:
    """Full sync of a replica from its pair's master, under `max_slave_full_syncs` (into the
    replica's node) and `max_redis_forks` (on the master's node)."""
    state, policy = rt.state, rt.state.policy
    me = rt.env.active_process
    into = rt.slot("syncs", replica.node_uid, policy.max_slave_full_syncs)
    master = state.master_of(state.pair_of(replica))
    fork = rt.slot("forks", master.node_uid, policy.max_redis_forks)
    rt.watch(me, master.uid)
    requests = [resource.request() for resource in (into, fork) if resource is not None]
    try:
        for request in requests:
            yield request
        if replica.status != "ok":
            return f"replica {replica.uid} cannot sync: it is {replica.status}"
        if master.status != "ok" or master.role != "master":
            return f"replica {replica.uid} cannot sync: its master {master.uid} is {master.status}"
        seconds = master.bytes / rt.timing.full_sync_bytes_per_s
        start = rt.emit(ev.ReplicaSyncStarted, cause, shard=replica.uid, source=master.uid, seconds=seconds)
        yield rt.sleep(seconds)
        # the replica takes the master's copy: only a master holding less than it can lose data
        smaller = master.keys < replica.keys or master.bytes < replica.bytes
        rt.emit_checking_loss(ev.ReplicaSynced, start.seq, replica if smaller else None,
                              f"replica {replica.uid} synced from an empty master",
                              shard=replica.uid, source=master.uid)
        return None
    except simpy.Interrupt:
        return f"replica {replica.uid} lost its sync source {master.uid}"
    except GeneratorExit:  # the run ended while it waited: leave the resources alone, as SimPy's own
        requests.clear()   # `with resource.request()` does
        raise
    finally:
        for request in requests:  # cancelled if still waiting, released if granted
            request.__exit__(None, None, None)
        rt.unwatch(me, master.uid)


def ensure_sync(rt: Runtime, replica: ShardState | None, cause: int | None) -> None:
    """Start a full sync of a live, out-of-sync replica nobody is driving (Redis replicas
    reconnect to their master by themselves)."""
    if replica is None or replica.role != "slave" or replica.status != "ok" or replica.sync != "link_down":
        return
    if replica.uid in rt.driver or rt.state.nodes[replica.node_uid].status != "active":
        return
    rt.start(drive(rt, replica.uid, sync_replica(rt, replica, cause)))


def take_over(rt: Runtime, shard: ShardState, cause: int | None) -> None:
    """Stop whatever process drives a shard (a standalone sync) before a new one takes it."""
    current = rt.driver.pop(shard.uid, None)
    if current is not None and current.is_alive and current is not rt.env.active_process:
        if shard.sync == "in_progress":
            rt.emit(ev.ReplicaSyncAborted, cause, shard=shard.uid, reason="restarted for the upgrade")
        rt.unwatch(current, shard.uid)
        rt.interrupt(current, cause)
