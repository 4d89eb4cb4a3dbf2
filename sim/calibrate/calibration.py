"""Measure the whole timing profile: the servers, the order of the measurements, the figures.

Order: empty restarts; fill one server with SIZE bytes and persist it both ways; RDB and
AOF reloads; then, under a steady write load, the step an upgrade repeats — restart the
replica empty, full sync, FAILOVER to it (roles alternate) — and the replication lag.
Redis 6.2 completes a FAILOVER at the replica's next once-a-second acknowledgement,
counted from the replica's start, so right after a sync its pause depends on how long the
restart and sync took (see `measure.planned_failover`); each timed FAILOVER therefore
waits a different fraction of a second first (`phase`), and the median is the pause to
expect for any dataset.
A reload's figure is SIZE ÷ (reload time − the median empty restart), because the model
adds a load to a restart (SPEC §6): restart + load = what was measured.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, UTC

from sim.calibrate import measure
from sim.calibrate.client import VALUE_BYTES, connect, fill
from sim.calibrate.errors import CalibrationError
from sim.calibrate.load import Writer
from sim.calibrate.profile import KEYS, Measurement, Profile, describe_machine
from sim.calibrate.servers import ServerPool
from sim.stopping import raise_if_stopped

__all__ = ["calibrate", "steps", "restarts", "phase", "Progress", "LAG_WINDOW_S", "MIN_RESTARTS"]

#: Called after each step: (what was just done, steps done, steps in all).
Progress = Callable[[str, int, int], None]
#: The fewest empty restarts timed, whatever the repetitions.
MIN_RESTARTS = 5
#: Seconds of offset sampling per repetition of the lag measurement.
LAG_WINDOW_S = 1.0
#: The smallest lag written (1 µs): below it, the replica was never measurably behind.
_LAG_FLOOR_S = 1e-6


def restarts(repetitions: int) -> int:
    """Empty restarts timed: at least `MIN_RESTARTS` (each takes milliseconds, and their median
    is subtracted from every reload: one slow sample must not swallow a load)."""
    return max(MIN_RESTARTS, repetitions)


def steps(repetitions: int) -> int:
    """How many progress steps a calibration makes."""
    return 2 + restarts(repetitions) + 4 * repetitions


def calibrate(pool: ServerPool, size: int, repetitions: int = 5, write_rate: float = 1000.0,
              progress: Progress | None = None) -> Profile:
    """Measure every figure `repetitions` times with a dataset of about `size` bytes.

    Raises CalibrationError when a server fails or a wait times out.
    """
    if repetitions < 1:
        raise ValueError("at least one repetition")
    total, done = steps(repetitions), [0]

    def step(what: str) -> None:
        raise_if_stopped()  # a stop Python swallowed (in a `__del__` of a connection, say) still stops here
        done[0] += 1
        if progress is not None:
            progress(what, done[0], total)

    figures = {key: Measurement(key) for key in KEYS}
    probe = pool.add("restart")
    pool.start(probe)
    for _ in range(restarts(repetitions)):
        figures["shard_restart_s"].samples.append(measure.restart(pool, probe))
        step("restart of an empty server")
    pool.stop(probe)

    master = pool.add("master", *measure.DATA_CONFIG)
    pool.start(master)
    loader = connect(master.port, timeout_s=3600)
    dataset, keys = fill(loader, size)
    measure.write_files(loader)
    loader.close()
    step(f"filled {dataset:,} bytes, wrote dump.rdb and appendonly.aof")

    restart_s = figures["shard_restart_s"].value
    for aof, key in ((False, "rdb_load_bytes_per_s"), (True, "aof_load_bytes_per_s")):
        for _ in range(repetitions):
            figures[key].samples.append(_rate(dataset, measure.load(pool, master, aof) - restart_s, key))
            step(f"{'AOF' if aof else 'RDB'} reload")
    measure.load(pool, master, aof=False)  # back to running without AOF, as the syncs expect

    replica = pool.add("replica")
    pool.start(replica)
    notes: list[str] = []
    # under the write load from here on, as in --verify's rolling upgrade: a database syncs
    # while its clients write (on a 2-core machine the load visibly slows the sync)
    with Writer([master.port, replica.port], write_rate, prefix="calibrate:w:"):
        for n in range(repetitions):
            seconds = measure.full_sync(pool, replica, master)
            figures["full_sync_bytes_per_s"].samples.append(_rate(dataset, seconds, "full_sync_bytes_per_s"))
            time.sleep(phase(n))
            figures["planned_failover_s"].samples.append(measure.planned_failover(master, replica))
            measure.wait_in_sync(master, f"{master.name} to resync after the FAILOVER")
            measure.purge(replica)
            master, replica = replica, master
            step("restart, full sync and FAILOVER, as an upgrade does")
        for _ in range(repetitions):
            lag = measure.replication_lag(master, replica, LAG_WINDOW_S)
            if lag < _LAG_FLOOR_S:
                notes.append(f"a replication lag below {_LAG_FLOOR_S:g} s was written as {_LAG_FLOOR_S:g} s")
                lag = _LAG_FLOOR_S
            figures["replication_lag_s"].samples.append(lag)
            step("replication lag under the write load")
    step("done")
    date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Profile(figures, pool.binary, size, dataset, keys, VALUE_BYTES, repetitions, write_rate, date,
                   describe_machine(), sorted(set(notes)))


def phase(k: int) -> float:
    """The wait before the k-th timed FAILOVER: fractions of a second spread evenly over the
    replica's once-a-second acknowledgement (golden-ratio steps), so that the median is the
    pause to expect whatever the dataset's sync time, not the one this SIZE happens to give."""
    return (k * 0.6180339887498949) % 1.0


def _rate(size: int, seconds: float, key: str) -> float:
    if seconds <= 0:
        raise CalibrationError(f"{key}: the load was too quick to time against a restart: use a larger --bytes")
    return size / seconds
