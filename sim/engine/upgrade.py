"""The `SMUpgradeBDB` action, driven phase by phase for the whole database from the state.

Our phases (the vendor's state names in `actions.PHASES`): check_slaves → upgrade_replicas →
failover → failover_done → upgrade_masters → check_version → second_failover (with
`preserve_roles`) → configure_shards → completed; a non-replicated database runs
restart_shards, a `force_discard` discard_shards, instead of the middle phases. At most
P = `parallel_shards_upgrade` shards are upgraded at a time, in ascending shard uid; a shard
counts from its stop until it serves again, loaded or in sync (SPEC §3). A fresh action
restarts every shard (even onto the same version); a retry of a failed action skips those
already on the target and waits for those still reloading or re-syncing.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sim.engine.actions import fail_action, set_phase
from sim.engine.failover import start_failovers
from sim.engine.runtime import Runtime
from sim.engine.shards import restart
from sim.events import types as ev
from sim.model.state import MASTER, SLAVE, ActionState, BdbState, NodeStatus, ShardState, ShardStatus

__all__ = ["Driver"]

#: Phases that restart shards: the role they restart (None: every shard) and the restart's reason.
_RESTARTS = {"upgrade_replicas": (SLAVE, "upgrade"), "upgrade_masters": (SLAVE, "upgrade"),
             "restart_shards": (MASTER, "upgrade"), "discard_shards": (None, "discard")}
_FAILOVERS = ("failover", "second_failover")


@dataclass(slots=True)
class _Run:
    """What the current phase of an action still waits for (derived from the state)."""

    phase: str
    queue: list[int] = field(default_factory=list)       # not yet started, in uid order (reversed)
    in_flight: set[int] = field(default_factory=set)     # started, not yet serving again
    remaining: set[int] = field(default_factory=set)     # shard uids, or pair indexes (failovers)


class Driver:
    """Moves running actions on when the shards of their database change."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.runs: dict[str, _Run] = {}

    def advance(self, action: ActionState, changed: Iterable[int] = ()) -> None:
        """Take note of the shards that changed, start what may start, enter the next phases."""
        run = self.runs.get(action.uid)
        if run is not None and run.phase == action.phase:
            self._note(action, run, changed)
            if run.remaining and not run.queue:  # the common case: still waiting, nothing to start
                return
        while action.is_running:
            run = self.runs.get(action.uid)
            if run is None or run.phase != action.phase:
                run = self.runs[action.uid] = self._build(action)
            if action.phase in _RESTARTS:
                self._start_more(action, run)
            if run.remaining:
                return
            self._next(action)
        self.runs.pop(action.uid, None)

    # --- phases ---------------------------------------------------------------------------

    def _next(self, action: ActionState) -> None:
        """Leave the current phase (its work is done) for the next one."""
        rt, bdb = self.rt, self.rt.state.bdbs[action.bdb_uid]
        cause = rt.last.seq if rt.last is not None else None
        phase = action.phase
        if phase == "init" and not action.restart:
            rt.emit(ev.ActionCompleted, cause, action_uid=action.uid)  # nothing changes: done at once
            return
        following = _following(action, bdb)
        if following == "completed":
            rt.emit(ev.ActionCompleted, cause, action_uid=action.uid)
            return
        seq = set_phase(rt, action.uid, following, cause)
        problem = self._check(action, bdb, following)
        if problem:
            fail_action(rt, action.uid, problem, seq)
        elif following in _FAILOVERS:
            start_failovers(rt, [bdb.pairs[i] for i in sorted(self._wanted(action, bdb, following))],
                            planned=True, cause=seq)

    def _check(self, action: ActionState, bdb: BdbState, phase: str) -> str | None:
        """Why the action cannot go on at the start of `phase`, if it cannot."""
        state = self.rt.state
        if phase == "check_slaves":
            for shard in _shards(state, bdb):
                if state.nodes[shard.node_uid].status != NodeStatus.ACTIVE:
                    return f"shard {shard.uid} ({shard.role}) is on down node {shard.node_uid}"
                if shard.role == MASTER and bdb.config.replication and shard.status != ShardStatus.OK:
                    return f"master shard {shard.uid} is {shard.status}"
        elif phase == "check_version":
            laggards = [s.uid for s in _shards(state, bdb) if not _on_target(s, action)]
            if laggards:
                return f"shards {laggards} are not on the new version"
        elif phase in _FAILOVERS:
            for index in sorted(self._wanted(action, bdb, phase)):
                pair = bdb.pairs[index]
                master = state.master_of(pair)
                replica = state.partner_of(master)
                if master.status != ShardStatus.OK or replica is None or not state.is_in_sync(replica):
                    return f"pair {pair.index}: master {master.uid} or its replica is not ready to fail over"
        return None

    def _build(self, action: ActionState) -> _Run:
        """What the action's current phase still waits for, read from the state."""
        state = self.rt.state
        bdb = state.bdbs[action.bdb_uid]
        run = _Run(action.phase)
        if action.phase in _RESTARTS:
            role = _RESTARTS[action.phase][0]
            todo = [s for s in _shards(state, bdb) if (role is None or s.role == role) and self._needs_work(action, s)]
            run.remaining = {s.uid for s in todo}
            run.in_flight = {s.uid for s in todo if _done(action, s)}
            run.queue = sorted((s.uid for s in todo if not _done(action, s)), reverse=True)
        elif action.phase in _FAILOVERS:
            run.remaining = {p.index for p in bdb.pairs if p.failover is not None and p.failover.planned}
        return run

    def _note(self, action: ActionState, run: _Run, changed: Iterable[int]) -> None:
        """Shards that changed since: those now serving again leave the phase's work."""
        state = self.rt.state
        if action.phase in _RESTARTS:
            for uid in changed:
                if uid in run.remaining and not self._needs_work(action, state.shards[uid]):
                    run.remaining.discard(uid)
                    run.in_flight.discard(uid)
        elif action.phase in _FAILOVERS:
            pairs = state.bdbs[action.bdb_uid].pairs
            for uid in changed:
                index = state.shards[uid].pair
                if index in run.remaining and pairs[index].failover is None:
                    run.remaining.discard(index)

    def _start_more(self, action: ActionState, run: _Run) -> None:
        """Restart the next shards in uid order while fewer than P are under way."""
        rt, state = self.rt, self.rt.state
        limit = action.parallel if action.parallel is not None else state.policy.parallel_shards_upgrade
        role, reason = _RESTARTS[action.phase]
        config = state.bdbs[action.bdb_uid].config
        loss = ("discarded by force_discard" if reason == "discard" else
                "" if config.replication or config.is_persistent else
                "discarded by the upgrade (may_discard_data: no replication, no persistence)")
        cause = rt.last.seq if rt.last is not None else None
        while run.queue and (limit <= 0 or len(run.in_flight) < limit) and action.is_running:
            shard = state.shards[run.queue.pop()]
            run.in_flight.add(shard.uid)
            restart(rt, shard, reason, cause, action=action.uid, loss_reason=loss)

    def _needs_work(self, action: ActionState, shard: ShardState) -> bool:
        """True when a shard must still be restarted, or (done already) reload or re-sync."""
        if not _done(action, shard):
            return True
        if shard.role == SLAVE:
            return not self.rt.state.is_in_sync(shard)
        return shard.status != ShardStatus.OK or self.rt.state.nodes[shard.node_uid].status != NodeStatus.ACTIVE

    def _wanted(self, action: ActionState, bdb: BdbState, phase: str) -> set[int]:
        """Pairs a failover phase fails over: after the replicas' phase, those whose master is not
        upgraded yet; for preserve_roles, those whose master is not the original one."""
        state, wanted = self.rt.state, set()
        for pair in bdb.pairs:
            if len(pair.shards) != 2:
                continue
            master = state.master_of(pair)
            if (phase == "failover" and not _done(action, master)) or \
                    (phase == "second_failover" and master.uid != action.original_masters[pair.index]):
                wanted.add(pair.index)
        return wanted


def _following(action: ActionState, bdb: BdbState) -> str:
    """The phase after the action's current one."""
    if action.force_discard:
        order = ["init", "check_slaves", "discard_shards", "check_version", "configure_shards", "completed"]
    elif bdb.config.replication:
        order = ["init", "check_slaves", "upgrade_replicas", "failover", "failover_done", "upgrade_masters",
                 "check_version", *(["second_failover"] if action.preserve_roles else []), "configure_shards",
                 "completed"]
    else:
        order = ["init", "check_slaves", "restart_shards", "check_version", "configure_shards", "completed"]
    return order[order.index(action.phase) + 1]


def _done(action: ActionState, shard: ShardState) -> bool:
    """True when the shard was restarted by this action (or, for a retry, is on the target)."""
    if shard.uid in action.restarted:
        return True
    return action.retry_of is not None and not action.force_discard and _on_target(shard, action)


def _on_target(shard: ShardState, action: ActionState) -> bool:
    modules = shard.modules
    for plan in action.modules:  # a loop, not all(genexpr): this runs for every shard
        if modules.get(plan["module_name"]) != plan["to_uid"]:
            return False
    return action.redis_version is None or shard.redis_version == action.redis_version


def _shards(state: object, bdb: BdbState) -> list[ShardState]:
    shards = state.shards  # type: ignore[attr-defined]
    return [shards[uid] for pair in bdb.pairs for uid in pair.shards]
