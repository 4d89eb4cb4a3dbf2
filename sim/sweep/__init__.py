"""Strategy sweeps: a scenario's variants (`--vary`) × seeds, run locally or on a Dask cluster.

    plan = plan_sweep("scenarios/default.yaml", ["preserve_roles=true,false"], seeds=20)
    rows = sweep_to_folder(plan, make_executor(scheduler=None, workers=None), "out/sweep")
"""
from __future__ import annotations

from sim.sweep.executors import SCHEDULER_ENV, DaskCluster, InProcess, LocalProcesses, make_executor
from sim.sweep.outputs import csv_text, sweep_summary, write_outputs
from sim.sweep.plan import Strategy, SweepPlan, plan_from_data, plan_sweep
from sim.sweep.runner import run_sweep, sweep_to_folder
from sim.sweep.task import RunTask, result_row, run_task
from sim.sweep.verdict import verdict_text, verdicts
from sim.sweep.vary import SHORTCUTS, Axis, parse_axis

__all__ = [
    "SCHEDULER_ENV", "DaskCluster", "InProcess", "LocalProcesses", "make_executor", "csv_text", "sweep_summary",
    "write_outputs", "Strategy", "SweepPlan", "plan_from_data", "plan_sweep", "run_sweep", "sweep_to_folder", "RunTask",
    "result_row", "run_task", "verdict_text", "verdicts", "SHORTCUTS", "Axis", "parse_axis",
]
