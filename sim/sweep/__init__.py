"""Strategy sweeps: a scenario's strategies (`--vary`) × conditions × seeds, run locally or on a
Dask cluster, ranked by a stated objective, gated by bounds on their statistics.

    plan = plan_sweep("scenarios/default.yaml", ["preserve_roles=true,false"], seeds=20)
    rows = sweep_to_folder(plan, make_executor(scheduler=None, workers=None), "out/sweep")
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:
    from sim.sweep.executors import SCHEDULER_ENV, DaskCluster, InProcess, LocalProcesses, make_executor
    from sim.sweep.gate import Bound, GateResult, evaluate, gate_junit, parse_bound
    from sim.sweep.objective import DEFAULT_RANK_BY, Term, parse_terms
    from sim.sweep.outputs import csv_text, sweep_summary, write_outputs
    from sim.sweep.plan import Cell, Choice, SweepPlan, plan_from_data, plan_sweep
    from sim.sweep.reproduce import describe_run, reproduce_command, worst_run
    from sim.sweep.runner import run_sweep, sweep_to_folder
    from sim.sweep.task import RunTask, result_row, run_task
    from sim.sweep.variant import load_variant
    from sim.sweep.vary import SHORTCUTS, Axis, parse_axis
    from sim.sweep.verdict import verdicts
    from sim.sweep.verdict_txt import verdict_text

__all__ = [
    "SCHEDULER_ENV", "DaskCluster", "InProcess", "LocalProcesses", "make_executor", "Bound", "GateResult", "evaluate",
    "gate_junit", "parse_bound", "DEFAULT_RANK_BY", "Term", "parse_terms", "csv_text", "sweep_summary",
    "write_outputs", "Cell", "Choice", "SweepPlan", "plan_from_data", "plan_sweep", "describe_run",
    "reproduce_command", "worst_run", "run_sweep", "sweep_to_folder", "RunTask", "result_row", "run_task",
    "load_variant", "SHORTCUTS", "Axis", "parse_axis", "verdicts", "verdict_text",
]

#: The module of each public name: imported when the name is first used (`sim.lazy`).
__getattr__ = lazy_exports(__name__, {
    "executors": ("SCHEDULER_ENV", "DaskCluster", "InProcess", "LocalProcesses", "make_executor"),
    "gate": ("Bound", "GateResult", "evaluate", "gate_junit", "parse_bound"),
    "objective": ("DEFAULT_RANK_BY", "Term", "parse_terms"),
    "outputs": ("csv_text", "sweep_summary", "write_outputs"),
    "plan": ("Cell", "Choice", "SweepPlan", "plan_from_data", "plan_sweep"),
    "reproduce": ("describe_run", "reproduce_command", "worst_run"),
    "runner": ("run_sweep", "sweep_to_folder"),
    "task": ("RunTask", "result_row", "run_task"),
    "variant": ("load_variant",),
    "vary": ("SHORTCUTS", "Axis", "parse_axis"),
    "verdict": ("verdicts",),
    "verdict_txt": ("verdict_text",),
})
