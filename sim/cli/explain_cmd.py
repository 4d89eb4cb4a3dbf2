"""`upgrade-sim explain`: say in plain words why each database lost availability or data."""
from __future__ import annotations

import argparse

from sim.printable import one_line
from sim.run import explain_log

EXAMPLE = "example:\n  upgrade-sim explain out/demo/events.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `explain`."""
    parser.add_argument("log", help="an events.jsonl written by `upgrade-sim run`")


def handle(args: argparse.Namespace) -> int:
    """Print the explanation."""
    print("\n".join(one_line(line) for line in explain_log(args.log).splitlines()))  # names from the log
    return 0
