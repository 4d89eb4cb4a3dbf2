"""`upgrade-sim sweep`: compare strategies (`--vary`) over many seeds, locally or on a Dask cluster."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from sim.cli.args import count, seed
from sim.cli.shrink_cmd import Progress as ShrinkProgress
from sim.shrink.sweep import SweepShrink
from sim.cli.timing_option import add_timing_argument, timing_of
from sim.sweep import SCHEDULER_ENV, SHORTCUTS, make_executor, plan_sweep, sweep_to_folder
from sim.sweep.verdict import plural

NAME = "sweep"
HELP = ("Run a scenario's strategies (every combination of the --vary values) over many seeds; "
        "write a results table, comparison plots and a verdict per strategy.")
EXAMPLE = (
    "examples:\n"
    "  upgrade-sim sweep scenarios/random-node-faults.yaml --vary preserve_roles=true,false \\\n"
    "      --vary parallel_shards_upgrade=1,0 --seeds 50 --out out/sweep\n"
    "  upgrade-sim sweep scenarios/default.yaml --vary cluster.policy.parallel_shards_upgrade=1,2,0 --seeds 10 \\\n"
    "      --scheduler tcp://scheduler:8786\n\n"
    f"KEY is a dotted path into the scenario (list items by index) or a shortcut:\n  {', '.join(SHORTCUTS)}\n"
    "preserve_roles and may_discard_data are set in every upgrade request, redis_version in every\n"
    "database-upgrade request (POST /v1/bdbs/UID/upgrade); replication,\n"
    "data_persistence, aof_policy, shards_count, shards_placement, max_aof_load_time on every database.\n"
    "Seeds: the scenario's seed (or --first-seed) and the N-1 after it."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `sweep`."""
    parser.add_argument("scenario", help="scenario file (YAML)")
    parser.add_argument("--vary", action="append", default=[], metavar="KEY=V1,V2",
                        help="a setting to compare, with its values (YAML scalars); repeat for a grid")
    parser.add_argument("--seeds", type=count(1, 1_000_000), required=True, metavar="N",
                        help="runs per strategy, one per seed")
    parser.add_argument("--first-seed", type=seed, metavar="N", help="first seed (default: the scenario's)")
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
    """Plan, run and write the sweep; print the verdict."""
    plan = plan_sweep(args.scenario, args.vary, args.seeds, args.first_seed, timing=timing_of(args))
    out = Path(args.out) if args.out else Path("out") / f"{plan.scenario}-sweep"
    executor = make_executor(args.scheduler, args.workers)
    header = (f"sweep of {plan.scenario}: {plural(len(plan.strategies), 'strategy', 'strategies')} x "
              f"{plural(len(plan.seeds), 'seed')} = {plural(plan.runs, 'run')} on {executor.name}")
    if not plan.random_faults:
        header += "\nnote: the scenario has no random faults (faults.random), so every seed gives the same run"
    shrinking = ShrinkProgress(sys.stderr)
    shrinker = SweepShrink(plan, shrinking, _stderr) if args.shrink else None
    try:
        sweep_to_folder(plan, executor, out, Progress(sys.stderr, header), plots=not args.no_plots,
                        check_invariants=args.check_invariants, finish=shrinker)
    finally:
        executor.close()
        shrinking.close()
    print((out / "verdict.txt").read_text(encoding="utf-8"), end="")
    if shrinker is not None:
        print(f"\n{shrinker.note}")
    shrunk = f", {shrinker.written}" if shrinker is not None and shrinker.written else ""
    print(f"\noutputs: {out}/ (results.csv, summary.json, verdict.txt{shrunk}{'' if args.no_plots else ', plots'})")
    return 0


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
            text += f" in {elapsed:.1f} s ({total / elapsed if elapsed > 0 else 0:.0f} runs/s); writing the outputs"
        end = "\n" if not self.tty or done == total else ""
        print(f"\r{text:<79}" if self.tty else text, end=end, file=self.stream, flush=True)
