"""The write path: `Runtime.emit` stamps, applies, checks and fans out every event.

It also owns the run's clock (a SimPy environment), its named random streams, and the
registries that let a crash interrupt exactly the processes that depend on a shard.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Generator, Iterable
from typing import Any

import simpy

from sim.engine.serving import ServingHistory
from sim.events import apply, check_invariants, check_order
from sim.events.types import Event, KeysLost
from sim.model.state import ClusterState, ShardState
from sim.model.timing import Timing

__all__ = ["Runtime", "Sink"]

#: A consumer of the event stream: the log writer, the projections. Called after `apply`.
Sink = Callable[[Event, ClusterState], None]
Proc = Generator[simpy.Event, Any, Any]


class Runtime:
    """Everything a process needs: the clock, the state, `emit`, random streams, registries."""

    def __init__(self, env: simpy.Environment, timing: Timing, seed: int, sinks: Iterable[Sink],
                 check: bool = False) -> None:
        self.env = env
        self.timing = timing
        self.seed = seed
        self.state = ClusterState()
        #: when each master accepted writes (for lost-write windows); fed first, like a sink
        self.serving = ServingHistory()
        self.sinks = (self.serving, *sinks)
        self.check = check
        self.seq = 0
        self.last: Event | None = None
        self._streams: dict[str, random.Random] = {}
        #: processes to interrupt when a shard dies (insertion-ordered, so deterministic)
        self.watchers: dict[int, dict[simpy.Process, None]] = {}
        #: the process currently driving a shard's restart, load or sync
        self.driver: dict[int, simpy.Process] = {}
        #: running failover process per (bdb, pair)
        self.failovers: dict[tuple[int, int], simpy.Process] = {}
        #: action uid -> its process, and an event that fires when it ends
        self.actions: dict[str, simpy.Process] = {}
        self.action_done: dict[str, simpy.Event] = {}
        self.last_action_end = 0.0
        #: shard uid -> (t, seq) of the crash that killed it; masters awaiting a failover
        self.died: dict[int, tuple[float, int]] = {}
        self.needs_failover: dict[int, None] = {}
        #: shard uid -> last time its data was fully on disk (a graceful stop, a finished load)
        self.persisted_at: dict[int, float] = {}
        #: nodes whose failure the cluster has noticed; crash count per node; events that
        #: fire when a crash is noticed and when quorum returns
        self.detected: set[int] = set()
        self.node_epoch: dict[int, int] = {}
        self.noticed: dict[int, simpy.Event] = {}
        self.quorum_back: simpy.Event | None = None
        self._slots: dict[tuple[str, int], simpy.Resource] = {}
        #: timeouts started at `_sleeps_at`, by delay (see `sleep`)
        self._sleeps: dict[float, simpy.Timeout] = {}
        self._sleeps_at = -1.0

    # --- the write path ---------------------------------------------------------------

    def emit(self, cls: type[Event], cause: int | None, /, **payload: Any) -> Event:
        """Create the event at the current time, apply it, check it, and hand it to the sinks."""
        event = cls(self.seq, float(self.env.now), cause, **payload)  # type: ignore[call-arg]
        self.seq += 1
        apply(self.state, event)
        if self.check:
            check_order(self.last, event)
            check_invariants(self.state, event)
        for sink in self.sinks:
            sink(event, self.state)
        self.last = event
        return event

    def emit_checking_loss(self, cls: type[Event], cause: int | None, holder: ShardState | None, reason: str,
                           /, **payload: Any) -> Event:
        """Emit an event that may wipe `holder`'s copy of a pair's data; if it was the last copy,
        emit `KeysLost` for what the pair held (SPEC §5: lost when the last copy is gone).
        `holder` None: the caller knows that this event wipes nothing (a plain `emit`)."""
        if holder is None:
            return self.emit(cls, cause, **payload)
        pair = self.state.pair_of(holder)
        keys, bytes_ = self.state.pair_keys(pair)
        event = self.emit(cls, cause, **payload)
        if (keys or bytes_) and self.state.pair_keys(pair) == (0, 0):
            self.emit(KeysLost, event.seq, bdb=pair.bdb_uid, pair=pair.index, shard=holder.uid,
                      keys=keys, bytes=bytes_, reason=reason)
        return event

    # --- randomness and ids -------------------------------------------------------------

    def stream(self, name: str) -> random.Random:
        """A random stream of its own per name, so adding one consumer shifts no other draw."""
        if name not in self._streams:
            self._streams[name] = random.Random(f"{self.seed}/{name}")
        return self._streams[name]

    def new_action_uid(self) -> str:
        """A UUID-shaped action uid drawn from the run's `ids` stream (deterministic per seed)."""
        return str(uuid.UUID(int=self.stream("ids").getrandbits(128), version=4))

    # --- processes and the shards they depend on --------------------------------------

    def sleep(self, delay: float) -> simpy.Timeout:
        """A timeout of `delay` seconds, shared by every process that asks for the same delay at
        the same instant (a phase's shards restart, reload and sync together): one SimPy event
        instead of one per shard, and a queue as short as the number of distinct wake-ups.

        Sharers wake one after the other in the order they first asked, all before anything the
        first of them starts at that instant (with a timeout each, such a new process would run
        in between); a process interrupted and asking again at the same instant rejoins the
        timeout already there. Rule for callers: the code a sharer runs on waking must not
        interrupt another process directly (SimPy hands a fired event's waiters over at once, so
        a sharer interrupted by an earlier one would still run its own wake-up code first); it
        may start processes, which run after every sharer."""
        now = self.env.now
        if now != self._sleeps_at:
            self._sleeps.clear()
            self._sleeps_at = now
        timer = self._sleeps.get(delay)
        if timer is None or timer.callbacks is None:  # none yet, or a zero delay already over
            timer = self._sleeps[delay] = self.env.timeout(delay)
        return timer

    def start(self, generator: Proc) -> simpy.Process:
        """Start a process."""
        return self.env.process(generator)

    def watch(self, process: simpy.Process, *shards: int) -> None:
        """Interrupt `process` if any of `shards` dies."""
        watchers = self.watchers
        for uid in shards:
            mine = watchers.get(uid)
            if mine is None:
                watchers[uid] = {process: None}
            else:
                mine[process] = None

    def unwatch(self, process: simpy.Process, *shards: int) -> None:
        """Stop watching `shards` for `process`."""
        watchers = self.watchers
        for uid in shards:
            mine = watchers.get(uid)
            if mine is not None:
                mine.pop(process, None)

    def interrupt_dependents(self, shards: Iterable[int], cause: int) -> None:
        """Interrupt, once each and in a deterministic order, every process watching `shards`."""
        victims: dict[simpy.Process, None] = {}
        for uid in shards:
            victims.update(self.watchers.pop(uid, {}))
        for process in victims:
            self.interrupt(process, cause)

    def interrupt(self, process: simpy.Process, cause: object) -> None:
        """Interrupt a process unless it has ended or is the one running now."""
        if process.is_alive and process is not self.env.active_process:
            process.interrupt(cause)

    def slot(self, kind: str, node: int, capacity: int) -> simpy.Resource | None:
        """A per-node limit (`kind` = syncs into, or forks on, the node); None when unlimited."""
        if capacity <= 0:
            return None
        key = (kind, node)
        if key not in self._slots:
            self._slots[key] = simpy.Resource(self.env, capacity)
        return self._slots[key]
