"""The calibration section of `make bench`: the timing profile measured on this machine, and the
tight `--verify` comparison of the model with real rolling upgrades (SPEC §13).

    python -m benchmarks.bench_calibrate            # print the section (about 90 s)

Same as `upgrade-sim calibrate --bytes 200MB --repetitions 5 --verify`, written as markdown.
"""
from __future__ import annotations

import sys
import time

from benchmarks.markdown import table
from sim.calibrate import CalibrationError, Profile, ServerPool, calibrate, find_redis_server
from sim.calibrate.profile import describe
from sim.calibrate.verify import TIGHT, Verification, verify
from sim.errors import InputError

__all__ = ["measure", "section", "SIZE", "REPETITIONS", "WRITE_RATE"]

SIZE, REPETITIONS, WRITE_RATE = 200_000_000, 5, 1000
TITLE = "## Calibration against a real Redis"


def measure() -> str:
    """Calibrate and verify on real servers; the markdown section (or a line saying why not)."""
    try:
        binary = find_redis_server()
    except InputError as err:
        return f"{TITLE}\n\nSkipped: {err}"
    started = time.perf_counter()
    try:
        with ServerPool(binary) as pool:
            profile = calibrate(pool, SIZE, REPETITIONS, WRITE_RATE, progress=_say)
            result = verify(pool, profile, REPETITIONS, WRITE_RATE, TIGHT, progress=_say)
    except CalibrationError as err:
        return f"{TITLE}\n\nFailed: {err}"
    return section(profile, result, time.perf_counter() - started)


def section(profile: Profile, result: Verification, seconds: float) -> str:
    """The markdown of one calibration and its verification."""
    timing = profile.timing()
    profile_rows = [(f"`{key}`", describe(key, timing[key]), profile.measurements[key].spread()) for key in timing]
    verify_rows = [row.cells() for row in result.rows]
    upgrade = result.upgrades[0]
    return "\n\n".join([
        TITLE,
        f"`upgrade-sim calibrate --bytes {SIZE // 1_000_000}MB --repetitions {REPETITIONS} --verify` "
        f"({seconds:.0f} s): redis-server {profile.binary.version} ({profile.binary.origin}), "
        f"{profile.dataset_bytes:,} bytes in {profile.keys:,} keys, {WRITE_RATE:,} writes/s during syncs, "
        "failovers and the verification; the median of the samples is kept.",
        table(("timing key", "measured", "min .. max (samples, spread)"), profile_rows),
        f"Verification: {len(result.upgrades)} real rolling upgrades (`preserve_roles`: restart the replica, "
        f"full sync, FAILOVER, restart the old master, full sync, FAILOVER back) of a pair holding "
        f"{upgrade.dataset_bytes:,} bytes, and {len(result.crashes)} SIGKILLs of a master, against the "
        "simulation of the same cases with this profile (measured: mean over the runs).",
        table(("figure", "measured", "simulated", "sim/real", "tolerance", "ok"), verify_rows),
        result.stalls_note()[0].upper() + result.stalls_note()[1:] + ".",
        "Every simulated figure within its tolerance." if result.ok else "**Outside the tolerance**: "
        + "; ".join(r.figure for r in result.rows if not r.ok) + ".",
    ])


def _say(what: str, done: int, total: int) -> None:
    print(f"calibrate: {done}/{total} {what}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    print(measure())
