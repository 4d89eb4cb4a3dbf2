"""Run a simulation: build the state, play the timeline, stop at the window's end — or resume
one from a replayed prefix of its log.

The engine is a set of handlers called back by SimPy's event queue at the times the state
says work ends (a restart, a load, a sync, a failover, a detection, a replica migration, a
random fault) and at the timeline's steps. After each, `settle` re-examines what the events
changed — syncs to start, waiting restarts to finish, actions to move on — until nothing
more happens at that instant.
"""
from __future__ import annotations

import gc
from functools import partial
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sim.engine.faults import on_detect_timer, on_fault_timer, schedule_first_fault
from sim.engine.failover import on_failover_timer
from sim.engine.inputs import SimulationInput
from sim.engine.replica_ha import on_ha_timer, recheck_waiting_ha
from sim.engine.runtime import LATE, RANK, Clock, Runtime, Sink
from sim.engine.shards import finish_restart, is_waiting, on_load_timer, on_restart_timer
from sim.engine.syncs import Syncs
from sim.engine.timeline import play_step
from sim.engine.upgrade import Driver
from sim.events import apply
from sim.events import types as ev
from sim.model.build import build_state
from sim.model.snapshot import to_snapshot
from sim.model.state import SLAVE, ClusterState, ShardStatus, SyncStatus

__all__ = ["simulate", "resume", "Engine", "rare_collections", "DEFAULT_MARGIN_S"]

#: Allocations between two young-generation garbage collections during a run (Python's
#: default: 700). A run allocates events by the hundred thousand and makes almost no
#: reference cycles; at the default, collections took 20–30 % of a large run.
GC_YOUNG_THRESHOLD = 100_000

#: Without a `duration`, the window ends this long after the last action or timeline step.
DEFAULT_MARGIN_S = 60.0


def simulate(inputs: SimulationInput, sinks: Iterable[Sink], check_invariants: bool = False) -> ClusterState:
    """Run `inputs` to the end of its window, handing every event to `sinks`; returns the
    final state. Raises InputError when the cluster cannot be built (e.g. placement)."""
    with rare_collections():
        engine = Engine(inputs, sinks, check_invariants)
        try:
            engine.start()
            engine.finish(engine.window_end())
            return engine.rt.state
        finally:
            engine.close()


def resume(inputs: SimulationInput, prefix: Iterable[ev.Event], sinks: Iterable[Sink],
           check_invariants: bool = False) -> ClusterState:
    """Continue a run from a prefix of its log: the events before the prefix's last instant are
    replayed (the state, and the runtime's folds, are rebuilt from them alone); the run goes on
    from there, handing the events of that instant onwards to `sinks` — the same events the
    whole run wrote (SPEC §8: every fact the engine decides on is in the state)."""
    with rare_collections():
        engine = Engine(inputs, sinks, check_invariants)
        try:
            engine.replay(list(prefix))
            engine.finish(engine.window_end())
            return engine.rt.state
        finally:
            engine.close()


@contextmanager
def rare_collections() -> Iterator[None]:
    """Raise the collector's young-generation threshold for the block (see GC_YOUNG_THRESHOLD);
    blocks may nest."""
    previous = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


class Engine:
    """One simulation: its runtime, the handlers of timed work, and the timeline."""

    def __init__(self, inputs: SimulationInput, sinks: Iterable[Sink], check: bool = False) -> None:
        self.inputs = inputs
        self.rt = Runtime(Clock(), inputs.timing, inputs.seed, sinks, check)
        self.steps = sorted(inputs.timeline, key=lambda s: s.at)  # stable: file order within a time
        self.syncs: Syncs | None = None
        self.driver = Driver(self.rt)
        self.started: ev.SimulationStarted | None = None
        #: derived from the state (kept up to date by the reactions): actions running, nodes whose
        #: replica HA waits for a condition — read after every wake-up, so not scanned each time
        self.running: set[str] = set()
        self.ha_waiting: set[int] = set()
        self.rt.reactions = self._reactions_table()
        #: what ends a shard's restart or load (made once: asked for every restart and load)
        self._on_restart, self._on_load = partial(on_restart_timer, self.rt), partial(on_load_timer, self.rt)

    # --- starting, resuming, ending ----------------------------------------------------------

    def start(self) -> None:
        """Emit the initial state and schedule the timeline and the random faults."""
        rt, inputs = self.rt, self.inputs
        window = {"start": 0.0, "end": inputs.duration, "default_margin_s": DEFAULT_MARGIN_S}
        # `apply` builds the runtime's own state from the snapshot: the initial state is only read
        initial = inputs.initial if inputs.initial is not None else build_state(inputs.cluster, inputs.databases)
        started = rt.emit(ev.SimulationStarted, None, initial=to_snapshot(initial),
                          timing=inputs.timing.model_dump(mode="json"), window=window)
        self.started = started  # type: ignore[assignment]
        self.syncs = Syncs(rt)
        self._schedule_steps(-1.0)
        faults = inputs.random_faults
        if faults is not None:
            for node in faults.nodes or tuple(sorted(rt.state.nodes)):
                schedule_first_fault(rt, node, faults.mtbf_s, faults.mttr_s, started.seq)
        self.settle()

    def replay(self, events: list[ev.Event]) -> None:
        """Rebuild the run's state from the events before the last instant of `events`, then
        schedule again the work the state says is pending (see `resume`)."""
        if not events or events[-1].t == events[0].t:
            self.start()
            return
        last = events[-1].t
        kept = [e for e in events if e.t < last]
        rt = self.rt
        for event in kept:
            apply(rt.state, event)
            rt.serving(event, rt.state)
        rt.seq, rt.last = kept[-1].seq + 1, kept[-1]
        self.started = kept[0]  # type: ignore[assignment]
        now = kept[-1].t
        rt.env = Clock(now)
        self.syncs = Syncs(rt)
        self.syncs.rebuild()
        self.running = {uid for uid, a in rt.state.actions.items() if a.is_running}
        self.ha_waiting = {uid for uid, n in rt.state.nodes.items() if n.ha_waiting}
        self._reschedule(now)

    def window_end(self) -> float:
        """The window's end: the scenario's duration, or (none given) the end of the last
        action or timeline step plus DEFAULT_MARGIN_S, found by running until both are over."""
        if self.inputs.duration is not None:
            return self.inputs.duration
        env, state = self.rt.env, self.rt.state
        last_step = self.steps[-1].at if self.steps else 0.0
        while env.peek() != float("inf") and (env.now < last_step or env.peek() <= last_step or self.running):
            env.step()
        ended = [a.ended_at for a in state.actions.values() if a.ended_at is not None]
        return max([last_step, *ended]) + DEFAULT_MARGIN_S

    def finish(self, end: float) -> None:
        """Run to `end` (what is due at `end` still happens: the window is closed) and record
        the window's end."""
        self.advance_to(end)
        self.rt.emit(ev.SimulationEnded, None)

    def close(self) -> None:
        """Let go of everything but the state once a run is over (or has failed). The engine,
        its runtime, the clock's queue and the handlers refer to each other through bound
        methods; left as cycles, a finished run (the sinks it was given among them: a large
        run's explainer holds tens of megabytes) would live until a full collection, which a
        large run makes rarely (`rare_collections`). The engine cannot be used afterwards."""
        rt = self.rt
        rt.env._queue.clear()  # wake-ups still pending at the window's end hold handlers and the runtime
        rt.sinks, rt.last, rt._batch, rt.reactions = (), None, None, {}
        vars(self).clear()

    def run_until(self, end: float) -> None:
        """Process everything due up to and including `end`."""
        self._run(False, end, None)

    def advance_to(self, t: float, interrupted: Callable[[], bool] | None = None) -> bool:
        """Process everything due up to and including `t`, and show `t` on the clock (nothing
        is due before it any more). `interrupted` is asked between two instants: when it says
        True, time stays at the instant just done and this returns False."""
        if not self._run(False, t, interrupted):
            return False
        self.rt.env._now = t
        return True

    def run_while_busy(self, limit: float, interrupted: Callable[[], bool] | None = None) -> bool:
        """Process what is due, one instant after the other, while an action is running and
        until `limit` at most; False when `interrupted` (asked between two instants) stopped it."""
        return self._run(True, limit, interrupted)

    def _run(self, while_busy: bool, limit: float, interrupted: Callable[[], bool] | None) -> bool:
        env = self.rt.env
        while (self.running or not while_busy) and env.peek() <= limit:
            if interrupted is not None and env.peek() > env.now and interrupted():
                return False  # every event of the instant `env.now` is done: a consistent place to stop
            env.step()
        return True

    @property
    def detection_delay(self) -> float:
        """How long a node crash takes to be detected, under the cluster's sensitivity (SPEC §5)."""
        return float(getattr(self.rt.timing.failure_detection_s, self.rt.state.policy.failure_detection_sensitivity))

    # --- scheduling from the state --------------------------------------------------------------

    def _schedule_steps(self, after: float) -> None:
        for index, step in enumerate(self.steps):
            if step.at > after:
                self.rt.wake(step.at, LATE + index, self._call, play_step, self.rt, step)

    def _reschedule(self, now: float) -> None:
        """Schedule again, after a replay up to `now`, every timed work the state says is pending
        (asked in their order at each instant, as the run asked them: see `Runtime.timer`)."""
        rt, state = self.rt, self.rt.state
        for _ in range(len(state.actions)):  # action uids drawn so far
            rt.new_action_uid()
        pending: list[tuple[float, int, str, Callable[..., None], tuple[Any, ...]]] = []
        for shard in state.shards.values():
            if shard.until is not None and shard.until > now:
                kind, fn = self._shard_timer_of(shard.status, shard.sync)
                pending.append((shard.until, shard.key, kind, fn, (shard.uid, shard.key)))
        for bdb in state.bdbs.values():
            for pair in bdb.pairs:
                if pair.failover is not None:
                    key = pair.failover.key
                    pending.append((pair.failover.until, key, "failover", on_failover_timer,
                                    (rt, bdb.uid, pair.index, key)))
        delay = self.detection_delay
        faults = self.inputs.random_faults
        for uid, node in state.nodes.items():
            detect_at = node.crashed_at + delay if node.crashed_at is not None else None
            if node.crash_seq is not None and not node.detected and detect_at is not None and detect_at > now:
                pending.append((detect_at, node.crash_seq, "detect", on_detect_timer, (rt, uid, node.crash_seq)))
            if node.ha_due is not None and node.ha_due > now:
                pending.append((node.ha_due, node.ha_key, "ha", on_ha_timer, (rt, uid, node.ha_key)))
            stream = rt.stream(f"faults/node/{uid}")
            for _ in range(node.fault_draws):
                stream.random()
            if faults is not None and node.fault_at is not None and node.fault_at > now:
                pending.append((node.fault_at, node.fault_key, "fault", on_fault_timer,
                                (rt, uid, node.fault_key, faults.mtbf_s, faults.mttr_s)))
        for at, key, kind, fn, args in sorted(pending, key=lambda p: (p[0], p[1] * 8 + RANK[p[2]])):
            rt.timer(at, key, kind, self._call, fn, *args)
        self._schedule_steps(now)

    def _reactions_table(self) -> dict[type[ev.Event], Callable[[Any], None]]:
        """Event type -> what the engine does when one is emitted (`Runtime.reactions`): note what
        it may let happen next, and schedule the timed work it starts (its end is in the state
        `apply` just set). Most events need nothing."""
        pair, driver = self._recheck_pair, self._recheck_driver

        def both(event: Any) -> None:
            pair(event)
            driver(event)

        return {
            ev.ShardRestarted: both, ev.ShardLoaded: both, ev.FailoverCompleted: both,
            ev.ReplicaSyncAborted: pair, ev.PairRecoveryStarted: pair, ev.ReplicaSynced: driver,
            ev.ShardRestartStarted: self._shard_work, ev.ShardLoadStarted: self._shard_work,
            ev.ReplicaSyncStarted: self._shard_work, ev.ReplicaMigrated: self._migrated,
            ev.FailoverStarted: self._failover_started, ev.NodeCrashed: self._node_crashed,
            ev.NodeRecovered: self._ha_flag, ev.ReplicaMigrationDeferred: self._ha_deferred,
            ev.RandomFaultScheduled: self._fault_scheduled, ev.ActionStarted: self._action_started,
            ev.ActionCompleted: self._action_ended, ev.ActionFailed: self._action_ended,
        }

    # what to re-examine once the current work is done: a pair (a sync to start, a waiting restart
    # to finish) and an action's shards (done, or a failover over); no other event can change these

    def _recheck_pair(self, event: Any) -> None:
        state = self.rt.state
        if type(event) in _PAIR_EVENTS:
            self.rt.dirty_pairs[(event.bdb, event.pair)] = None
        else:
            shard = state.shards[event.shard]
            self.rt.dirty_pairs[(shard.bdb_uid, shard.pair)] = None

    def _recheck_driver(self, event: Any) -> None:
        state, dirty = self.rt.state, self.rt.dirty_shards
        if type(event) in _PAIR_EVENTS:
            bdb, uids = event.bdb, state.bdbs[event.bdb].pairs[event.pair].shards
        else:
            bdb, uids = state.shards[event.shard].bdb_uid, (event.shard,)
        mine = dirty.get(bdb)
        if mine is None:
            dirty[bdb] = dict.fromkeys(uids)
        else:
            mine.update(dict.fromkeys(uids))

    # timed work

    def _shard_work(self, event: Any) -> None:
        shard = self.rt.state.shards[event.shard]
        if shard.until is not None:
            self._on_shard_timer(shard.uid, event.seq, shard.status, shard.sync, shard.until)

    def _migrated(self, event: Any) -> None:
        self._shard_work(event)
        self._ha_flag(event)

    def _failover_started(self, event: Any) -> None:
        rt = self.rt
        run = rt.state.bdbs[event.bdb].pairs[event.pair].failover
        assert run is not None
        rt.timer(run.until, event.seq, "failover", self._call, on_failover_timer, rt, event.bdb, event.pair, event.seq)

    def _node_crashed(self, event: Any) -> None:
        rt = self.rt
        node = rt.state.nodes[event.node]
        rt.timer(event.t + self.detection_delay, event.seq, "detect", self._call, on_detect_timer, rt, node.uid,
                 event.seq)
        if node.ha_due is not None:
            rt.timer(node.ha_due, event.seq, "ha", self._call, on_ha_timer, rt, node.uid, event.seq)
        self._ha_flag(event)

    def _ha_deferred(self, event: Any) -> None:
        if event.until is not None:
            self.rt.timer(event.until, event.seq, "ha", self._call, on_ha_timer, self.rt, event.node, event.seq)
        self._ha_flag(event)

    def _fault_scheduled(self, event: Any) -> None:
        faults = self.inputs.random_faults
        assert faults is not None
        self.rt.timer(event.at, event.seq, "fault", self._call, on_fault_timer, self.rt, event.node, event.seq,
                      faults.mtbf_s, faults.mttr_s)

    # derived sets

    def _action_started(self, event: Any) -> None:
        self.rt.dirty_shards.setdefault(event.bdb, {})
        self.running.add(event.action_uid)

    def _action_ended(self, event: Any) -> None:
        self.running.discard(event.action_uid)

    def _ha_flag(self, event: Any) -> None:
        node = self.rt.state.nodes[event.from_node if type(event) is ev.ReplicaMigrated else event.node]
        if node.ha_waiting:
            self.ha_waiting.add(node.uid)
        else:
            self.ha_waiting.discard(node.uid)

    def _on_shard_timer(self, uid: int, key: int, status: str, sync: str, until: float) -> None:
        kind, fn = self._shard_timer_of(status, sync)
        self.rt.timer(until, key, kind, self._call, fn, uid, key)

    def _shard_timer_of(self, status: str, sync: str) -> tuple[str, Callable[..., None]]:
        """The kind of a shard's timed work and what ends it: `fn(uid, key)`."""
        if status == ShardStatus.RESTARTING:
            return "restart", self._on_restart
        if status == ShardStatus.LOADING:
            return "load", self._on_load
        assert sync == SyncStatus.IN_PROGRESS and self.syncs is not None
        return "sync", self.syncs.on_timer

    # --- settling an instant --------------------------------------------------------------------

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        fn(*args)
        self.settle()

    def settle(self) -> None:
        """Re-examine what the last events changed until nothing more happens now: waiting
        restarts to finish, syncs to start, actions to move on, replica HA to resume."""
        rt, state = self.rt, self.rt.state
        assert self.syncs is not None
        while True:
            while rt.dirty_pairs or rt.dirty_shards:
                pairs, rt.dirty_pairs = rt.dirty_pairs, {}
                for bdb, index in pairs:
                    self._pair_changed(state.bdbs[bdb].pairs[index])
                changed, rt.dirty_shards = rt.dirty_shards, {}
                for bdb, shards in changed.items():
                    action = state.running_action(bdb)
                    if action is not None:
                        self.driver.advance(action, shards)
            # what waits on a condition anywhere (a free sync slot, quorum, a recovered pair): idempotent
            cause = rt.last.seq if rt.last is not None else None
            if self.syncs.waiting:
                for uid in sorted(self.syncs.waiting):
                    self.syncs.maybe_sync(state.shards[uid], cause)
            if self.ha_waiting:
                recheck_waiting_ha(rt, cause)
            if not (rt.dirty_pairs or rt.dirty_shards):
                return

    def _pair_changed(self, pair: Any) -> None:
        rt, state = self.rt, self.rt.state
        now = rt.env.now
        cause = rt.last.seq if rt.last is not None else None
        shards = [state.shards[uid] for uid in pair.shards]
        for shard in shards:
            if shard.status == ShardStatus.RESTARTING and is_waiting(shard, now):
                finish_restart(rt, shard, cause)  # type: ignore[arg-type]
        assert self.syncs is not None
        for shard in shards:
            if shard.sync == SyncStatus.LINK_DOWN and shard.role == SLAVE:
                self.syncs.maybe_sync(shard, cause)


#: Events that name a pair (`bdb`, `pair`) rather than a shard.
_PAIR_EVENTS = frozenset({ev.FailoverCompleted, ev.PairRecoveryStarted})
