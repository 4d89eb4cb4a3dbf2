"""`upgrade-sim validate`: check scenario files without running them."""
from __future__ import annotations

import argparse

from sim.scenario import load_scenario

NAME = "validate"
HELP = "Check scenario files (shape, references, placement) without running them."
EXAMPLE = "example:\n  upgrade-sim validate scenarios/*.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `validate`."""
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario files")


def handle(args: argparse.Namespace) -> int:
    """Load each file; the first bad one is reported (exit 2)."""
    for path in args.scenarios:
        scenario = load_scenario(path)
        print(f"ok  {path}  ({scenario.name})")
    return 0
