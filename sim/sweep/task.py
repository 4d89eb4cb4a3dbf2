"""One unit of work sent to an executor: a strategy's scenario data and some seeds → result rows.

A task carries plain, picklable data (the scenario as a dict, the seeds), never live
objects, so local processes and Dask workers receive the same thing and, each run being
determined by its scenario and seed, return the same rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.run import run_scenario
from sim.scenario import scenario_from_data

__all__ = ["RunTask", "run_task", "result_row", "strategy_label"]

Settings = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class RunTask:
    """Run the scenario `data` (a strategy: `settings` applied) once per seed.

    `order` is the task's place in grid order, so results can be sorted whatever order
    the executor returns them in.
    """

    order: int
    settings: Settings
    data: dict[str, Any]
    seeds: tuple[int, ...]
    check_invariants: bool = False


def run_task(task: RunTask) -> tuple[int, list[dict[str, Any]]]:
    """Run every seed of a task without outputs or plots; returns (order, rows)."""
    scenario = scenario_from_data(task.data)
    rows = []
    for seed in task.seeds:
        result = run_scenario(scenario, seed=seed, out=None, plots=False, check_invariants=task.check_invariants)
        rows.append(result_row(task.settings, result.summary))
    return task.order, rows


def strategy_label(settings: Settings) -> str:
    """A strategy's name: its settings as typed (`preserve_roles=true, parallel_shards_upgrade=1`)."""
    return ", ".join(f"{key}={text}" for key, text in settings) or "as written"


def result_row(settings: Settings, summary: dict[str, Any]) -> dict[str, Any]:
    """One flat row of the results table: the strategy, the seed and every figure of `summary`.

    Columns: one per varied key (its value as typed), `strategy`, `seed`, `window_s`,
    `events`, `expectations_unmet`, `responseN.status` and `responseN.error_code` (N = 1, 2, …
    in timeline order), then `dbUID.FIGURE` for every figure of every database, nested
    figures joined by dots (`db1.failovers.planned`, `db1.masters_per_node.after.2`).
    """
    row: dict[str, Any] = dict(settings)
    row["strategy"] = strategy_label(settings)
    row["seed"] = summary["seed"]
    row["window_s"] = summary["duration"]
    row["events"] = summary["events"]
    row["expectations_unmet"] = sum(1 for e in summary.get("expectations") or [] if not e["ok"])
    for n, response in enumerate(summary["responses"], start=1):
        row[f"response{n}.status"] = response["status"]
        row[f"response{n}.error_code"] = response["error_code"]
    for uid, figures in summary["databases"].items():
        _flatten(row, f"db{uid}", figures)
    return row


def _flatten(row: dict[str, Any], prefix: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(row, f"{prefix}.{key}", inner)
    else:
        row[prefix] = value
