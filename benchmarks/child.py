"""One measurement in a fresh process, so that cases do not share caches or memory:
`python -m benchmarks.child {ours|bare|writepath} INPUT_JSON [--profile FILE]` prints one JSON object.

Times are in-process wall and CPU times (`time.perf_counter`, `time.process_time`) of the
program's work after its imports; peak memory is this process's maximum resident set size.
"""
from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # at run time the harness's own modules are imported inside the import timing
    from benchmarks.cases import Outcome

__all__ = ["main", "peak_rss_mb"]

#: Modules each program loads before its timed work (their import time is reported apart).
IMPORTS = {"ours": ("benchmarks.cases", "sim.run", "sim.scenario", "sim.plots"),
           "bare": ("benchmarks.cases", "simpy"), "writepath": ("benchmarks.cases", "simpy")}


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    On Linux, `VmHWM` of /proc/self/status: `ru_maxrss` would count the parent's size at the
    fork (Linux keeps it across exec), so a big parent would inflate every child.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def main(argv: list[str] | None = None) -> int:
    """Run one program on one input and print its figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.child")
    parser.add_argument("program", choices=sorted(IMPORTS))
    parser.add_argument("input", help="JSON: Fleet fields for ours, FloorInput fields for the others")
    parser.add_argument("--profile", type=Path, help="write cProfile statistics of the timed work here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    for name in IMPORTS[args.program]:
        importlib.import_module(name)
    figures: dict[str, Any] = {"import_s": time.perf_counter() - started, "rss_base_mb": peak_rss_mb()}
    work = _work(args.program, json.loads(args.input))
    with tempfile.TemporaryDirectory(prefix="upgrade-sim-bench.") as tmp:
        outcome, figures["wall_s"], figures["cpu_s"] = _timed(work, Path(tmp), args.profile)
        figures["rss_peak_mb"] = peak_rss_mb()  # before reading the log back, which costs memory too
        figures.update(events=outcome.events, simulated_s=outcome.simulated_s, log_bytes=outcome.log.stat().st_size,
                       state_changes=_state_changes(args.program, outcome))
    print(json.dumps(figures))
    return 0


def _work(program: str, spec: dict[str, Any]) -> Callable[[Path], Outcome]:
    """The program's timed work on a folder; its input is prepared here, outside the timing."""
    from benchmarks.cases import run_bare, run_ours, run_write_path_case
    from benchmarks.fleet import Fleet, fleet_data
    from benchmarks.floor import FloorInput

    if program == "ours":
        data = fleet_data(Fleet(**spec))
        return lambda folder: run_ours(data, folder)
    floor = FloorInput(**spec)
    run = run_bare if program == "bare" else run_write_path_case
    return lambda folder: run(floor, folder)


def _timed(work: Callable[[Path], Outcome], folder: Path, profile: Path | None) -> tuple[Outcome, float, float]:
    """Run the work once: its outcome, wall time and CPU time (under cProfile, saved to
    `profile`, if given). CPU time shows how much of the wall time a busy machine took away."""
    profiler = cProfile.Profile() if profile is not None else None
    started, cpu = time.perf_counter(), time.process_time()
    outcome = work(folder) if profiler is None else profiler.runcall(work, folder)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler is not None:
        profiler.dump_stats(str(profile))
    return outcome, wall, cpu


def _state_changes(program: str, outcome: Outcome) -> int:
    """Per-pair state changes: every line of the floor and the write path; the pair and shard
    events of our log."""
    from benchmarks.cases import ours_pair_changes

    if program != "ours":
        return outcome.events
    return sum(len(changes) for changes in ours_pair_changes(outcome.log).values())


if __name__ == "__main__":
    raise SystemExit(main())
