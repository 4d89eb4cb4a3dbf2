"""`upgrade-sim validate`: check scenario files without running them, and warn on risky set-ups."""
from __future__ import annotations

import argparse

from sim.cli.scenario_input import add_set_argument, add_strict_argument, read_scenario

EXAMPLE = ("examples:\n  upgrade-sim validate scenarios/*.yaml\n"
           "  upgrade-sim validate --strict my-plan.yaml            # warnings are errors (exit 2)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `validate`."""
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario files")
    add_strict_argument(parser)
    add_set_argument(parser)


def handle(args: argparse.Namespace) -> int:
    """Load each file, print its warnings; the first bad one (or, with --strict, warned one) is exit 2."""
    for path in args.scenarios:
        scenario = read_scenario(path, args.settings, strict=args.strict)
        print(f"ok  {path}  ({scenario.name})")
    return 0
