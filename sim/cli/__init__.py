"""The `upgrade-sim` command line: `main(argv) -> int`; the only place that prints and exits."""
from __future__ import annotations

import sys

from sim.cli.main import main

__all__ = ["main", "entry_point"]


def entry_point() -> None:
    """Console-script entry: exit with `main`'s code."""
    sys.exit(main(sys.argv[1:]))
