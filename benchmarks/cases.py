"""The programs measured, on one fleet: our simulator end to end, the bare SimPy floor, and the
floor's workload through the thinnest event-sourced write path; and the per-pair state changes
each wrote, read back from its output file."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.fleet import FIRST_REQUEST_AT, PAIR_BYTES, STAGGER_S, Fleet
from benchmarks.floor import FloorInput, run_floor
from benchmarks.writepath import run_write_path

__all__ = ["Outcome", "PairChanges", "run_ours", "run_bare", "run_write_path_case", "floor_input", "ours_pair_changes",
           "floor_pair_changes"]

#: Per (bdb, pair): the (t, type) of every state change written for it, in file order.
PairChanges = dict[tuple[int, int], list[tuple[float, str]]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a program did: lines (events) written, simulated seconds, and its output file."""

    events: int
    simulated_s: float
    log: Path


def run_ours(data: dict[str, Any], folder: Path) -> Outcome:
    """The simulator end to end: scenario data → validated scenario → run with the log streamed
    into `folder`/run (no plots) → summary."""
    from sim.run import run_scenario  # imported here: the floor's process never loads `sim`
    from sim.scenario import scenario_from_data

    summary = run_scenario(scenario_from_data(data), out=folder / "run", plots=False).summary
    return Outcome(summary["events"], summary["duration"], folder / "run" / "events.jsonl")


def floor_input(fleet: Fleet) -> FloorInput:
    """The floor's input for `fleet`, with the durations of the timing defaults (SPEC §6)."""
    from sim.model.timing import Timing

    timing = Timing()
    return FloorInput(fleet.databases, fleet.pairs, timing.shard_restart_s, PAIR_BYTES / timing.full_sync_bytes_per_s,
                      timing.planned_failover_s, FIRST_REQUEST_AT, STAGGER_S)


def run_bare(spec: FloorInput, folder: Path) -> Outcome:
    """The floor program, writing `folder`/floor.jsonl."""
    path = folder / "floor.jsonl"
    lines, end = run_floor(spec, path)
    return Outcome(lines, end, path)


def run_write_path_case(spec: FloorInput, folder: Path) -> Outcome:
    """The floor's workload through the write path alone, writing `folder`/writepath.jsonl."""
    path = folder / "writepath.jsonl"
    run = run_write_path(spec, path)
    return Outcome(run.changes, run.end, path)


def ours_pair_changes(log: Path) -> PairChanges:
    """The state changes of each pair in a simulator log: shard events (mapped to their pair by
    the initial snapshot) and pair events (failovers, losses)."""
    changes: PairChanges = defaultdict(list)
    with open(log, encoding="utf-8") as lines:
        next(lines)  # the header
        initial = json.loads(next(lines))["initial"]
        shards = initial["shards"]  # by column; a list of objects in format 1 (`compare.py` with older trees)
        if isinstance(shards, list):
            shards = {name: [s[name] for s in shards] for name in ("uid", "bdb_uid", "pair")}
        pair_of = {uid: (bdb, pair) for uid, bdb, pair in zip(shards["uid"], shards["bdb_uid"], shards["pair"])}
        for line in lines:
            event = json.loads(line)
            key = (event["bdb"], event["pair"]) if "pair" in event else pair_of.get(event.get("shard", -1))
            if key is not None:
                changes[key].append((event["t"], event["type"]))
    return dict(changes)


def floor_pair_changes(path: Path) -> PairChanges:
    """The state changes of each pair in the floor program's file."""
    changes: PairChanges = defaultdict(list)
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            changes[(record["bdb"], record["pair"])].append((record["t"], record["type"]))
    return dict(changes)
