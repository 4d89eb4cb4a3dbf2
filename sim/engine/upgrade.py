"""The `SMUpgradeBDB` action: a module upgrade run phase by phase for the whole database.

States (vendor names around ours): init → check_slaves → prepare → upgrade_replicas →
failover → upgrade_masters → wait_for_version → second_failover (with `preserve_roles`)
→ completed; a non-replicated database runs restart_shards instead of the three middle
phases. At most `parallel_shards_upgrade` shards are upgraded at a time, in ascending
shard uid; a shard counts from its stop until it serves again (SPEC §3).
"""
from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import nullcontext
from typing import Any

import simpy

from sim.engine.actions import end_action, fail_action, set_action_state
from sim.engine.failover import fail_over
from sim.engine.runtime import Runtime
from sim.engine.shards import drive, restart_shard, sync_replica
from sim.events import types as ev
from sim.model.state import ActionState, BdbState, ShardState

__all__ = ["run_action"]

Proc = Generator[simpy.Event, Any, Any]


#: `_shard_step`'s turn when `parallel_shards_upgrade` is 0 (all at once): nothing to wait for
_UNLIMITED = nullcontext()


class _Stop(Exception):
    """The action failed; its failure is already recorded."""


def run_action(rt: Runtime, action_uid: str, cause: int) -> Proc:
    """The action's process; ends quietly when a fault fails it (the fault records why)."""
    try:
        yield from _run(rt, rt.state.actions[action_uid], cause)
    except (simpy.Interrupt, _Stop):
        pass
    finally:
        end_action(rt, action_uid)


def _run(rt: Runtime, action: ActionState, cause: int) -> Proc:
    if not action.is_running:  # failed before its process started (a fault at the same instant)
        return
    bdb = rt.state.bdbs[action.bdb_uid]
    seq = set_action_state(rt, action.uid, "check_slaves", cause)
    problem = _check_shards(rt, bdb)
    if problem:
        _fail(rt, action, problem, seq)
    seq = set_action_state(rt, action.uid, "prepare", seq)
    plan = _Plan(rt, action)
    if bdb.config.replication:
        seq = yield from _restart_phase(rt, plan, bdb, "upgrade_replicas", "slave", seq)
        seq = yield from _failover_phase(rt, plan, bdb, "failover", seq,
                                         lambda p: not plan.done(rt.state.master_of(p)))
        seq = yield from _restart_phase(rt, plan, bdb, "upgrade_masters", "slave", seq)
    else:
        seq = yield from _restart_phase(rt, plan, bdb, "restart_shards", "master", seq)
    seq = set_action_state(rt, action.uid, "wait_for_version", seq)
    laggards = [s.uid for s in _shards(rt, bdb) if not _on_target(s, plan.target)]
    if laggards:
        _fail(rt, action, f"shards {laggards} are not on the new module version", seq)
    if action.preserve_roles and bdb.config.replication:
        originals = action.original_masters
        seq = yield from _failover_phase(rt, plan, bdb, "second_failover", seq,
                                         lambda p: rt.state.master_of(p).uid != originals[p.index])
    rt.emit(ev.ActionCompleted, seq, action_uid=action.uid)


class _Plan:
    """Which shards this action has upgraded. A fresh action restarts every shard (even onto
    the same version); a retry of a failed action skips those already on the new version."""

    def __init__(self, rt: Runtime, action: ActionState) -> None:
        self.rt, self.action = rt, action
        self.target = {m["module_name"]: m["to_uid"] for m in action.modules}
        self.restarted: set[int] = set()

    def done(self, shard: ShardState) -> bool:
        """True when the shard runs the new version thanks to this action (or its failed predecessor)."""
        return shard.uid in self.restarted or (self.action.retry_of is not None and _on_target(shard, self.target))

    def needs_work(self, shard: ShardState) -> bool:
        """True when the shard must be restarted, or (already done) re-synced or reloaded."""
        if not self.done(shard):
            return True
        if shard.role == "slave":
            return not self.rt.state.is_in_sync(shard)
        return shard.status != "ok"


def _restart_phase(rt: Runtime, plan: _Plan, bdb: BdbState, name: str, role: str, cause: int) -> Proc:
    """Restart (or re-sync) every shard of `role` that is not yet serving on the target version."""
    seq = set_action_state(rt, plan.action.uid, name, cause)
    todo = sorted((s for s in _shards(rt, bdb) if s.role == role and plan.needs_work(s)), key=lambda s: s.uid)
    if not todo:
        return seq
    parallel = rt.state.policy.parallel_shards_upgrade
    limiter = simpy.Resource(rt.env, parallel) if parallel > 0 else None
    steps = [rt.start(_shard_step(rt, plan, shard, limiter, seq)) for shard in todo]
    yield simpy.AllOf(rt.env, steps)
    _check_running(plan.action)
    return seq


def _shard_step(rt: Runtime, plan: _Plan, shard: ShardState, limiter: simpy.Resource | None, cause: int) -> Proc:
    action = plan.action
    with limiter.request() if limiter is not None else _UNLIMITED as turn:
        if turn is not None:
            yield turn
        if not action.is_running:
            return
        current = rt.driver.get(shard.uid)
        if plan.done(shard) and current is not None and current.is_alive:
            yield current  # join the restart, reload or sync already under way (a retry)
            if not plan.needs_work(shard) or not action.is_running:
                return
        if shard.role == "slave" and plan.done(shard):  # upgraded already, only out of sync
            problem = yield from drive(rt, shard.uid, sync_replica(rt, shard, cause))
        else:
            modules = None if plan.done(shard) else {**shard.modules, **plan.target}
            plan.restarted.add(shard.uid)
            config = rt.state.bdbs[shard.bdb_uid].config
            discard = "" if config.replication or config.is_persistent else \
                "discarded by the upgrade (may_discard_data: no replication, no persistence)"
            problem = yield from restart_shard(rt, shard.uid, "upgrade", cause, modules, loss_reason=discard)
        if problem and action.is_running:
            fail_action(rt, action.uid, problem, rt.last.seq if rt.last else cause)


def _failover_phase(rt: Runtime, plan: _Plan, bdb: BdbState, name: str, cause: int,
                    wanted: Callable[[Any], bool]) -> Proc:
    """Fail over, all at the same time, every pair `wanted` selects."""
    action = plan.action
    seq = set_action_state(rt, action.uid, name, cause)
    pairs = [p for p in bdb.pairs if len(p.shards) == 2 and wanted(p)]
    for pair in pairs:
        master = rt.state.master_of(pair)
        replica = rt.state.partner_of(master)
        if master.status != "ok" or replica is None or not rt.state.is_in_sync(replica):
            _fail(rt, action, f"pair {pair.index}: master {master.uid} or its replica is not ready to fail over",
                  seq)
    if not pairs:
        return seq
    problems = yield rt.start(fail_over(rt, pairs, planned=True, cause=seq))
    _check_running(action)
    if problems:
        _fail(rt, action, problems[0], seq)
    return seq


def _check_shards(rt: Runtime, bdb: BdbState) -> str | None:
    for shard in _shards(rt, bdb):
        if rt.state.nodes[shard.node_uid].status != "active":
            return f"shard {shard.uid} ({shard.role}) is on down node {shard.node_uid}"
        if shard.role == "master" and bdb.config.replication and shard.status != "ok":
            return f"master shard {shard.uid} is {shard.status}"
    return None


def _on_target(shard: ShardState, target: dict[str, str]) -> bool:
    modules = shard.modules
    for name, uid in target.items():  # a loop, not all(genexpr): this runs for every shard
        if modules.get(name) != uid:
            return False
    return True


def _shards(rt: Runtime, bdb: BdbState) -> list[ShardState]:
    return [rt.state.shards[uid] for pair in bdb.pairs for uid in pair.shards]


def _check_running(action: ActionState) -> None:
    """Stop here if a fault failed the action while this phase waited."""
    if not action.is_running:
        raise _Stop(f"action {action.uid} is {action.status}")


def _fail(rt: Runtime, action: ActionState, reason: str, cause: int) -> None:
    fail_action(rt, action.uid, reason, cause)
    raise _Stop(reason)
