"""`make bench`: measure speed and scale, and write `benchmarks/results.md`.

Every case runs in a fresh process, `--repeats` times, interleaved (so a noisy neighbour
slows all cases alike); the best time counts. The start-up, plots-at-scale, sweep, check,
shrink, REST twin and calibration sections come from `benchmarks/bench_startup.py`,
`bench_plots.py`, `bench_sweep.py`, `bench_check.py`, `bench_shrink.py`, `bench_twin.py` and
`bench_calibrate.py` (real redis-server processes, about 90 s) when those modules exist.
Hand-written notes (before/after figures of optimisations) live in `benchmarks/NOTES.md` and
are copied in at the end.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # run as a script: import the harness as the `benchmarks` package
    sys.path[0] = str(ROOT)

from benchmarks.fleet import EMPTY, LARGE, MANY_SMALL, Fleet  # noqa: E402
from benchmarks.markdown import machine_rows, table  # noqa: E402
from benchmarks.measure import Measurement, sample  # noqa: E402
from benchmarks.sections import (  # noqa: E402
    TARGET_EXPONENT, TARGET_PEAK_MB, TARGET_RATIO, TARGET_WALL_S, Figures, floor_section, large_section,
    scaling_section, targets_section,
)

__all__ = ["main", "collect", "render", "SCALING", "SHAPES", "startup_section", "plots_section", "sweep_section",
           "check_section", "shrink_section", "twin_section", "calibrate_section"]

#: Fleet sizes of the scaling section: 1,000, 10,000 (the large cluster) and 50,000 shards.
SCALING = (Fleet(10, 50), LARGE, Fleet(500, 50))
#: Fleets of another shape compared with the floor (not part of the scaling fit).
SHAPES = (MANY_SMALL,)
RESULTS = ROOT / "benchmarks" / "results.md"
NOTES = ROOT / "benchmarks" / "NOTES.md"


def collect(fleets: tuple[Fleet, ...], repeats: int, large: Fleet = LARGE, shapes: tuple[Fleet, ...] = ()) -> Figures:
    """Measure ours and the floor on every fleet (the scaling series, then `shapes`) and on the
    empty input, `repeats` rounds."""
    fleets = (*fleets, *shapes)
    programs = ("ours", "bare")
    found = {(p, f): Measurement(p, f, []) for f in (EMPTY, *fleets) for p in programs}
    for round_ in range(1, repeats + 1):
        for (program, fleet), measurement in found.items():
            measurement.samples.append(sample(program, fleet))
            best = measurement.samples[-1]
            _say(f"round {round_}/{repeats}: {program:4} {fleet.shards:>6} shards  {best.wall_s:7.3f} s  "
                 f"{best.rss_peak_mb:6.1f} MB")
    return Figures(ours=[found["ours", f] for f in fleets], bare=[found["bare", f] for f in fleets],
                   ours_empty=found["ours", EMPTY], bare_empty=found["bare", EMPTY], large=fleets.index(large),
                   shapes=tuple(range(len(fleets) - len(shapes), len(fleets))))


def startup_section() -> str:
    """Whole-process start-up of `--help` and `validate` (`benchmarks/bench_startup.py`)."""
    return optional_section("bench_startup", "Start-up")


def plots_section() -> str:
    """A 50,000-shard run with and without its figures (`benchmarks/bench_plots.py`)."""
    return optional_section("bench_plots", "Plots at scale")


def sweep_section() -> str:
    """The sweep-throughput section of `benchmarks/bench_sweep.py`, or a line saying why there is none."""
    return optional_section("bench_sweep", "Sweep throughput")


def shrink_section() -> str:
    """The shrink-speed section of `benchmarks/bench_shrink.py`, or a line saying why there is none."""
    return optional_section("bench_shrink", "Shrink speed")


def optional_section(module: str, title: str) -> str:
    """The section `benchmarks/<module>.py`'s `measure()` returns, or a line saying why there is none."""
    if importlib.util.find_spec(f"benchmarks.{module}") is None:
        return f"## {title}\n\nSkipped: `benchmarks/{module}.py` is not there yet."
    try:
        return str(importlib.import_module(f"benchmarks.{module}").measure()).strip()
    except Exception as err:  # one failing section must not lose the others' figures
        said = getattr(err, "stderr", None)  # a child process's own words (CalledProcessError)
        tail = "\n\n```\n" + "\n".join(str(said).strip().splitlines()[-5:]) + "\n```" if said else ""
        return f"## {title}\n\nFailed: `{type(err).__name__}: {err}`{tail}"


def check_section() -> str:
    """The `check --seeds N` throughput section of `benchmarks/bench_check.py`."""
    return optional_section("bench_check", "`check --seeds N` throughput")


def calibrate_section() -> str:
    """The calibration section of `benchmarks/bench_calibrate.py` (real redis-server processes)."""
    return optional_section("bench_calibrate", "Calibration against a real Redis")


def twin_section() -> str:
    """The REST twin section of `benchmarks/bench_twin.py` (throughput and latency of its GETs)."""
    return optional_section("bench_twin", "REST twin (`upgrade-sim serve`)")


def render(figures: Figures, repeats: int, extra: list[str]) -> str:
    """The whole `results.md`."""
    head = ("# Benchmarks\n\nGenerated by `make bench` (`benchmarks/run.py`); do not edit by hand — notes go "
            "in `benchmarks/NOTES.md`. Times are in-process wall times of the best of "
            f"{repeats} runs, each in a fresh process; memory is the process's peak resident set size.\n\n"
            "## Machine\n\n" + table(("", ""), machine_rows(ROOT)))
    sections = [head, targets_section(figures), large_section(figures.ours[figures.large], repeats),
                scaling_section(figures), floor_section(figures), *extra]
    notes = NOTES.read_text(encoding="utf-8").strip() if NOTES.exists() else "## Notes\n\nNone yet."
    return "\n\n".join(sections + [notes]) + "\n"


def _missed(figures: Figures) -> bool:
    large = figures.ours[figures.large]
    return (large.wall_s > TARGET_WALL_S or large.peak_mb > TARGET_PEAK_MB
            or figures.ratio(figures.large) > TARGET_RATIO or figures.exponent() > TARGET_EXPONENT)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Measure, write the results file, and print the targets table."""
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per case (best counts); default 3")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"default {RESULTS.relative_to(ROOT)}")
    parser.add_argument("--profile", choices=("auto", "always", "never"), default="auto",
                        help="add a cProfile section of the large cluster: when a target is missed (auto)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    figures = collect(SCALING, args.repeats, shapes=SHAPES)
    extra = [startup_section(), plots_section(), sweep_section(), check_section(), shrink_section(), twin_section(),
             calibrate_section()]
    if args.profile == "always" or (args.profile == "auto" and _missed(figures)):
        _say("profiling the large cluster")
        from benchmarks.hotspots import profile_section

        extra.append(profile_section(LARGE))
    args.output.write_text(render(figures, args.repeats, extra), encoding="utf-8")
    print(targets_section(figures))
    _say(f"wrote {args.output} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
