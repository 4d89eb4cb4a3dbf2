"""`--verify`: real rolling upgrades and crashes next to the model's figures for the same cases.

Each real case runs `repetitions` times; its mean is compared with the simulation (run
with the calibrated profile and the real dataset's size) under `Tolerance`; a figure
outside it fails the verification (the CLI exits 1). Why these tolerances: README
"Calibrate".
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

from sim.calibrate.calibration import Progress
from sim.calibrate.client import connect, fill
from sim.calibrate.measure import DATA_CONFIG, full_sync
from sim.calibrate.model import crash_document, simulate, upgrade_document
from sim.calibrate.profile import Profile
from sim.calibrate.rolling import CrashRun, UpgradeRun, crash, rolling_upgrade
from sim.calibrate.servers import ServerPool

__all__ = ["Tolerance", "TIGHT", "Row", "Verification", "verify", "verify_steps"]


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How far a simulated figure may be from the measured mean and still count as a match.

    `duration_factor`: the larger of simulated ÷ measured and its inverse, at most.
    `unavailable_sigmas`: the unavailable time may differ by this many standard errors of
    the measured mean — each FAILOVER pauses writes for a random 0-1 s (see
    `measure.planned_failover`), so that error is the calibrated failovers' standard
    deviation × √(failovers per upgrade) ÷ √runs — and always by `unavailable_floor_s`.
    `crash_sigmas`: the writes lost in the crashes may differ from the model's total by
    this many standard deviations of a Poisson count, plus one write.
    """

    duration_factor: float
    unavailable_sigmas: float
    unavailable_floor_s: float
    crash_sigmas: float


#: The standard deviation of a pause anywhere in 0-1 s (1 ÷ √12): what one FAILOVER sample cannot tell.
UNIFORM_PAUSE_SD_S = 1 / math.sqrt(12)
#: What `calibrate --verify` and `make bench` hold the model to (README "Calibrate" says why).
TIGHT = Tolerance(duration_factor=1.2, unavailable_sigmas=3.0, unavailable_floor_s=0.1, crash_sigmas=3.0)


@dataclass(frozen=True, slots=True)
class Row:
    """One figure: measured (mean over the runs) next to simulated, and whether they match."""

    figure: str
    measured: float
    simulated: float
    rule: str
    ok: bool

    @property
    def ratio(self) -> float | None:
        """simulated ÷ measured (None when nothing was measured)."""
        return self.simulated / self.measured if self.measured else None

    def cells(self) -> tuple[str, str, str, str, str, str]:
        """The row as printed: figure, measured, simulated, ratio, rule, verdict."""
        def number(value: float) -> str:
            return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"

        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}"
        return (self.figure, number(self.measured), number(self.simulated), ratio, self.rule,
                "yes" if self.ok else "NO")


@dataclass(frozen=True, slots=True)
class Verification:
    """The real runs, the model's figures for the same cases, and the comparison."""

    upgrades: list[UpgradeRun]
    crashes: list[CrashRun]
    planned: dict[str, Any]
    unplanned: dict[str, Any]
    rows: list[Row]

    @property
    def ok(self) -> bool:
        """True when every simulated figure is within its tolerance."""
        return all(row.ok for row in self.rows)


def verify_steps(repetitions: int) -> int:
    """How many progress steps a verification makes."""
    return 1 + 2 * repetitions


def verify(pool: ServerPool, profile: Profile, repetitions: int = 5, write_rate: int = 1000,
           tolerance: Tolerance = TIGHT, progress: Progress | None = None) -> Verification:
    """Run the real cases `repetitions` times each, on a dataset of the profile's size, and
    compare them with the model run with the profile.

    Raises CalibrationError when a server fails or a wait times out.
    """
    total, done = verify_steps(repetitions), [0]

    def step(what: str) -> None:
        done[0] += 1
        if progress is not None:
            progress(what, done[0], total)

    master, replica = pool.add("verify-master", *DATA_CONFIG), pool.add("verify-replica")
    pool.start(master)
    loader = connect(master.port, timeout_s=3600)
    fill(loader, profile.requested_bytes)
    loader.close()
    pool.start(replica)
    full_sync(pool, replica, master)
    step("verify: a replicated pair, filled and in sync")
    upgrades = []
    for n in range(repetitions):
        upgrades.append(rolling_upgrade(pool, master, replica, write_rate, f"upgrade{n}"))
        step("verify: a real rolling upgrade (preserve_roles)")
    for server in (master, replica):
        pool.stop(server)
    first, second = pool.add("crash-a"), pool.add("crash-b")
    pool.start(first)
    pool.start(second)
    full_sync(pool, second, first)
    crashes = []
    for n in range(repetitions):
        crashes.append(crash(pool, first, second, write_rate, f"crash{n}"))
        first, second = second, first
        step("verify: SIGKILL of a master under load, replica promoted")
    bytes_, keys = round(statistics.fmean(u.dataset_bytes for u in upgrades)), upgrades[0].keys
    timing = profile.timing()
    planned = simulate(upgrade_document(timing, bytes_, keys, write_rate))
    unplanned = simulate(crash_document(timing, 0, 0, write_rate))
    samples = profile.measurements["planned_failover_s"].samples
    spread = statistics.stdev(samples) if len(samples) > 1 else UNIFORM_PAUSE_SD_S
    rows = compare(upgrades, crashes, planned, unplanned, spread, tolerance)
    return Verification(upgrades, crashes, planned, unplanned, rows)


def compare(upgrades: list[UpgradeRun], crashes: list[CrashRun], planned: dict[str, Any], unplanned: dict[str, Any],
            failover_sd_s: float, tolerance: Tolerance) -> list[Row]:
    """The rows of the verification table (measured means against simulated figures);
    `failover_sd_s` is the standard deviation of the calibrated FAILOVER samples."""
    duration = statistics.fmean(u.duration_s for u in upgrades)
    unavailable = statistics.fmean(u.unavailable_s for u in upgrades)
    lost = statistics.fmean(u.writes_lost for u in upgrades)
    factor = max(planned["upgrade_duration_s"] / duration, duration / planned["upgrade_duration_s"])
    error = failover_sd_s * math.sqrt(planned["failovers"]["planned"] / len(upgrades))
    allowed = max(tolerance.unavailable_sigmas * error, tolerance.unavailable_floor_s)
    rows = [
        Row("upgrade duration (s)", duration, planned["upgrade_duration_s"],
            f"within a factor {tolerance.duration_factor:g}", factor <= tolerance.duration_factor),
        Row("unavailable to writes (s)", unavailable, planned["downtime_s"],
            f"within ±{allowed:.2f} s ({tolerance.unavailable_sigmas:g} standard errors)",
            abs(planned["downtime_s"] - unavailable) <= allowed),
        Row("acknowledged writes lost, planned", lost, planned["writes_lost"], "equal",
            lost == planned["writes_lost"]),
    ]
    real = sum(c.writes_lost for c in crashes)
    model = unplanned["writes_lost"] * len(crashes)
    slack = tolerance.crash_sigmas * math.sqrt(max(model, 1.0)) + 1
    rows.append(Row(f"acknowledged writes lost, {len(crashes)} crash(es)", real, model,
                    f"within {tolerance.crash_sigmas:g} sigma + 1 (±{slack:.1f})", abs(real - model) <= slack))
    return rows
