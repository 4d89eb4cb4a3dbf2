"""Run a planned sweep on an executor, gather its rows in a deterministic order, write its folder."""
from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.run import atomic_folder
from sim.sweep.executors import Executor
from sim.sweep.objective import Term
from sim.sweep.outputs import write_outputs
from sim.sweep.plan import SweepPlan

__all__ = ["run_sweep", "sweep_to_folder", "chunk_size", "MAX_CHUNK"]

#: Most runs in one task. A run of a small scenario takes milliseconds, about as long as
#: shipping a task to a process (longer to a Dask worker): a few runs per task amortize that.
MAX_CHUNK = 20

Progress = Callable[[int, int], None]


def chunk_size(runs: int, workers: int) -> int:
    """Runs per task: about four tasks per worker (so none idles at the end), at most MAX_CHUNK."""
    return max(1, min(MAX_CHUNK, math.ceil(runs / (4 * max(1, workers)))))


def run_sweep(plan: SweepPlan, executor: Executor, on_progress: Progress | None = None,
              check_invariants: bool = False) -> list[dict[str, Any]]:
    """Every run of the plan, one row each, in grid order then seed order (whatever the executor).

    `on_progress(done, total)` is called at the start and as each task completes.
    """
    tasks = plan.tasks(chunk_size(plan.runs, executor.workers), check_invariants)
    done, results = 0, {}
    if on_progress is not None:
        on_progress(0, plan.runs)
    for order, rows in executor.run(tasks):
        results[order] = rows
        done += len(rows)
        if on_progress is not None:
            on_progress(done, plan.runs)
    return [row for order in sorted(results) for row in results[order]]


def sweep_to_folder(plan: SweepPlan, executor: Executor, out: str | Path, on_progress: Progress | None = None,
                    plots: bool = True, check_invariants: bool = False,
                    finish: Callable[[Path, list[dict[str, Any]]], None] | None = None,
                    rank_by: tuple[Term, ...] | None = None,
                    extra: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Run the sweep and write its outputs into `out`, atomically: the folder appears complete
    or not at all, and a folder that is not an upgrade-sim output is refused before any run.
    `extra(rows)` adds keys to summary.json; `finish(folder, rows)` may add files to the folder
    before it appears (`sweep --shrink`, the gate's JUnit file)."""
    with atomic_folder(out) as folder:
        assert folder is not None
        rows = run_sweep(plan, executor, on_progress, check_invariants)
        write_outputs(folder, plan, rows, plots, rank_by, extra(rows) if extra is not None else None)
        if finish is not None:
            finish(folder, rows)
    return rows
