"""One repetition of each measurement of the timing profile (SPEC §6, §13), on real servers.

Each function times one thing and returns seconds; `calibration` turns them into the
profile's figures. Durations use `time.perf_counter` (monotonic): this is the real world,
not the simulation.
"""
from __future__ import annotations

import shutil
import statistics
import time

import redis

from sim.calibrate.client import HOST, connect, info, is_in_sync, wait_until
from sim.calibrate.errors import CalibrationError
from sim.calibrate.servers import Server, ServerPool

__all__ = ["restart", "load", "full_sync", "planned_failover", "replication_lag", "wait_in_sync",
           "accepts_writes", "wipe", "purge", "DATA_CONFIG", "AOF_CONFIG", "PROBE_KEY"]

#: Pure command-log AOF: the model's "AOF about twice the RDB time" is about that format
#: (with an RDB preamble, an AOF loads at RDB speed).
DATA_CONFIG = ("--aof-use-rdb-preamble", "no")
AOF_CONFIG = DATA_CONFIG + ("--appendonly", "yes")
#: Written by the failover probe; not part of any writer's ledger.
PROBE_KEY = "calibrate:probe"
_SYNC_TIMEOUT_S = 3600.0
_FAILOVER_TIMEOUT_S = 60.0
_LAG_POLL_S = 0.002


def restart(pool: ServerPool, server: Server) -> float:
    """Stop `server` and start it again; seconds from its start to its first PING answer."""
    pool.stop(server)
    return pool.start(server)


def load(pool: ServerPool, server: Server, aof: bool) -> float:
    """Restart a server holding data from its RDB file (or its AOF); seconds until loaded."""
    pool.stop(server)
    server.config = AOF_CONFIG if aof else DATA_CONFIG
    return pool.start(server)


def write_files(client: redis.Redis) -> None:
    """Persist the dataset both ways: `dump.rdb` (SAVE), then `appendonly.aof` (turning AOF
    on rewrites the log from the dataset); the server runs with AOF on afterwards."""
    client.save()
    client.config_set("appendonly", "yes")

    def rewritten() -> bool:
        persistence = info(client, "persistence")
        return not persistence["aof_rewrite_in_progress"] and not persistence["aof_rewrite_scheduled"]

    wait_until(rewritten, _SYNC_TIMEOUT_S, "the AOF rewrite", poll_s=0.01)
    if info(client, "persistence").get("aof_last_bgrewrite_status") != "ok":
        raise CalibrationError("the AOF rewrite failed (see the server's log)")


def wait_in_sync(replica: Server, what: str) -> float:
    """Wait until `replica` is in sync with its master; returns the seconds waited."""
    client = connect(replica.port)
    try:
        return wait_until(lambda: is_in_sync(client), _SYNC_TIMEOUT_S, what)
    finally:
        client.close()


def full_sync(pool: ServerPool, replica: Server, master: Server) -> float:
    """Restart `replica` empty, make it a replica of `master`; seconds from REPLICAOF until in sync.

    The replica's old files are moved aside (`wipe`): call `purge` once timing is over."""
    pool.stop(replica)
    wipe(replica)
    pool.start(replica)
    client = connect(replica.port)
    try:
        begin = time.perf_counter()
        client.replicaof(HOST, master.port)
        wait_until(lambda: is_in_sync(client), _SYNC_TIMEOUT_S, f"{replica.name} to sync from {master.name}")
        return time.perf_counter() - begin
    finally:
        client.close()


def wipe(server: Server) -> None:
    """Move a stopped server's data files aside so that it restarts empty (a rename is
    instant, unlike deleting a large file); `purge` deletes them later, outside any timing."""
    aside = server.folder / "old"
    aside.mkdir(exist_ok=True)
    for pattern in ("*.rdb", "*.aof", "appendonlydir"):
        for path in server.folder.glob(pattern):
            path.rename(aside / f"{len(list(aside.iterdir()))}-{path.name}")


def purge(server: Server) -> None:
    """Delete the files `wipe` moved aside (ours, in our temporary folder)."""
    shutil.rmtree(server.folder / "old", ignore_errors=True)


def accepts_writes(client: redis.Redis) -> bool:
    """True when a write to this server is acknowledged (it is a master, not paused)."""
    try:
        return bool(client.set(PROBE_KEY, 1))
    except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError):
        return False


def planned_failover(master: Server, replica: Server) -> float:
    """FAILOVER on `master`; seconds until `replica`, promoted, acknowledges a write.

    Redis 6.2 completes a FAILOVER only once the replica has acknowledged the master's
    offset, and a replica acknowledges once a second, on a timer that starts with its
    process: under writes the pause lasts 0-1 s, the rest of the replica's current second
    (measured: about 0.92 s minus the fraction of a second elapsed since its start)."""
    old, new = connect(master.port), connect(replica.port)
    try:
        begin = time.perf_counter()
        old.execute_command("FAILOVER")
        try:
            wait_until(lambda: accepts_writes(new), _FAILOVER_TIMEOUT_S, f"FAILOVER {master.name} -> {replica.name}")
        except CalibrationError:
            old.execute_command("FAILOVER", "ABORT")
            raise
        return time.perf_counter() - begin
    finally:
        old.close()
        new.close()


def replication_lag(master: Server, replica: Server, seconds: float) -> float:
    """Mean replication lag (s) under the write load already running: the master's offset
    minus the replica's, sampled every 2 ms, divided by the rate the offset grows at.

    Each sample reads the master's offset before and after the replica's and takes their
    mean, so the time between the reads does not bias the lag.
    """
    primary, secondary = connect(master.port), connect(replica.port)
    try:
        def offset(client: redis.Redis, field: str) -> int:
            return int(info(client, "replication")[field])

        first, begin, lags = offset(primary, "master_repl_offset"), time.perf_counter(), []
        while time.perf_counter() - begin < seconds:
            before = offset(primary, "master_repl_offset")
            behind = offset(secondary, "slave_repl_offset")
            after = offset(primary, "master_repl_offset")
            lags.append((before + after) / 2 - behind)
            time.sleep(_LAG_POLL_S)
        rate = (offset(primary, "master_repl_offset") - first) / (time.perf_counter() - begin)
    finally:
        primary.close()
        secondary.close()
    if rate <= 0:
        raise CalibrationError("the replication offset did not grow: no write load reached the master")
    return max(0.0, statistics.fmean(lags)) / rate
