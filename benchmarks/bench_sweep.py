"""Sweep throughput: runs per second of the default scenario in this process, over local
processes and over a Dask LocalCluster. `measure()` returns a markdown section.

A script calling `measure()` must guard its entry point with `if __name__ == "__main__":`
(Dask's worker processes are spawned, and spawning re-imports the main module).
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from sim.sweep import DaskCluster, InProcess, LocalProcesses, plan_sweep, run_sweep
from sim.sweep.executors import Executor
from sim.sweep.plan import SweepPlan

__all__ = ["measure"]

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "default.yaml"
VARY = ["preserve_roles=true,false", "parallel_shards_upgrade=1,0"]
SEEDS = 100  # 4 strategies x 100 seeds = 400 runs

Row = tuple[str, int, float]


def _timed(plan: SweepPlan, executor: Executor) -> float:
    start = time.perf_counter()
    rows = run_sweep(plan, executor)
    elapsed = time.perf_counter() - start
    assert len(rows) == plan.runs
    return elapsed


def _dask(plan: SweepPlan, workers: int) -> tuple[list[Row], str]:
    try:
        from distributed import LocalCluster
    except ImportError:
        return [], "Dask: not measured (`pip install 'upgrade-sim[distributed]'`)."
    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        startup = time.perf_counter() - start
        executor = DaskCluster(cluster.scheduler_address)
        try:
            _timed(plan, executor)  # warm-up: the workers import the simulator
            elapsed = _timed(plan, executor)
        finally:
            executor.close()
    name = f"Dask LocalCluster, {workers} worker processes x 1 thread (warm)"
    return [(name, plan.runs, elapsed)], f"The LocalCluster took {startup:.1f} s to start (not counted)."


def measure() -> str:
    """Run the same sweep on each executor; a markdown section with wall times and runs per second."""
    plan = plan_sweep(SCENARIO, VARY, SEEDS)
    cores = os.cpu_count() or 1
    measures: list[tuple[str, Callable[[], float]]] = [
        ("this process, 1 core (no pool)", lambda: _timed(plan, InProcess())),
        (f"local processes, {cores} (pool start included)", lambda: _timed(plan, LocalProcesses(cores))),
    ]
    rows: list[Row] = [(name, plan.runs, run()) for name, run in measures]
    dask_rows, note = _dask(plan, cores)
    rows += dask_rows
    lines = [
        "## Sweep throughput",
        "",
        f"`upgrade-sim sweep scenarios/default.yaml --vary {' --vary '.join(VARY)} --seeds {SEEDS}` "
        f"({plan.runs} runs, no outputs), on {cores} cores.",
        "",
        "| executor | runs | wall time (s) | runs/s |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {runs} | {elapsed:.2f} | {runs / elapsed:.0f} |" for name, runs, elapsed in rows]
    return "\n".join(lines + ["", note, ""])


if __name__ == "__main__":
    print(measure())
