"""The write path alone: the floor's workload (same processes, same timeouts) with every state
change going through the event-sourced write path DESIGN.md prescribes, at its thinnest.

`emit` stamps `seq`, `t` and `cause` on a frozen, slotted event, `apply` changes a state through
a registry with one case per event type, the event is appended to a JSON Lines log (encoded a
batch at a time, one formatted string per line) and folded by one live projection (when each
pair's master serves). Decisions stay the floor's fixed script: nothing is derived from the
state. Against the floor, this measures what event sourcing itself costs; against ours, what
our engine's state-derived decisions, the explainer, validation and outputs cost on top.
It imports nothing from `sim`.
"""
from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import simpy

from benchmarks.floor import FloorInput, Step

__all__ = ["run_write_path", "WritePathRun", "Change", "PairState", "Serving"]

Proc = Generator[simpy.Event, Any, None]


@dataclass(frozen=True, slots=True)
class Change:
    """One state change: the floor's line as an event (past-tense `type`, the pair and its shard)."""

    seq: int
    t: float
    cause: int | None
    type: str
    bdb: int
    pair: int
    shard: int


@dataclass(slots=True)
class PairState:
    """A pair: its master's uid, and which of its shards are down or out of sync."""

    master: int
    down: int | None = None
    syncing: int | None = None
    failing_over: bool = False

    @property
    def serves(self) -> bool:
        """True when the master takes writes (up, not in a failover)."""
        return self.down != self.master and not self.failing_over


def _restart_started(pair: PairState, change: Change) -> None:
    pair.down = change.shard


def _restarted(pair: PairState, change: Change) -> None:
    pair.down = None


def _sync_started(pair: PairState, change: Change) -> None:
    pair.syncing = change.shard


def _synced(pair: PairState, change: Change) -> None:
    pair.syncing = None


def _failover_started(pair: PairState, change: Change) -> None:
    pair.failing_over = True


def _failover_completed(pair: PairState, change: Change) -> None:
    pair.failing_over, pair.master = False, change.shard


_APPLY: dict[str, Callable[[PairState, Change], None]] = {
    "ShardRestartStarted": _restart_started, "ShardRestarted": _restarted, "ReplicaSyncStarted": _sync_started,
    "ReplicaSynced": _synced, "FailoverStarted": _failover_started, "FailoverCompleted": _failover_completed}


class _Log:
    """The append-only log: changes kept until a batch is full, then encoded and written at once."""

    BATCH = 1024

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.pending: list[Change] = []

    def __call__(self, change: Change, pair: PairState) -> None:
        self.pending.append(change)
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        self.out.write("".join([
            f'{{"seq":{c.seq},"t":{c.t!r},"type":"{c.type}","cause":{"null" if c.cause is None else c.cause},'
            f'"bdb":{c.bdb},"pair":{c.pair},"shard":{c.shard}}}\n' for c in self.pending]))
        self.pending.clear()


class Serving:
    """A live projection: when each pair was served — `closed` intervals (bdb, pair, from, to), and
    the start of the one still open in `since`."""

    def __init__(self) -> None:
        self.since: dict[tuple[int, int], float] = {}
        self.closed: list[tuple[int, int, float, float]] = []

    def __call__(self, change: Change, pair: PairState) -> None:
        key = (change.bdb, change.pair)
        if pair.serves:
            self.since.setdefault(key, change.t)
        elif key in self.since:
            self.closed.append((*key, self.since.pop(key), change.t))


class _Runtime:
    """Stamps, applies and fans out every change: the one way state changes."""

    def __init__(self, env: simpy.Environment, log: _Log) -> None:
        self.env, self.seq = env, 0
        self.pairs: dict[tuple[int, int], PairState] = {}
        self.serving = Serving()
        self.sinks = (log, self.serving)

    def emit(self, kind: str, cause: int | None, bdb: int, pair: int, shard: int) -> int:
        change = Change(self.seq, float(self.env.now), cause, kind, bdb, pair, shard)
        self.seq += 1
        state = self.pairs[(bdb, pair)]
        _APPLY[kind](state, change)
        for sink in self.sinks:
            sink(change, state)
        return change.seq


@dataclass(frozen=True, slots=True)
class WritePathRun:
    """What a run did: changes logged, the simulated time the last pair finished, the final state
    of every pair and the serving projection."""

    changes: int
    end: float
    pairs: dict[tuple[int, int], PairState]
    serving: Serving


def run_write_path(spec: FloorInput, path: Path) -> WritePathRun:
    """Run the floor's workload through the write path, logging to `path`."""
    env = simpy.Environment()
    steps = spec.steps()
    with open(path, "w", encoding="utf-8") as out:
        log = _Log(out)
        rt = _Runtime(env, log)
        for bdb in range(1, spec.databases + 1):
            env.process(_database(env, rt, spec, steps, bdb))
        env.run()
        log.flush()
    return WritePathRun(rt.seq, float(env.now), rt.pairs, rt.serving)


def _database(env: simpy.Environment, rt: _Runtime, spec: FloorInput, steps: tuple[Step, ...], bdb: int) -> Proc:
    yield env.timeout(spec.first_request_at + spec.stagger_s * (bdb - 1))
    first = 2 * spec.pairs * (bdb - 1) + 1  # shard uids as the simulator numbers them: master, replica
    for pair in range(spec.pairs):
        rt.pairs[(bdb, pair)] = PairState(first + 2 * pair)
        env.process(_pair(env, rt, steps, bdb, pair, first + 2 * pair))


def _pair(env: simpy.Environment, rt: _Runtime, steps: tuple[Step, ...], bdb: int, pair: int, master: int) -> Proc:
    for i, (started, ended, seconds) in enumerate(steps):
        shard = master + 1 if i < 3 else master  # the replica first (then promoted), then the old master
        cause = rt.emit(started, None, bdb, pair, shard)
        yield env.timeout(seconds)
        rt.emit(ended, cause, bdb, pair, shard)
