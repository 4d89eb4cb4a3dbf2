"""Reading a scenario for a command: its bases merged, a `--timing` profile and `--set` values
applied, validated, and its warnings printed on stderr (or, with `--strict`, refused)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.printable import one_line
from sim.scenario import Scenario
from sim.scenario.warnings import scenario_warnings
from sim.scenario.yamlsource import SourceMap
from sim.sweep import load_variant

__all__ = ["add_set_argument", "add_strict_argument", "read_scenario", "warn"]


def add_set_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--set KEY=VALUE` (repeatable) to a sub-command."""
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="settings",
                        help="set a key before running, as the sweep's --vary does (a dotted path such as "
                             "timeline.1.at, or a shortcut such as preserve_roles); repeat for several")


def add_strict_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--strict` (warnings are errors) to a sub-command."""
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings on risky set-ups as errors (exit 2)")


def read_scenario(path: str | Path, settings: list[str] | None = None, timing: dict[str, Any] | None = None,
                  strict: bool = False) -> Scenario:
    """The scenario, with its warnings printed (`warning: FILE:LINE: key: ...` on stderr); with
    `strict`, the first warning is bad input instead."""
    scenario, source = load_variant(path, settings or [], timing)
    warn(scenario, source, strict)
    return scenario


def warn(scenario: Scenario, source: SourceMap, strict: bool = False) -> list[str]:
    """Print the scenario's warnings on stderr (strict: raise the first as InputError); returns them."""
    texts = [w.describe(source) for w in scenario_warnings(scenario)]
    if strict and texts:
        more = f"; and {len(texts) - 1} more warning{'s' if len(texts) > 2 else ''}" if len(texts) > 1 else ""
        raise InputError(f"{texts[0]} (a warning, an error with --strict{more})")
    for text in texts:
        print(f"warning: {one_line(text)}", file=sys.stderr)
    return texts
