"""`python -m sim` is `upgrade-sim`."""
from __future__ import annotations

from sim.cli import entry_point

if __name__ == "__main__":
    entry_point()
