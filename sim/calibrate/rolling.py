"""The real cases of `--verify`, on a replicated pair of servers under a steady write load.

Planned: the rolling upgrade `preserve_roles` makes (SPEC §3) — restart the replica (empty:
a shard without persistence), full sync, FAILOVER, restart the old master, full sync,
FAILOVER back. Unplanned: SIGKILL the master mid-load and promote its replica
(REPLICAOF NO ONE), as the failover does. Both count the acknowledged writes the surviving
data lacks; the planned one also times the whole upgrade and what the client saw.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sim.calibrate import measure
from sim.calibrate.client import connect, dataset_size, wait_until
from sim.calibrate.load import Writer, outages
from sim.calibrate.servers import Server, ServerPool

__all__ = ["UpgradeRun", "CrashRun", "rolling_upgrade", "crash", "WARM_UP_S"]

#: Writes before the upgrade starts and after it ends, so the first and last gaps are bounded.
WARM_UP_S = 0.3
#: How long the load runs on the master before the unplanned crash.
CRASH_AFTER_S = 1.0


@dataclass(frozen=True, slots=True)
class UpgradeRun:
    """One real rolling upgrade: what the model is compared with."""

    duration_s: float
    syncs_s: float  # the two restarts with their full syncs, each from the stop until in sync
    pauses_s: float  # the two FAILOVERs, each from the command until the new master took a write
    unavailable_s: float
    stalls_s: float  # unavailable outside the FAILOVER pauses (fork stalls, a starved machine)
    outages: int
    longest_outage_s: float
    writes_acked: int
    writes_lost: int
    failed_writes: int
    dataset_bytes: int
    keys: int


@dataclass(frozen=True, slots=True)
class CrashRun:
    """One real unplanned failover: acknowledged writes before the crash, and those lost."""

    writes_acked: int
    writes_lost: int


def restart_replica(pool: ServerPool, replica: Server, master: Server) -> None:
    """Stop the replica, start it empty (no persistence), resync it fully from `master`."""
    measure.full_sync(pool, replica, master)


def rolling_upgrade(pool: ServerPool, master: Server, replica: Server, write_rate: int, label: str) -> UpgradeRun:
    """Upgrade the pair (`master` keeps its role at the end) under `write_rate` writes/s."""
    client = connect(master.port)
    dataset, keys = dataset_size(client)
    client.close()
    windows: list[tuple[float, float]] = []  # the FAILOVER pauses, from the command to the first write taken
    with Writer([master.port, replica.port], write_rate, prefix=f"{label}:") as writer:
        time.sleep(WARM_UP_S)
        begin = time.perf_counter()
        syncs = _timed(lambda: restart_replica(pool, replica, master))
        windows.append(_window(lambda: measure.planned_failover(master, replica)))
        syncs += _timed(lambda: restart_replica(pool, master, replica))
        windows.append(_window(lambda: measure.planned_failover(replica, master)))
        end = time.perf_counter()
        time.sleep(WARM_UP_S)
    for server in (master, replica):
        measure.purge(server)
    measure.wait_in_sync(replica, f"{replica.name} to resync after the last FAILOVER")
    gaps = outages(writer.attempts, begin, end)
    final = connect(master.port)
    try:
        lost = writer.lost_on(final)
    finally:
        final.close()
    stalls = sum(b - a for a, b in gaps if not any(a <= w_end and b >= w_begin for w_begin, w_end in windows))
    return UpgradeRun(end - begin, syncs, sum(b - a for a, b in windows), sum(b - a for a, b in gaps), stalls,
                      len(gaps), max((b - a for a, b in gaps), default=0.0), len(writer.acked), lost, writer.failures,
                      dataset, keys)


def _window(action: Callable[[], float]) -> tuple[float, float]:
    begin = time.perf_counter()
    action()
    return begin, time.perf_counter()


def _timed(action: Callable[[], None]) -> float:
    begin = time.perf_counter()
    action()
    return time.perf_counter() - begin


def crash(pool: ServerPool, master: Server, replica: Server, write_rate: int, label: str) -> CrashRun:
    """SIGKILL `master` under load, promote `replica`; then restart the dead one as its replica."""
    with Writer([master.port, replica.port], write_rate, prefix=f"{label}:") as writer:
        time.sleep(CRASH_AFTER_S)
        killed_at = time.perf_counter()
        pool.kill(master)
        survivor = connect(replica.port)
        survivor.replicaof("NO", "ONE")
        wait_until(lambda: measure.accepts_writes(survivor), 60, f"{replica.name} to accept writes once promoted")
    try:
        lost = writer.lost_on(survivor)
    finally:
        survivor.close()
    restart_replica(pool, master, replica)  # the dead master comes back empty, as the new replica
    measure.purge(master)
    return CrashRun(sum(1 for t in writer.ack_times if t < killed_at), lost)
