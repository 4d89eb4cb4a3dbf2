"""The floor: a bare SimPy program doing the same timeouts as the simulator's upgrade of a
fleet, writing one JSON line per state change to a file, and nothing else.

Per pair (all pairs of a database at once, databases staggered): replica restart, sync,
failover, master restart, sync, second failover — 6 timeouts and 12 lines. It imports
nothing from `sim`, so its cost is SimPy's and the file's alone.
"""
from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import simpy

__all__ = ["FloorInput", "run_floor", "LINES_PER_PAIR"]

Proc = Generator[simpy.Event, Any, None]
Step = tuple[str, str, float]


@dataclass(frozen=True, slots=True)
class FloorInput:
    """The fleet and the durations (seconds) the floor program times out for."""

    databases: int
    pairs: int
    restart_s: float
    sync_s: float
    failover_s: float
    first_request_at: float
    stagger_s: float

    def steps(self) -> tuple[Step, ...]:
        """What a pair goes through: (start line, end line, seconds), replica then old master."""
        once = (("ShardRestartStarted", "ShardRestarted", self.restart_s),
                ("ReplicaSyncStarted", "ReplicaSynced", self.sync_s),
                ("FailoverStarted", "FailoverCompleted", self.failover_s))
        return once + once


#: Lines (state changes) the floor writes per pair.
LINES_PER_PAIR = 12


class _Lines:
    """Writes one JSON line per state change, numbered like the simulator's `seq`."""

    __slots__ = ("env", "out", "count")

    def __init__(self, env: simpy.Environment, out: IO[str]) -> None:
        self.env, self.out, self.count = env, out, 0

    def write(self, kind: str, bdb: int, pair: int, shard: int) -> None:
        """Append one state change at the current simulated time."""
        record = {"seq": self.count, "t": self.env.now, "type": kind, "bdb": bdb, "pair": pair, "shard": shard}
        self.out.write(json.dumps(record) + "\n")
        self.count += 1


def run_floor(spec: FloorInput, path: Path) -> tuple[int, float]:
    """Run the bare program, writing its lines to `path`; returns the number of lines and
    the simulated time at which the last pair finished."""
    env = simpy.Environment()
    steps = spec.steps()
    with open(path, "w", encoding="utf-8") as out:
        lines = _Lines(env, out)
        for bdb in range(1, spec.databases + 1):
            env.process(_database(env, lines, spec, steps, bdb))
        env.run()
    return lines.count, float(env.now)


def _database(env: simpy.Environment, lines: _Lines, spec: FloorInput, steps: tuple[Step, ...], bdb: int) -> Proc:
    yield env.timeout(spec.first_request_at + spec.stagger_s * (bdb - 1))
    first = 2 * spec.pairs * (bdb - 1) + 1  # shard uids as the simulator numbers them: master, replica
    for pair in range(spec.pairs):
        env.process(_pair(env, lines, steps, bdb, pair, first + 2 * pair))


def _pair(env: simpy.Environment, lines: _Lines, steps: tuple[Step, ...], bdb: int, pair: int,
          master: int) -> Proc:
    for i, (started, ended, seconds) in enumerate(steps):
        shard = master + 1 if i < 3 else master  # the replica first, then the old master
        lines.write(started, bdb, pair, shard)
        yield env.timeout(seconds)
        lines.write(ended, bdb, pair, shard)
