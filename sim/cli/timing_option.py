"""`--timing FILE`, shared by the commands that run scenarios (run, check, sweep, and serve).

    add_timing_argument(parser)                         # in add_arguments
    scenario = with_timing(scenario, timing_of(args))   # in handle
"""
from __future__ import annotations

import argparse
from typing import Any

from sim.scenario import load_timing

__all__ = ["add_timing_argument", "timing_of"]


def add_timing_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--timing FILE` to a sub-command."""
    parser.add_argument("--timing", metavar="FILE",
                        help="a timing profile (a YAML `timing:` mapping, such as the one `upgrade-sim calibrate` "
                             "writes) whose values override the scenario's timing, key by key")


def timing_of(args: argparse.Namespace) -> dict[str, Any] | None:
    """The values of `--timing FILE`, or None without it; ScenarioError (exit 2) for a bad file."""
    path = getattr(args, "timing", None)
    return load_timing(path) if path else None
