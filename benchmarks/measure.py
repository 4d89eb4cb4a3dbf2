"""Run a program on an input in fresh subprocesses, several times, and keep the figures."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.fleet import Fleet

__all__ = ["Sample", "Measurement", "ROOT", "sample", "program_input"]

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Sample:
    """One run in a fresh process: its in-process wall and CPU times, the process's, and what it did."""

    wall_s: float
    cpu_s: float
    process_s: float
    import_s: float
    events: int
    state_changes: int
    simulated_s: float
    log_bytes: int
    rss_base_mb: float
    rss_peak_mb: float


@dataclass(slots=True)
class Measurement:
    """Repeated samples of one program on one fleet; timings are the best (least disturbed) run."""

    program: str
    fleet: Fleet
    samples: list[Sample]

    @property
    def best(self) -> Sample:
        """The fastest run (the machine is shared: slower runs measure the neighbours)."""
        return min(self.samples, key=lambda s: s.wall_s)

    @property
    def wall_s(self) -> float:
        """Best in-process wall time of the work."""
        return self.best.wall_s

    @property
    def median_s(self) -> float:
        """Median in-process wall time, to show the noise."""
        return statistics.median(s.wall_s for s in self.samples)

    @property
    def peak_mb(self) -> float:
        """Highest peak resident memory over the runs."""
        return max(s.rss_peak_mb for s in self.samples)

    @property
    def growth_mb(self) -> float:
        """Peak memory above the process's size after its imports (the work's own memory)."""
        return max(s.rss_peak_mb - s.rss_base_mb for s in self.samples)

    def net_s(self, empty: Measurement) -> float:
        """Best wall time minus the same program's time on the empty input (its start-up)."""
        return self.wall_s - empty.wall_s


def program_input(program: str, fleet: Fleet) -> dict[str, Any]:
    """The child's input: the fleet for our simulator, the floor's durations for the others."""
    if program == "ours":
        return asdict(fleet)
    from benchmarks.cases import floor_input

    return asdict(floor_input(fleet))


def sample(program: str, fleet: Fleet, profile: Path | None = None, tree: Path | None = None) -> Sample:
    """Measure `program` on `fleet` once, in a fresh Python process; with `tree`, the `sim`
    package is imported from that source tree instead of this one (before/after comparisons).

    Raises subprocess.CalledProcessError (with the child's stderr) if the run fails.
    """
    command = [sys.executable, "-m", "benchmarks.child", program, json.dumps(program_input(program, fleet))]
    if profile is not None:
        command += ["--profile", str(profile)]
    with tempfile.TemporaryDirectory(prefix="upgrade-sim-tree.") as shim:
        cwd, env = ROOT, None
        if tree is not None:  # `sim` from the tree, the harness from here, through symbolic links
            (Path(shim) / "sim").symlink_to(tree / "sim", target_is_directory=True)
            (Path(shim) / "benchmarks").symlink_to(ROOT / "benchmarks", target_is_directory=True)
            cwd, env = Path(shim), {**os.environ, "PYTHONPATH": shim}
        started = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
    return Sample(process_s=elapsed, **json.loads(done.stdout))
