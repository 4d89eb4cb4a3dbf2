"""`upgrade-sim sweep`: compare strategies over conditions and seeds, locally or on a Dask cluster; rank
them by a stated objective and gate CI on their statistics."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from sim.cli.args import count, seed
from sim.cli.junit import check_junit_path, write_xml
from sim.cli.scenario_input import warn
from sim.cli.sweep_report import SweepReport
from sim.cli.shrink_cmd import Progress as ShrinkProgress
from sim.cli.timing_option import add_timing_argument, timing_of
from sim.errors import InputError
from sim.shrink.sweep import SweepShrink
from sim.sweep import (
    DEFAULT_RANK_BY, SCHEDULER_ENV, SHORTCUTS, SweepPlan, load_variant, make_executor, parse_bound, parse_terms,
    plan_sweep, sweep_to_folder,
)
from sim.sweep.objective import FIGURES
from sim.sweep.verdict import plural

EXAMPLE = (
    "examples:\n"
    "  upgrade-sim sweep scenarios/six-node-sharded.yaml --vary preserve_roles=true,false \\\n"
    "      --vary 'timeline.1.at=40..160/40' --vary 'timeline.1.node_crash,timeline.2.node_recover=1,3,5' \\\n"
    "      --rank-by keys_lost,writes_lost,downtime_s,imbalance --fail-on 'db1.downtime_s.p95>30' \\\n"
    "      --seeds 1 --out out/plan --junit plan.xml\n"
    "  upgrade-sim sweep scenarios/random-node-faults.yaml --vary preserve_roles=true,false \\\n"
    "      --vary parallel_shards_upgrade=1,0 --seeds 50 --scheduler tcp://scheduler:8786\n\n"
    f"KEY is a dotted path into the scenario (list items by index) or a shortcut:\n  {', '.join(SHORTCUTS)}\n"
    "preserve_roles and may_discard_data are set in every upgrade request, redis_version in every\n"
    "database-upgrade request (POST /v1/bdbs/UID/upgrade); replication,\n"
    "data_persistence, aof_policy, shards_count, shards_placement, max_aof_load_time on every database.\n"
    "Values: YAML scalars, or ranges START..END/STEP (20..120/20). Several keys varied together:\n"
    "KEY_A,KEY_B=1,2 (each value to both) or KEY_A,KEY_B=1:2,3:4 (one value per key).\n"
    "Condition keys (what the plan must survive): fault steps' keys, faults.*, mtbf_s, mttr_s, timing,\n"
    "dataset, workload, duration; every other key is a strategy (what the operator chooses).\n"
    "Figures for --rank-by / --fail-on: [dbUID.]FIGURE[.mean|.p95|.worst], FIGURE one of\n"
    f"  {', '.join(FIGURES)}.\n"
    "Seeds: the scenario's seed (or --first-seed) and the N-1 after it.\n"
    "Exit codes: 0 done, 1 a --fail-on bound is crossed, 2 bad input, 3 internal error."
)


class _Axis(argparse.Action):
    """Collects --vary, --vary-together, --strategy and --condition in the order given, with their option."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        axes = list(getattr(namespace, self.dest) or [])
        axes.append((option_string or "--vary", str(values)))
        setattr(namespace, self.dest, axes)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `sweep`."""
    parser.add_argument("scenario", help="scenario file (YAML)")
    parser.add_argument("--vary", "--vary-together", action=_Axis, dest="axes", default=[], metavar="KEYS=V1,V2",
                        help="a setting to compare, with its values (YAML scalars or ranges); a strategy or a "
                             "condition by its key; repeat for a grid; KEY_A,KEY_B=... varies keys together")
    parser.add_argument("--strategy", action=_Axis, dest="axes", metavar="KEYS=V1,V2",
                        help="as --vary, classed as a strategy (what the operator chooses)")
    parser.add_argument("--condition", action=_Axis, dest="axes", metavar="KEYS=V1,V2",
                        help="as --vary, classed as a condition (what the plan must survive)")
    parser.add_argument("--seeds", type=count(1, 1_000_000), required=True, metavar="N",
                        help="runs per strategy and condition, one per seed")
    parser.add_argument("--first-seed", type=seed, metavar="N", help="first seed (default: the scenario's)")
    parser.add_argument("--rank-by", default=DEFAULT_RANK_BY, metavar="FIGURES",
                        help=f"the objective: figures compared in order, each breaking the ties of the one before "
                             f"(default: {DEFAULT_RANK_BY}; statistic mean unless named, e.g. downtime_s.p95)")
    parser.add_argument("--fail-on", action="append", default=[], metavar="BOUND",
                        help="exit 1 when a strategy's statistic crosses a bound, e.g. 'db1.downtime_s.p95>30' "
                             "(>, >=, <, <=); repeatable; writes junit.xml into the output folder")
    parser.add_argument("--junit", metavar="FILE", help="also write the --fail-on results as JUnit XML here")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: out/<scenario name>-sweep)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help=f"run on this Dask scheduler (tcp://HOST:PORT); default: ${SCHEDULER_ENV}, "
                             "else local processes")
    parser.add_argument("--workers", type=count(1, 1024), metavar="N",
                        help="local processes (default: every core; 1: no pool)")
    parser.add_argument("--no-plots", action="store_true", help="skip the figures")
    parser.add_argument("--check-invariants", action="store_true", help="check the invariants on every event")
    parser.add_argument("--shrink", action="store_true", help="also write <scenario>-shrunk.yaml next to "
                        "results.csv: the worst failing run, shrunk (see upgrade-sim shrink)")
    add_timing_argument(parser)


def handle(args: argparse.Namespace) -> int:
    """Plan, run and write the sweep; print the verdict, the worst run's command and the gate."""
    rank_by = parse_terms("--rank-by", args.rank_by)
    bounds = [parse_bound(text) for text in args.fail_on]
    junit = Path(args.junit) if args.junit else None
    if junit is not None and not bounds:
        raise InputError(f"--junit {junit}: the JUnit file holds the --fail-on bounds; give at least one")
    if junit is not None:
        check_junit_path(junit)
    timing = timing_of(args)
    warn(*load_variant(args.scenario, [], timing))  # the scenario as written; its variants are not judged
    plan = plan_sweep(args.scenario, args.axes, args.seeds, args.first_seed, timing=timing)
    out = Path(args.out) if args.out else Path("out") / f"{plan.scenario}-sweep"
    executor = make_executor(args.scheduler, args.workers)
    shrinking = ShrinkProgress(sys.stderr)
    shrinker = SweepShrink(plan, shrinking, _stderr) if args.shrink else None
    report = SweepReport(plan, args, rank_by, bounds)
    try:
        sweep_to_folder(plan, executor, out, Progress(sys.stderr, _header(plan, executor.name)),
                        plots=not args.no_plots, check_invariants=args.check_invariants,
                        finish=report.finish(shrinker), rank_by=rank_by, extra=report.extra)
    finally:
        executor.close()
        shrinking.close()
    print((out / "verdict.txt").read_text(encoding="utf-8"), end="")
    print(f"\n{report.worst_text}")
    if shrinker is not None:
        print(f"\n{shrinker.note}")
    if bounds:
        print("\n" + report.gate_text())
    if junit is not None:
        write_xml(junit, report.junit())
    shrunk = f", {shrinker.written}" if shrinker is not None and shrinker.written else ""
    files = f"results.csv, summary.json, verdict.txt{', junit.xml' if bounds else ''}{shrunk}"
    print(f"\noutputs: {out}/ ({files}{'' if args.no_plots else ', plots'})")
    return 1 if report.failed else 0


def _header(plan: SweepPlan, where: str) -> str:
    grid = plural(len(plan.strategies), "strategy", "strategies")
    if plan.has_conditions:
        grid += f" x {plural(len(plan.conditions), 'condition')}"
    header = f"sweep of {plan.scenario}: {grid} x {plural(len(plan.seeds), 'seed')} = {plural(plan.runs, 'run')} " \
             f"on {where}"
    if not plan.random_faults:
        header += "\nnote: the scenario has no random faults (faults.random), so every seed gives the same run"
    return header


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Progress:
    """Runs done so far, on one rewritten line on a terminal, else a line every 10 %.

    The header is printed with the first report: once the output folder has been accepted.
    """

    def __init__(self, stream: TextIO, header: str) -> None:
        self.stream, self.header, self.start, self.shown = stream, header, time.monotonic(), -1
        self.tty = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        """Report `done` of `total` runs."""
        if self.header:
            print(self.header, file=self.stream, flush=True)
            self.header = ""
        step = 100 * done // max(1, total) // 10
        if not self.tty and step == self.shown:
            return
        self.shown = step
        elapsed = time.monotonic() - self.start
        text = f"sweep: {done}/{total} runs ({100 * done // max(1, total)}%)"
        if 0 < done < total:
            text += f", about {elapsed / done * (total - done):.0f} s left"
        elif done == total:
            text += f" in {elapsed:.2f} s ({total / elapsed if elapsed > 0 else 0:.0f} runs/s); writing the outputs"
        end = "\n" if not self.tty or done == total else ""
        print(f"\r{text:<79}" if self.tty else text, end=end, file=self.stream, flush=True)
