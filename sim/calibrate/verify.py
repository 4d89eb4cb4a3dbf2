"""`--verify`: real rolling upgrades and crashes next to the model's figures for the same cases.

Each real case runs `repetitions` times; the means are compared with the simulation of the
same case (the real dataset's size, the writer's rate) under `Tolerance`; a figure outside
it fails the verification (the CLI exits 1).

Redis 6.2's FAILOVER pauses writes until the replica's next once-a-second acknowledgement:
0-1 s, set by sub-second timing no constant can predict run by run (the profile holds its
median). So the table compares twice: with the calibrated profile as it is (duration and
unavailable time allowed the pause's 0-1 s range), and with the profile whose
`planned_failover_s` is the mean pause these runs really had — which checks, tightly, the
rest of the model: restarts and syncs add up to the duration, and clients lose writes only
while a failover pauses them. Why these bounds: README "Calibrate".
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
from sim.stopping import raise_if_stopped

__all__ = ["Tolerance", "TIGHT", "Row", "Verification", "verify", "verify_steps", "compare", "sync_bound"]


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How far a simulated figure may be from the measured mean and still count as a match.

    Restarts and syncs: `sync_sigmas` standard errors of the difference between the
    calibrated median and the runs' mean, from the spread of both (relative standard
    deviation `single_spread` where one sample gives none), and never less than
    `sync_floor` of their measured time. FAILOVER pauses lie anywhere in
    [0, `pause_range_s`]: with the profile's figure p, each may be off by max(p, range - p).
    Client-visible unavailability may differ from the simulated downtime by
    `unavailable_s` (the writer's pacing, its 25 ms threshold for a held write, finding the new master).
    Writes lost in crashes: `crash_sigmas` standard deviations of a Poisson count, plus one.
    """

    sync_sigmas: float
    sync_floor: float
    single_spread: float
    pause_range_s: float
    unavailable_s: float
    crash_sigmas: float


#: What `calibrate --verify` and `make bench` hold the model to (README "Calibrate" says why).
TIGHT = Tolerance(sync_sigmas=3.0, sync_floor=0.10, single_spread=0.25, pause_range_s=1.0, unavailable_s=0.1,
                  crash_sigmas=3.0)


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
    """The real runs, the model's figures for the same cases, and the comparison.

    `planned`: the upgrade simulated with the calibrated profile; `paused`: with the
    measured mean FAILOVER pause instead of the profile's; `unplanned`: one crash."""

    upgrades: list[UpgradeRun]
    crashes: list[CrashRun]
    planned: dict[str, Any]
    paused: dict[str, Any]
    unplanned: dict[str, Any]
    rows: list[Row]

    @property
    def ok(self) -> bool:
        """True when every simulated figure is within its tolerance."""
        return all(row.ok for row in self.rows)

    def stalls_note(self) -> str:
        """What clients lost outside the FAILOVER pauses (the model has no such time)."""
        stalls = statistics.fmean(u.stalls_s for u in self.upgrades)
        return (f"unavailable outside the FAILOVER pauses (fork stalls, a starved machine; the model has none): "
                f"{stalls:.3f} s per upgrade on average")


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
        raise_if_stopped()  # a stop Python swallowed (in a `__del__` of a connection, say) still stops here
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
    pause = statistics.fmean(u.pauses_s for u in upgrades) / planned["failovers"]["planned"]
    paused = simulate(upgrade_document({**timing, "planned_failover_s": pause}, bytes_, keys, write_rate))
    unplanned = simulate(crash_document(timing, 0, 0, write_rate))
    syncs = [profile.dataset_bytes / rate for rate in profile.measurements["full_sync_bytes_per_s"].samples]
    rows = compare(upgrades, crashes, planned, paused, unplanned, timing["planned_failover_s"], syncs, tolerance)
    return Verification(upgrades, crashes, planned, paused, unplanned, rows)


def compare(upgrades: list[UpgradeRun], crashes: list[CrashRun], planned: dict[str, Any], paused: dict[str, Any],
            unplanned: dict[str, Any], profile_pause_s: float, sync_samples_s: list[float],
            tolerance: Tolerance) -> list[Row]:
    """The rows of the verification table: measured means against simulated figures.

    `sync_samples_s`: the calibration's full-sync times (their spread sets the bound on
    restarts and syncs)."""
    duration = statistics.fmean(u.duration_s for u in upgrades)
    unavailable = statistics.fmean(u.unavailable_s for u in upgrades)
    lost = statistics.fmean(u.writes_lost for u in upgrades)
    failovers = planned["failovers"]["planned"]
    steps = statistics.fmean(u.duration_s - u.pauses_s for u in upgrades)  # restarts and syncs, measured
    bound = steps * sync_bound([u.duration_s - u.pauses_s for u in upgrades], sync_samples_s, tolerance)
    # with the profile's pause p, each real pause in [0, range] may be off by max(p, range - p)
    slack = failovers * max(profile_pause_s, tolerance.pause_range_s - profile_pause_s)
    real = sum(c.writes_lost for c in crashes)
    model = unplanned["writes_lost"] * len(crashes)
    poisson = tolerance.crash_sigmas * math.sqrt(max(model, 1.0)) + 1
    return [
        Row("upgrade duration (s)", duration, planned["upgrade_duration_s"],
            f"±{bound + slack:.2f} s (syncs ±{bound:.2f}, pauses ±{slack:.2f})",
            abs(planned["upgrade_duration_s"] - duration) <= bound + slack),
        Row("unavailable to writes (s)", unavailable, planned["downtime_s"],
            f"±{slack + tolerance.unavailable_s:.2f} s (pauses are 0-{tolerance.pause_range_s:g} s)",
            abs(planned["downtime_s"] - unavailable) <= slack + tolerance.unavailable_s),
        Row("upgrade duration, with the real pauses (s)", duration, paused["upgrade_duration_s"],
            f"±{bound:.2f} s ({bound / steps:.0%} of the syncs)",
            abs(paused["upgrade_duration_s"] - duration) <= bound),
        Row("unavailable to writes, with the real pauses (s)", unavailable, paused["downtime_s"],
            f"±{tolerance.unavailable_s:g} s", abs(paused["downtime_s"] - unavailable) <= tolerance.unavailable_s),
        Row("acknowledged writes lost, planned", lost, planned["writes_lost"], "equal", lost == planned["writes_lost"]),
        Row(f"acknowledged writes lost, {len(crashes)} crash(es)", real, model,
            f"±{poisson:.1f} ({tolerance.crash_sigmas:g} sigma + 1)", abs(real - model) <= poisson),
    ]


def sync_bound(runs: list[float], samples: list[float], tolerance: Tolerance) -> float:
    """`sync_sigmas` relative standard errors of (runs' mean − samples' median), at least `sync_floor`.

    The median's standard error is taken as √(π/2) times the mean's (normal samples)."""
    def spread(values: list[float]) -> float:
        return statistics.stdev(values) / statistics.fmean(values) if len(values) > 1 else tolerance.single_spread

    error = math.sqrt(math.pi / 2 * spread(samples) ** 2 / len(samples) + spread(runs) ** 2 / len(runs))
    return max(tolerance.sync_floor, tolerance.sync_sigmas * error)
