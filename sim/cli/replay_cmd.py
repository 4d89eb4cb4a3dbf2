"""`upgrade-sim replay`: recompute a run's summary (and plots) from its event log alone."""
from __future__ import annotations

import argparse

from sim.cli.render import summary_table
from sim.run import replay_log

EXAMPLE = "example:\n  upgrade-sim replay out/demo/events.jsonl --out out/demo-replayed"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `replay`."""
    parser.add_argument("log", help="an events.jsonl written by `upgrade-sim run`")
    parser.add_argument("--out", metavar="DIR", help="write summary.json, report.html and plots here")
    parser.add_argument("--no-plots", action="store_true", help="skip the figures")


def handle(args: argparse.Namespace) -> int:
    """Replay the log and print its summary."""
    result = replay_log(args.log, out=args.out, plots=not args.no_plots)
    print(f"{result.summary['scenario']}: replayed {result.summary['events']} events")
    print(summary_table(result.summary))
    if args.out:
        print(f"outputs: {args.out}/")
    return 0
