"""The write path and the clock: `Runtime.emit` stamps, applies, checks and fans out every
event; `Runtime.wake` schedules the engine's timed work on SimPy's event queue.

The engine keeps no fact of its own: what a shard, pair, node or action is doing, and
until when, is in the state (`sim.model.state`), set by `apply` from the events. Every
timed wake-up follows from the state — its time and its order among wake-ups at one
instant (the seq of the event that started the work) — so a run can be resumed from a
replayed prefix of its log by scheduling again what the state says is pending.
"""
from __future__ import annotations

import random
import uuid
from heapq import heappush
from collections.abc import Callable, Iterable
from typing import Any

import simpy

from sim.engine.serving import ServingHistory
from sim.events import FileInvariants, apply, check_invariants, check_order
from sim.events.types import Event, KeysLost
from sim.model.state import ClusterState, ShardState
from sim.model.timing import Timing

__all__ = ["Clock", "Runtime", "Sink", "RANK", "LATE"]

#: A consumer of the event stream: the log writer, the projections. Called after `apply`.
Sink = Callable[[Event, ClusterState], None]

#: Order of the kinds of wake-up started by one event (an event starts at most one of each).
RANK = {"restart": 0, "load": 1, "sync": 2, "failover": 3, "detect": 4, "ha": 5, "fault": 6}
#: Timeline steps come after every other wake-up due at their instant (and its consequences),
#: in file order: their priority is LATE + the step's index.
LATE = 1 << 60


class Clock(simpy.Environment):
    """SimPy's environment, scheduling at absolute times: a wake-up due at `at` happens at
    exactly `at` (now + (at - now) can differ from `at` in floating point)."""

    def schedule_at(self, event: simpy.Event, priority: int, at: float) -> None:
        """Schedule `event` at time `at` (not before now)."""
        queue: list[Any] = self._queue
        heappush(queue, (max(at, self._now), priority, next(self._eid), event))


class _Wake(simpy.Event):
    """A SimPy event that calls the engine back when it is processed (no process, no generator:
    the engine's work is a function of the state): one call, or a batch of timers (`timer`)."""

    def __init__(self, env: simpy.Environment, calls: list[tuple[Callable[..., None], tuple[Any, ...]]],
                 at: float = 0.0, rank: int = -1) -> None:
        self.env = env
        # the function, not a bound method: SimPy calls it with this event, and a wake-up still
        # pending when a run ends is no reference cycle (one would keep the whole run alive)
        self.callbacks = [_Wake._fire]
        self._value = None
        self._ok = True
        self.calls, self.at, self.rank = calls, at, rank

    def _fire(self) -> None:
        for fn, args in self.calls:  # none joins once it fires: SimPy sets `callbacks` to None first
            fn(*args)


class Runtime:
    """Everything the engine's handlers need: the clock, the state, `emit`, random streams, and
    the changes still to settle after the current wake-up."""

    def __init__(self, env: Clock, timing: Timing, seed: int, sinks: Iterable[Sink],
                 check: bool = False) -> None:
        self.env = env
        self.timing = timing
        self.seed = seed
        self.state = ClusterState()
        #: when each master accepted writes (for lost-write windows); fed first, like a sink
        self.serving = ServingHistory()
        self.sinks: tuple[Sink, ...] = (self.serving, *sinks)
        self.check = check
        self.files = FileInvariants()
        self.seq = 0
        self.last: Event | None = None
        self._streams: dict[str, random.Random] = {}
        #: pairs and databases' shards to re-examine once the current work is done (insertion-ordered:
        #: deterministic), noted by the engine's `reactions`, which also schedule timed work
        self.dirty_pairs: dict[tuple[int, int], None] = {}
        self.dirty_shards: dict[int, dict[int, None]] = {}
        #: the last timer asked, while it may still take the next one (see `timer`)
        self._batch: _Wake | None = None
        #: event type -> what the engine does once one is emitted and applied (most types: nothing)
        self.reactions: dict[type[Event], Callable[[Any], None]] = {}

    # --- the write path ---------------------------------------------------------------

    def emit(self, cls: type[Event], cause: int | None, /, **payload: Any) -> Event:
        """Create the event at the current time, apply it, check it, hand it to the sinks, and
        note what it may have changed."""
        event = cls(self.seq, float(self.env.now), cause, **payload)
        self.seq += 1
        state = self.state
        apply(state, event)
        if self.check:
            check_order(self.last, event)
            check_invariants(state, event)
            self.files(state, event)
        for sink in self.sinks:
            sink(event, state)
        self.last = event
        reaction = self.reactions.get(cls)
        if reaction is not None:
            reaction(event)
        return event

    def emit_checking_loss(self, cls: type[Event], cause: int | None, holder: ShardState | None, reason: str,
                           /, **payload: Any) -> Event:
        """Emit an event that may wipe `holder`'s copy of a pair's data; if it was the last copy,
        emit `KeysLost` for what the pair held (SPEC §5: lost when the last copy is gone)."""
        if holder is None:
            return self.emit(cls, cause, **payload)
        pair = self.state.pair_of(holder)
        keys, bytes_ = self.state.pair_keys(pair)
        event = self.emit(cls, cause, **payload)
        if (keys or bytes_) and self.state.pair_keys(pair) == (0, 0):
            self.emit(KeysLost, event.seq, bdb=pair.bdb_uid, pair=pair.index, shard=holder.uid,
                      keys=keys, bytes=bytes_, reason=reason)
        return event

    # --- the clock ----------------------------------------------------------------------

    def wake(self, at: float, priority: int, fn: Callable[..., None], *args: Any) -> None:
        """Call `fn(*args)` at time `at` (never before now); among calls due at one instant,
        the lower `priority` first."""
        self._batch = None
        self.env.schedule_at(_Wake(self.env, [(fn, args)]), priority, at)

    def timer(self, at: float, key: int, kind: str, fn: Callable[..., None], *args: Any) -> None:
        """Timed work started by the event of seq `key` (see RANK).

        Timers asked one right after the other for the same time and kind (a phase's restarts, a
        database's syncs) share one entry of SimPy's queue and run in the order asked: that is
        their order by `key` (a timer is asked when its event is emitted), and no other timer can
        fall between them, since none was asked in between. Keeps the queue short."""
        rank = RANK[kind]
        batch = self._batch
        if batch is not None and batch.callbacks is not None and batch.at == at and batch.rank == rank:
            batch.calls.append((fn, args))
            return
        batch = self._batch = _Wake(self.env, [(fn, args)], at, rank)
        self.env.schedule_at(batch, key * 8 + rank, at)

    # --- randomness and ids -------------------------------------------------------------

    def stream(self, name: str) -> random.Random:
        """A random stream of its own per name, so adding one consumer shifts no other draw."""
        if name not in self._streams:
            self._streams[name] = random.Random(f"{self.seed}/{name}")
        return self._streams[name]

    def new_action_uid(self) -> str:
        """A UUID-shaped action uid drawn from the run's `ids` stream (deterministic per seed)."""
        return str(uuid.UUID(int=self.stream("ids").getrandbits(128), version=4))
