"""Shrink speed: how long `upgrade-sim shrink` takes on a 20-node, 5-database scenario under random
faults, how many runs it makes, and runs per second against plain runs of the same scenario.
`measure()` returns a markdown section (`make bench`); `python benchmarks/bench_shrink.py` prints it.

The scenario (`scenario_data(seed)`): 20 nodes in 3 racks; 5 replicated AOF databases of 3
pairs each, sparse placement, 1 GB and 1,000 writes/s each; a preserve_roles upgrade of each,
10 s apart from t=10; random faults on every node (mean 900 s between failures, 60 s to
recover) over a 900 s window; every database expects no key lost and at most 5,000 writes lost
(more than the replication lag of a few unplanned failovers: a crash in a window of vulnerability).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: import the harness as the `benchmarks` package
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from sim.run import run_scenario  # noqa: E402
from sim.scenario import scenario_from_data  # noqa: E402
from sim.shrink import NothingToShrink, shrink  # noqa: E402

__all__ = ["scenario_data", "measure", "SEEDS"]

OLD = "5d2c0e51f7a340c0a1c9b1b6e8c2f111"
NEW = "aa3648d79bd4082d414587c42ea0b234"
CAPS = ["types", "failover_migrate", "persistence_aof", "persistence_rdb", "clustering", "eviction_expiry"]
#: Seeds measured (those whose run fails are shrunk).
SEEDS = tuple(range(1, 11))


def scenario_data(seed: int) -> dict[str, Any]:
    """The benchmark's scenario with `seed`."""
    upgrade = {"modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1", "new_module": NEW}],
               "preserve_roles": True}
    return {
        "name": "shrink-bench", "seed": seed, "duration": 900,
        "cluster": {"nodes": [{"uid": i, "rack_id": f"az{i % 3 + 1}"} for i in range(1, 21)],
                    "policy": {"slave_ha_grace_period": 300},
                    "modules": [
                        {"uid": OLD, "module_name": "ReJSON", "semantic_version": "2.2.1", "capabilities": CAPS},
                        {"uid": NEW, "module_name": "ReJSON", "semantic_version": "2.2.2", "capabilities": CAPS}]},
        "databases": [{"uid": uid, "name": f"db{uid}", "replication": True, "data_persistence": "aof",
                       "shards_count": 3, "shards_placement": "sparse",
                       "dataset": {"bytes": "1GB", "keys": 1_000_000},
                       "workload": {"reads_per_sec": 1000, "writes_per_sec": 1000},
                       "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}]} for uid in range(1, 6)],
        "timeline": [{"at": 10 * uid, "request": {"path": f"/v1/bdbs/{uid}/modules/upgrade", "body": upgrade}}
                     for uid in range(1, 6)],
        "faults": {"random": {"mtbf_s": 900, "mttr_s": 60}},
        "expect": {"databases": {uid: {"keys_lost_max": 0, "writes_lost_max": 5000} for uid in range(1, 6)}},
    }


def _plain_rate(data: dict[str, Any], runs: int = 50) -> float:
    """Runs per second of the scenario itself, validated each time as the shrinker validates."""
    start = time.perf_counter()
    for _ in range(runs):
        run_scenario(scenario_from_data(data), check_invariants=True)
    return runs / (time.perf_counter() - start)


def measure(seeds: tuple[int, ...] = SEEDS) -> str:
    """Shrink the scenario for each failing seed; a markdown section of the figures."""
    rows = []
    for seed in seeds:
        data = scenario_data(seed)
        start = time.perf_counter()
        try:
            result = shrink(data)
        except NothingToShrink:
            continue
        elapsed = time.perf_counter() - start
        rows.append((seed, result.target.key, result.size, result.runs, elapsed, _plain_rate(data)))
    lines = ["## Shrink speed", "",
             "`upgrade-sim shrink` (in-process, invariants on) of a 20-node scenario with 5 replicated AOF "
             "databases of 3 pairs, an upgrade of each and random faults on every node "
             "(`benchmarks/bench_shrink.py`); one row per seed of " + f"{seeds[0]}–{seeds[-1]} whose run fails.",
             "", "| seed | failure kept | shrunk to | runs | wall time (s) | runs/s while shrinking | "
             "runs/s of the whole scenario |", "|---:|---|---|---:|---:|---:|---:|"]
    lines += [f"| {seed} | `{key}` | {size} | {runs} | {elapsed:.2f} | {runs / elapsed:.0f} | {plain:.0f} |"
              for seed, key, size, runs, elapsed, plain in rows]
    if rows:
        total = sum(r[4] for r in rows)
        lines += ["", f"{len(rows)} shrinks: {sum(r[3] for r in rows)} runs in {total:.1f} s "
                      f"(at most {max(r[4] for r in rows):.2f} s for one). Runs get faster as the scenario shrinks."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(measure())
