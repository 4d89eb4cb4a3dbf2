"""A shard's life after a stop (SPEC §3, §5): restart, then load its file, serve empty, wait,
or (a replica) full-sync — each step decided from the state when the previous one ends.

A master back from a restart loads its persistence file when its pair is being recovered
or its database is not replicated; one whose pair awaits a failover or a recovery waits
(it must not serve stale or empty data); any other master serves what it holds. A replica
back from a restart is out of sync: `syncs.maybe_sync` starts its full sync.
"""
from __future__ import annotations

from sim.engine.runtime import Runtime
from sim.events import types as ev
from sim.model.files import file_point, load_seconds, read_seconds
from sim.model.state import MASTER, Recovery, ShardState, ShardStatus

__all__ = ["restart", "on_restart_timer", "finish_restart", "is_waiting", "on_load_timer"]

#: A master whose pair is in one of these waits after its restart instead of serving.
_WAIT = (Recovery.FAILOVER, Recovery.LOST, Recovery.WAITING)


def restart(rt: Runtime, shard: ShardState, reason: str, cause: int | None, action: str | None = None,
            loss_reason: str = "") -> ev.Event:
    """Stop a shard's process to restart it (`reason`: upgrade, recovery, cluster recovery or
    discard); a copy held only in memory is gone, and if it was the pair's last, KeysLost."""
    wipes = shard.file is None or reason == "discard"
    return rt.emit_checking_loss(ev.ShardRestartStarted, cause, shard if wipes else None,
                                 loss_reason or f"restart ({reason}) of a shard without a persistence file",
                                 shard=shard.uid, reason=reason, action=action)


def is_waiting(shard: ShardState, now: float) -> bool:
    """True when a shard's restart is over but it waits (its pair awaits a failover or recovery)."""
    return shard.status == ShardStatus.RESTARTING and shard.until is not None and shard.until <= now


def on_restart_timer(rt: Runtime, uid: int, key: int) -> None:
    """A restart's time is up (unless the shard has moved on since: a stale timer)."""
    shard = rt.state.shards[uid]
    if shard.status == ShardStatus.RESTARTING and shard.key == key:
        finish_restart(rt, shard, key)


def finish_restart(rt: Runtime, shard: ShardState, cause: int) -> None:
    """Decide what a restarted shard does now: serve, load, wait, or (a replica) sync."""
    state = rt.state
    modules, redis_version = _target(rt, shard)
    if shard.role != MASTER:
        rt.emit(ev.ShardRestarted, cause, shard=shard.uid, modules=modules, redis_version=redis_version)
        return
    pair = state.pair_of(shard)
    if pair.recovery in _WAIT:
        return  # stays `restarting`: the failover or the recovery decides (`is_waiting`)
    config = state.bdbs[shard.bdb_uid].config
    if shard.file is not None and (pair.recovery == Recovery.RECOVERING or not config.replication):
        rt.emit(ev.ShardLoadStarted, cause, shard=shard.uid, modules=modules, redis_version=redis_version,
                seconds=load_seconds(config, rt.timing, shard.bytes))
        return
    rt.emit(ev.ShardRestarted, cause, shard=shard.uid, modules=modules, redis_version=redis_version)


def on_load_timer(rt: Runtime, uid: int, key: int) -> None:
    """A load's time is up: the shard serves its file's data, or (an AOF beyond
    `max_aof_load_time`) the load fails and the shard stays down."""
    state = rt.state
    shard = state.shards[uid]
    if shard.status != ShardStatus.LOADING or shard.key != key:
        return
    config = state.bdbs[shard.bdb_uid].config
    needed = read_seconds(config, rt.timing, shard.bytes)
    if config.data_persistence == "aof" and needed > config.max_aof_load_time:
        reason = (f"AOF reload of shard {uid} needs {needed:g} s, more than max_aof_load_time "
                  f"{config.max_aof_load_time:g} s")
        failed = rt.emit(ev.ShardLoadFailed, key, shard=uid, reason=reason)
        action = state.running_action(shard.bdb_uid)
        if action is not None:
            from sim.engine.actions import fail_action
            fail_action(rt, action.uid, reason, failed.seq)
        return
    point, down_cause = file_point(config, shard, rt.env.now), state.pair_of(shard).down_cause
    loaded = rt.emit(ev.ShardLoaded, key, shard=uid)
    if point is not None:
        _count_unpersisted(rt, shard, point, loaded.seq if down_cause is None else down_cause)


def _count_unpersisted(rt: Runtime, shard: ShardState, point: float, cause: int) -> None:
    """The writes the pair acknowledged after the loaded file's point are gone (SPEC §5), once."""
    pair = rt.state.pair_of(shard)
    since, until = max(point, pair.lost_until), rt.env.now
    writes = pair.writes_per_sec * sum(rt.serving.accepted_s(uid, since, until) for uid in pair.shards)
    if writes > 0:
        rt.emit(ev.WritesLost, cause, bdb=pair.bdb_uid, pair=pair.index, shard=shard.uid, writes=writes,
                since=since, until=until,
                reason=f"loaded shard {shard.uid}'s persistence file (point t={point:g}): writes acknowledged "
                       f"after it were not in the file")


def _target(rt: Runtime, shard: ShardState) -> tuple[dict[str, str] | None, str | None]:
    """The modules and Redis version a shard runs after a restart its action started."""
    if shard.action is None:
        return None, None
    action = rt.state.actions[shard.action]
    return {**shard.modules, **action.target}, action.redis_version
