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

__all__ = ["RunTask", "run_task", "result_row", "strategy_label", "imbalance"]

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
    strategy: str | None = None
    condition: str | None = None


def run_task(task: RunTask) -> tuple[int, list[dict[str, Any]]]:
    """Run every seed of a task without outputs or plots; returns (order, rows)."""
    scenario = scenario_from_data(task.data)
    rows = []
    for seed in task.seeds:
        result = run_scenario(scenario, seed=seed, out=None, plots=False, check_invariants=task.check_invariants)
        rows.append(result_row(task.settings, result.summary, task.strategy, task.condition))
    return task.order, rows


def strategy_label(settings: Settings) -> str:
    """A strategy's name: its settings as typed (`preserve_roles=true, parallel_shards_upgrade=1`)."""
    return ", ".join(f"{key}={text}" for key, text in settings) or "as written"


def result_row(settings: Settings, summary: dict[str, Any], strategy: str | None = None,
               condition: str | None = None) -> dict[str, Any]:
    """One flat row of the results table: the settings, the seed and every figure of `summary`.

    Columns: one per varied key (its value as typed), `strategy` (default: named by the
    settings), `condition` (when the sweep has condition axes), `seed`, `window_s`, `events`,
    `expectations_unmet`, `responses.N.status` and `responses.N.error_code` (N = 0, 1, … in
    timeline order, as expectations number them), then `dbUID.FIGURE` for every figure of every
    database, nested figures joined by dots (`db1.failovers.planned`,
    `db1.masters_per_node.after.2`), and `dbUID.imbalance` (see `imbalance`).
    """
    row: dict[str, Any] = dict(settings)
    row["strategy"] = strategy if strategy is not None else strategy_label(settings)
    if condition is not None:
        row["condition"] = condition
    row["seed"] = summary["seed"]
    row["window_s"] = summary["duration"]
    row["events"] = summary["events"]
    row["expectations_unmet"] = sum(1 for e in summary.get("expectations") or [] if not e["ok"])
    for n, response in enumerate(summary["responses"]):
        row[f"responses.{n}.status"] = response["status"]
        row[f"responses.{n}.error_code"] = response["error_code"]
    for uid, figures in summary["databases"].items():
        _flatten(row, f"db{uid}", figures)
        row[f"db{uid}.imbalance"] = imbalance(figures.get("masters_per_node") or {})
    return row


def imbalance(masters_per_node: dict[str, dict[str, int]]) -> int:
    """How many more masters the busiest node holds at the window's end than the busiest at t = 0
    (0 when roles are back where they were, or spread as evenly; never below 0) [ours]."""
    before, after = masters_per_node.get("before") or {}, masters_per_node.get("after") or {}
    return max(0, max(after.values(), default=0) - max(before.values(), default=0))


def _flatten(row: dict[str, Any], prefix: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(row, f"{prefix}.{key}", inner)
    else:
        row[prefix] = value
