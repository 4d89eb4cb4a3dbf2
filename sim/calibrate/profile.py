"""The measured timing profile: figures (medians), their spread, and the YAML file written from them.

The file is a `timing:` mapping with the keys of SPEC §6 (the names of
`sim.model.timing.Timing`), read back by `sim.scenario.load_timing` and so by `--timing`,
under a header comment saying what was measured, where and how. Keys that are not
measured (failure detection, unplanned failover) are absent: the scenario's values apply.
"""
from __future__ import annotations

import math
import os
import platform
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from sim.calibrate.binary import RedisBinary
from sim.errors import InputError
from sim.outfile import starts_with, write_atomically

__all__ = ["Measurement", "Profile", "KEYS", "MARK", "check_out", "write_profile", "describe_machine",
           "positional", "describe"]

#: The figures measured, in the order of SPEC §6.
KEYS = ("shard_restart_s", "rdb_load_bytes_per_s", "aof_load_bytes_per_s", "full_sync_bytes_per_s",
        "planned_failover_s", "replication_lag_s")
#: First line of every profile this command writes: only such a file is ever overwritten.
MARK = "# upgrade-sim calibrate: a timing profile measured on real redis-server processes"


@dataclass(slots=True)
class Measurement:
    """The samples of one figure (one or more per repetition); the median is kept."""

    key: str
    samples: list[float] = field(default_factory=list)

    @property
    def value(self) -> float:
        """The median of the samples."""
        return statistics.median(self.samples)

    def spread(self) -> str:
        """`min .. max (n samples, ±x % of the median)`."""
        low, high, mid = min(self.samples), max(self.samples), self.value
        width = (high - low) / 2 / mid * 100 if mid > 0 else 0.0
        count = f"{len(self.samples)} sample{'' if len(self.samples) == 1 else 's'}"
        return f"{describe(self.key, low)} .. {describe(self.key, high)} ({count}, ±{width:.0f} %)"


@dataclass(slots=True)
class Profile:
    """A calibration's result and the facts the file's header records."""

    measurements: dict[str, Measurement]
    binary: RedisBinary
    requested_bytes: int
    dataset_bytes: int
    keys: int
    value_bytes: int
    repetitions: int
    write_rate: float
    date: str
    machine: str
    notes: list[str] = field(default_factory=list)

    def timing(self) -> dict[str, float]:
        """The profile as `timing:` values, rounded as written in the file."""
        return {key: float(positional(self.measurements[key].value, key)) for key in KEYS}

    def text(self) -> str:
        """The YAML file: header comment, then `timing:`."""
        lines = [MARK, "# Use it with: upgrade-sim run SCENARIO --timing FILE (also check, sweep, serve).",
                 f"# redis-server {self.binary.describe()}",
                 f"# dataset: --bytes {self.requested_bytes:,} requested; {self.dataset_bytes:,} bytes in memory "
                 f"(used_memory_dataset), {self.keys:,} keys of {self.value_bytes:,}-byte values",
                 f"# write load: {self.write_rate:g} writes/s from one client (failover and lag measurements)",
                 f"# machine: {self.machine}",
                 f"# date: {self.date}",
                 f"# repetitions: {self.repetitions} (the median is kept); spread over the samples:"]
        width = max(len(k) for k in KEYS)
        lines += [f"#   {key:<{width}}  {self.measurements[key].spread()}" for key in KEYS]
        lines += [f"# note: {note}" for note in self.notes]
        lines.append("# Not measured (the scenario's values or the defaults apply): failure_detection_s, "
                     "unplanned_failover_s.")
        lines.append("timing:")
        lines += [f"  {key}: {positional(self.measurements[key].value, key)}" for key in KEYS]
        return "\n".join(lines) + "\n"


def positional(value: float, key: str) -> str:
    """A figure as written in the file: rates in whole bytes/s, durations with 4 significant
    digits, never in exponent notation (YAML would read `1e-05` as a string)."""
    if not math.isfinite(value):
        raise ValueError(f"{key}: {value} is not a finite figure")
    if key.endswith("_bytes_per_s"):
        return str(max(1, round(value)))
    if value == 0:
        return "0.0"
    decimals = max(1, 3 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


def describe(key: str, value: float) -> str:
    """A figure for people: `123.4 MB/s` for a rate, `0.5000 s` for a duration."""
    return f"{value / 1e6:,.1f} MB/s" if key.endswith("_bytes_per_s") else f"{positional(value, key)} s"


def check_out(path: Path) -> None:
    """InputError unless `path` may be written: absent, or a profile this command wrote."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; --out names the profile file to write")
    if path.exists():
        if not starts_with(path, MARK + "\n"):
            raise InputError(f"{path}: exists and is not a profile written by upgrade-sim calibrate; "
                             "choose another --out (it is never overwritten)")
    if not path.parent.exists():
        raise InputError(f"{path}: its folder {path.parent} does not exist")


def write_profile(profile: Profile, path: Path) -> None:
    """Write the profile file atomically (a temporary sibling renamed over it when complete)."""
    check_out(path)
    write_atomically(path, profile.text())  # not after a stop, even one Python swallowed


def describe_machine() -> str:
    """CPU model and count, OS and Python: `AMD EPYC, 2 cores; Linux 6.1 x86_64; Python 3.11.7`."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()} {platform.machine()}; "
            f"Python {platform.python_version()}")
