"""`upgrade-sim schema`: print the JSON Schema of scenario files."""
from __future__ import annotations

import argparse
import sys

from sim.scenario import schema_text

EXAMPLE = "example:\n  upgrade-sim schema > scenario.schema.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`schema` takes no arguments."""


def handle(args: argparse.Namespace) -> int:
    """Print the schema."""
    sys.stdout.write(schema_text())
    return 0
