"""Plots at scale: a 50,000-shard run with its figures against the same run without them.
`measure()` returns a markdown section (`make bench`); `python benchmarks/bench_plots.py`
prints it.

Each run is a fresh process (`python benchmarks/bench_plots.py --child plots|none`): the
scenario data is built, then timed in-process from `scenario_from_data` to the written
outputs; the parent times the whole process too. Peak memory is the child's `VmHWM`.
Runs are interleaved, `REPEATS` rounds; the best time and the highest peak count.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # run as a script: the repository root on the path (`sim` without an install)
    sys.path[0] = str(ROOT)

from benchmarks.fleet import Fleet  # noqa: E402
from benchmarks.markdown import mark  # noqa: E402

__all__ = ["measure", "FLEET", "REPEATS", "TARGET_RATIO", "TARGET_PEAK_MB"]

FLEET = Fleet(databases=500, pairs=50)
REPEATS = 2
#: issue 22: with plots ≤ 3 × the run without, and ≤ 300 MB
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 300.0


def _child(mode: str, fleet: Fleet) -> None:
    """One run (in this fresh process); prints its figures as JSON."""
    from benchmarks.child import peak_rss_mb
    from benchmarks.fleet import fleet_data
    from sim.run import run_scenario
    from sim.scenario import scenario_from_data

    data = fleet_data(fleet)
    with tempfile.TemporaryDirectory(prefix="upgrade-sim-bench.") as folder:
        start = time.perf_counter()
        run_scenario(scenario_from_data(data), out=Path(folder) / "run", plots=mode == "plots")
        wall = time.perf_counter() - start
    print(json.dumps({"wall_s": wall, "peak_mb": peak_rss_mb()}))


def _sample(mode: str, fleet: Fleet) -> dict[str, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(fleet.databases), str(fleet.pairs)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return {**json.loads(done.stdout), "process_s": time.perf_counter() - start}


def measure(fleet: Fleet = FLEET, repeats: int = REPEATS) -> str:
    """Run with and without plots `repeats` times each, interleaved; a markdown section."""
    found: dict[str, list[dict[str, float]]] = {"none": [], "plots": []}
    for _ in range(repeats):
        for mode, samples in found.items():
            samples.append(_sample(mode, fleet))
    best = {mode: {key: min(s[key] for s in samples) for key in ("wall_s", "process_s")}
            | {"peak_mb": max(s["peak_mb"] for s in samples)} for mode, samples in found.items()}
    ratio = best["plots"]["wall_s"] / best["none"]["wall_s"]
    whole = best["plots"]["process_s"] / best["none"]["process_s"]

    return "\n".join([
        "## Plots at scale", "",
        f"{fleet.shards:,} shards ({fleet.databases} databases × {fleet.pairs} pairs, the bench's fleet shape), "
        f"`run_scenario(..., out=folder)` with and without plots, each in a fresh process, best of {repeats} "
        "(`benchmarks/bench_plots.py`). In process: from the scenario data to the written outputs; whole "
        "process: interpreter, imports and exit included.", "",
        "| | no plots | plots | ratio | target |", "|---|---:|---:|---:|---|",
        f"| in process | {best['none']['wall_s']:.2f} s | {best['plots']['wall_s']:.2f} s | {ratio:.2f} | "
        f"≤ {TARGET_RATIO:g}: {mark(ratio <= TARGET_RATIO)} |",
        f"| whole process | {best['none']['process_s']:.2f} s | {best['plots']['process_s']:.2f} s | {whole:.2f} | "
        f"≤ {TARGET_RATIO:g}: {mark(whole <= TARGET_RATIO)} |",
        f"| peak memory | {best['none']['peak_mb']:.0f} MB | {best['plots']['peak_mb']:.0f} MB | | "
        f"≤ {TARGET_PEAK_MB:g} MB: {mark(best['plots']['peak_mb'] <= TARGET_PEAK_MB)} |", ""])


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(sys.argv[2], Fleet(int(sys.argv[3]), int(sys.argv[4])))
    else:
        print(measure())
