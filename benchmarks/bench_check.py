"""`check --seeds N` throughput: how many seeded runs per second `upgrade-sim check` makes when
expectations must hold on every seed. `measure()` returns a markdown section (`make bench`);
`python benchmarks/bench_check.py` prints it.

Each command runs in-process through `sim.cli.main` (its output discarded), so the figure is
the runs, the expectations and the JUnit file, not the interpreter's start-up.
"""
from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # run as a script: the repository root on the path (`sim` without an install)
    sys.path[0] = str(ROOT)

from sim.cli import main  # noqa: E402

__all__ = ["measure", "CASES"]

#: (scenario, seeds): a small one-database upgrade, and random node faults over a longer window.
CASES = (("default", 200), ("random-node-faults", 100), ("six-node-sharded", 100))


def _timed(scenario: str, seeds: int) -> tuple[float, int]:
    """Wall time of `check SCENARIO --seeds N --junit FILE`, and its exit code."""
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        start = time.perf_counter()
        code = main(["check", str(ROOT / "scenarios" / f"{scenario}.yaml"), "--seeds", str(seeds),
                     "--junit", str(Path(folder) / "report.xml")])
        return time.perf_counter() - start, code


def measure(cases: tuple[tuple[str, int], ...] = CASES) -> str:
    """Time each case once; a markdown section of runs per second."""
    lines = ["## `check --seeds N` throughput", "",
             "`upgrade-sim check SCENARIO --seeds N --junit FILE`, in-process (`benchmarks/bench_check.py`): "
             "every seed run (a failing seed does not stop the others), its expectations evaluated, the JUnit "
             "file written; exit 1 when some seed misses an expectation.", "",
             "| scenario | seeds | wall time | runs/s | exit |", "|---|---:|---:|---:|---:|"]
    for scenario, seeds in cases:
        elapsed, code = _timed(scenario, seeds)
        lines.append(f"| `{scenario}` | {seeds} | {elapsed:.2f} s | {seeds / elapsed:.0f} | {code} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(measure())
