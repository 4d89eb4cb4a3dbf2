"""`upgrade-sim shrink`: the smallest scenario that still fails the same way, written as a file."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from sim.printable import one_line
from sim.scenario import load_scenario
from sim.shrink import shrink
from sim.shrink.case import Case
from sim.shrink.files import check_target, write_atomically

EXAMPLE = (
    "examples:\n"
    "  upgrade-sim shrink big.yaml --seed 17                      # writes out/<name>-shrunk.yaml\n"
    "  upgrade-sim shrink big.yaml --expect databases.1.writes_lost_max --out repro.yaml\n\n"
    "Exit codes: 0 written; 2 the scenario passes with that seed (nothing to shrink), --expect names no\n"
    "unmet expectation, or bad input. An existing --out file is replaced only if shrink wrote it\n"
    "(or with --force)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `shrink`."""
    parser.add_argument("scenario", help="scenario file (YAML) whose run fails")
    parser.add_argument("--seed", type=int, metavar="N", help="seed of the failing run (default: the scenario's)")
    parser.add_argument("--expect", metavar="KEY",
                        help="the unmet expectation to keep, as run lists it (databases.1.writes_lost_max); "
                             "default: the severest (keys lost, writes lost, availability, then as listed)")
    parser.add_argument("--out", metavar="FILE", help="scenario file to write (default: out/<name>-shrunk.yaml)")
    parser.add_argument("--force", action="store_true", help="replace --out even if shrink did not write it")


def handle(args: argparse.Namespace) -> int:
    """Shrink, write the file, say what it fails and how small it is."""
    scenario = load_scenario(args.scenario)
    out = Path(args.out) if args.out else Path("out") / f"{scenario.name}-shrunk.yaml"
    check_target(out, args.force)  # before the search: a refusal costs nothing
    started = time.monotonic()
    progress = Progress(sys.stderr)
    try:
        result = shrink(scenario, seed=args.seed, expect=args.expect, progress=progress)
    finally:
        progress.close()
    write_atomically(out, result.text)
    elapsed = time.monotonic() - started
    print(one_line(f"{out}: {result.failure.describe()}"))  # the failure quotes the scenario's values
    print(f"  from {result.original_size} to {result.size}; {result.runs} runs in {elapsed:.1f} s")
    print(f"  reproduce: upgrade-sim run {out}" + (" --check-invariants" if result.failure.kind == "invariant" else ""))
    return 0


class Progress:
    """Runs so far and the current size, on stderr (one rewritten line on a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.tty, self.shown = stream, stream.isatty(), False

    def __call__(self, runs: int, case: Case) -> None:
        """Report the runs so far and the smallest failing case yet."""
        text = f"shrink: {runs} runs; now {case.size_text()}"
        self.shown = True
        print(f"\r{text:<79}" if self.tty else text, end="" if self.tty else "\n", file=self.stream, flush=True)

    def close(self) -> None:
        """End the rewritten line on a terminal."""
        if self.tty and self.shown:
            print(file=self.stream, flush=True)
