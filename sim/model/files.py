"""Persistence files and their points (SPEC §5 "Who holds a persistence file").

A shard's file holds the acknowledged writes up to its *point*. While the file is *live*
(its shard runs, serves as master or is in sync as replica, and its role holds files) the
point follows the clock: AOF `appendfsync-always` → now; every-sec → one second before
now; snapshot → the last multiple of a rule's `secs` from t = 0 — never before the
moment the file was last rewritten whole (its base: a full sync, a finished load, t = 0).
Otherwise the file is frozen at the point it had when it stopped being live; a graceful
stop (a restart for the upgrade) first completes it: its point is the stop time.
"""
from __future__ import annotations

from typing import Any

from sim.model.config import DatabaseSpec
from sim.model.state import MASTER, ShardState
from sim.model.timing import Timing

__all__ = ["holds_file", "live_point", "file_point", "initial_file", "read_seconds", "load_seconds"]


def holds_file(config: Any, role: str) -> bool:
    """True when a shard of this role in this database keeps a persistence file."""
    masters, replicas = config.holds_files
    return bool(masters if role == MASTER else replicas)


def live_point(config: Any, base: float, t: float) -> float:
    """The point of a live file at time t (the writes acknowledged up to it are on disk)."""
    if config.data_persistence == "aof":
        point = t if config.aof_policy == "appendfsync-always" else t - 1.0
    else:
        point = max(((t // rule.secs) * rule.secs for rule in config.snapshot_policy), default=base)
    return max(point, base)


def file_point(config: Any, shard: ShardState, t: float) -> float | None:
    """The point of a shard's file at time t, or None when it has none."""
    if shard.file is None:
        return None
    return live_point(config, shard.file, t) if shard.file_live else shard.file


def initial_file(config: Any, role: str) -> tuple[float | None, bool]:
    """`(file, file_live)` of a shard at t = 0: a live file written whole at 0 if its role holds one."""
    return (0.0, True) if holds_file(config, role) else (None, False)


def read_seconds(config: DatabaseSpec, timing: Timing, size: float) -> float:
    """How long reading a persistence file of `size` bytes takes: at the AOF or the RDB load rate."""
    return size / (timing.aof_load_bytes_per_s if config.data_persistence == "aof" else timing.rdb_load_bytes_per_s)


def load_seconds(config: DatabaseSpec, timing: Timing, size: float) -> float:
    """How long a shard's load lasts: the file's read, an AOF's cut at `max_aof_load_time` (where
    the load fails: `sim.engine.shards.on_load_timer`)."""
    seconds = read_seconds(config, timing, size)
    return min(seconds, config.max_aof_load_time) if config.data_persistence == "aof" else seconds
