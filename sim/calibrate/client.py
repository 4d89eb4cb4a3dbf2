"""Talking to the servers with redis-py: connections, INFO fields, readiness, sync, filling data.

Connections never retry on their own (redis-py's default retries would hide the very
failures the measurements time), and every wait has a deadline.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from sim.calibrate.errors import CalibrationError

__all__ = ["connect", "is_ready", "info", "wait_until", "is_in_sync", "fill", "dataset_size", "HOST",
           "VALUE_BYTES"]

HOST = "127.0.0.1"
#: Size of each value written by `fill` (our choice: a common size for cached objects).
VALUE_BYTES = 1000
_POLL_S = 0.0005


def connect(port: int, timeout_s: float = 10.0) -> redis.Redis:
    """A client of the server on `port` that fails fast instead of retrying."""
    return redis.Redis(host=HOST, port=port, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                       retry=Retry(NoBackoff(), 0))


def is_ready(port: int) -> bool:
    """True when the server answers PING (not LOADING, not refusing connections)."""
    client = connect(port, timeout_s=1.0)
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError):
        return False  # BusyLoadingError (LOADING) is a ConnectionError
    finally:
        client.close()


def info(client: redis.Redis, section: str) -> dict[str, Any]:
    """One INFO section as a dict."""
    return dict(client.info(section))


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str, poll_s: float = _POLL_S) -> float:
    """Poll `condition` until true; returns the seconds waited. CalibrationError after `timeout_s`."""
    begin = time.perf_counter()
    while not condition():
        if time.perf_counter() - begin > timeout_s:
            raise CalibrationError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(poll_s)
    return time.perf_counter() - begin


def is_in_sync(replica: redis.Redis) -> bool:
    """The replica's link to its master is up and its data loaded (a full sync has ended)."""
    replication = info(replica, "replication")
    if replication.get("role") != "slave" or replication.get("master_link_status") != "up":
        return False
    return not replication.get("master_sync_in_progress") and not info(replica, "persistence").get("loading")


def dataset_size(client: redis.Redis) -> tuple[int, int]:
    """(bytes, keys): the dataset's size in memory (`used_memory_dataset`, what a scenario's
    `dataset.bytes` means) and its key count."""
    return int(info(client, "memory")["used_memory_dataset"]), int(client.dbsize())


def fill(client: redis.Redis, size: int) -> tuple[int, int]:
    """Fill an empty server with about `size` bytes of `VALUE_BYTES` values (DEBUG POPULATE);
    returns `dataset_size` afterwards.

    A first tenth measures the memory one key takes; the rest is computed from it.
    """
    base, _ = dataset_size(client)
    first = max(1, size // (VALUE_BYTES + 100) // 10)
    client.execute_command("DEBUG", "POPULATE", first, "key:a", VALUE_BYTES)
    used, keys = dataset_size(client)
    per_key = max(1.0, (used - base) / max(1, keys))
    rest = int((size - (used - base)) / per_key)
    if rest > 0:
        client.execute_command("DEBUG", "POPULATE", rest, "key:b", VALUE_BYTES)
    return dataset_size(client)
