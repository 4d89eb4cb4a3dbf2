"""Start-up: the whole process of the commands CI pays for on every call, and what they import.
`measure()` returns a markdown section (`make bench`); `python benchmarks/bench_startup.py`
prints it.

Each command runs in a fresh `python -m sim` process (the console script's interpreter, no
site customisation beyond the virtual environment's), `REPEATS` times; the best counts. The
imports of `validate` are listed from `python -X importtime`.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # run as a script: import the harness as the `benchmarks` package
    sys.path[0] = str(ROOT)

from benchmarks.markdown import mark  # noqa: E402

__all__ = ["measure", "CASES", "REPEATS", "import_times"]

#: (command line after `python -m sim`, target whole-process seconds) — issue 22's start-up targets.
CASES = ((("--help",), 0.2), (("validate", "scenarios/default.yaml"), 0.3))
REPEATS = 5


def _whole_process(args: tuple[str, ...]) -> float:
    """Wall time of one `python -m sim ARGS` process (exit 0 required)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def import_times(args: tuple[str, ...], at_least_s: float = 0.01, depth: int = 4) -> list[tuple[int, str, float]]:
    """The imports of `python -X importtime -m sim ARGS` that took at least `at_least_s`
    (cumulative), down to `depth` levels of nesting, each before what it imported: (depth,
    module, seconds)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "sim", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split(":", 1)[1].split("|") if line.startswith("import time:") else []
        if len(parts) == 3 and parts[1].strip().isdigit() and int(parts[1]) >= at_least_s * 1e6:
            name = parts[2].rstrip()
            level = (len(name) - len(name.lstrip()) - 1) // 2
            if level <= depth:
                rows.append((level, name.strip(), int(parts[1]) / 1e6))
    rows.reverse()  # importtime prints a module after what it imported: parents first reads as a tree
    return rows


def measure(cases: tuple[tuple[tuple[str, ...], float], ...] = CASES, repeats: int = REPEATS,
            imports_of: tuple[str, ...] = CASES[1][0]) -> str:
    """Time each command `repeats` times in fresh processes, and list the imports of
    `imports_of`; a markdown section."""
    lines = ["## Start-up", "",
             f"Whole process of `python -m sim ARGS` (interpreter, imports, the command, exit), best and median "
             f"of {repeats} fresh processes (`benchmarks/bench_startup.py`).", "",
             "| command | best | median | target | |", "|---|---:|---:|---:|---|"]
    for args, target in cases:
        times = sorted(_whole_process(args) for _ in range(repeats))
        lines.append(f"| `upgrade-sim {' '.join(args)}` (as `python -m sim`) | {times[0]:.3f} s | "
                     f"{times[len(times) // 2]:.3f} s | ≤ {target:g} s | {mark(times[0] <= target)} |")
    lines += ["", f"Imports of `upgrade-sim {' '.join(imports_of)}` that take 10 ms or more (`python -X importtime`, "
              "cumulative; `·` marks a module imported by the one above it at one level less):", "",
              "| module | seconds |", "|---|---:|"]
    lines += [f"| {'· ' * depth}`{name}` | {seconds:.3f} |" for depth, name, seconds in import_times(imports_of)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(measure())
