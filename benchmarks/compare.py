"""Before/after: our end-to-end time and memory on one fleet with `sim` from this checkout and
from other source trees (e.g. a scratch copy with a patch), runs interleaved in fresh processes.

    .venv/bin/python benchmarks/compare.py /tmp/scratch [--repeats 7] [--databases 100 --pairs 50]

Prints a markdown table to paste into `benchmarks/NOTES.md`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # run as a script: import the harness as the `benchmarks` package
    sys.path[0] = str(ROOT)

from benchmarks.fleet import LARGE, Fleet  # noqa: E402
from benchmarks.markdown import count, megabytes, seconds, table  # noqa: E402
from benchmarks.measure import Measurement, sample  # noqa: E402

__all__ = ["compare", "main"]


def compare(trees: list[Path | None], fleet: Fleet, repeats: int) -> list[Measurement]:
    """Measure ours on `fleet` with each tree's `sim` (None: this checkout), `repeats` interleaved rounds."""
    found = [Measurement("ours", fleet, []) for _ in trees]
    for _ in range(repeats):
        for tree, measurement in zip(trees, found):
            measurement.samples.append(sample("ours", fleet, tree=tree))
    return found


def main(argv: list[str] | None = None) -> int:
    """Compare this checkout with the trees given and print the table."""
    parser = argparse.ArgumentParser(prog="benchmarks/compare.py", description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path, help="source trees holding a sim/ package")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--databases", type=int, default=LARGE.databases)
    parser.add_argument("--pairs", type=int, default=LARGE.pairs)
    args = parser.parse_args(argv)
    fleet = Fleet(args.databases, args.pairs)
    trees: list[Path | None] = [None, *(tree.resolve() for tree in args.trees)]
    found = compare(trees, fleet, args.repeats)
    base = found[0].wall_s
    rows = [(str(tree or "this checkout"), seconds(m.wall_s), seconds(m.median_s), f"{m.wall_s / base:.2f}",
             count(m.best.events), megabytes(m.peak_mb)) for tree, m in zip(trees, found)]
    print(f"{count(fleet.shards)} shards, best and median of {args.repeats} interleaved runs:\n")
    print(table(("sim from", "best", "median", "÷ this checkout", "events", "peak RSS"), rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
