"""A steady write load from one client, with the ledger of every write the servers acknowledged.

The writer runs in a thread: `SET w:N N` at `rate` writes per second (N = 1, 2, …; a slot
missed while a write was blocked is not made up), always against the server that says it
is the master — after an error (READONLY, connection refused) it asks each server's
`ROLE`, as a proxy in front of the database would. It keeps the ledger of acknowledged
writes and every attempt (start, end, acknowledged); what the client saw as unavailability
is read from the attempts: from the start of a write that failed or was held longer than
`SLOW_S` until the next write acknowledged (`outages`). A client that was merely late to
send (a starved thread) is not an unavailable server, and does not count.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import redis

from sim.calibrate.client import connect

__all__ = ["Writer", "Attempt", "SLOW_S", "outages"]

#: A write held longer than this counts as unavailability (our choice: a loopback write
#: takes ~0.1 ms and a thread switch up to 5 ms; a failover takes tens to hundreds).
SLOW_S = 0.025
#: One write: when it was sent, when it came back, whether it was acknowledged.
Attempt = tuple[float, float, bool]
_CLIENT_TIMEOUT_S = 10.0  # longer than a FAILOVER's pause (≤ 1 s), shorter than a hang
_BATCH = 1000


class Writer:
    """One client writing `rate` keys per second to whichever of `ports` is master."""

    def __init__(self, ports: Sequence[int], rate: float, prefix: str = "w:") -> None:
        if rate <= 0:
            raise ValueError("the write rate must be positive")
        self.ports, self.rate, self.prefix = list(ports), rate, prefix
        self.acked: list[int] = []
        self.ack_times: list[float] = []
        self.attempts: list[Attempt] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="calibrate-writer", daemon=True)
        self._clients = {port: connect(port, _CLIENT_TIMEOUT_S) for port in self.ports}

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop writing and wait for the thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2 * _CLIENT_TIMEOUT_S)
        for client in self._clients.values():
            client.close()

    def _run(self) -> None:
        port, n, due = self.ports[0], 0, time.perf_counter()
        while not self._stop.is_set():
            n += 1
            sent = time.perf_counter()
            try:
                self._clients[port].set(f"{self.prefix}{n}", n)
                back = time.perf_counter()
                self.acked.append(n)
                self.ack_times.append(back)
                self.attempts.append((sent, back, True))
            except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError):
                self.attempts.append((sent, time.perf_counter(), False))
                self.failures += 1
                port = self._find_master(port)
            due = max(due + 1 / self.rate, time.perf_counter() - 1 / self.rate)
            delay = due - time.perf_counter()
            if delay > 0:
                self._stop.wait(delay)

    def _find_master(self, current: int) -> int:
        for port in self.ports:
            try:
                if self._clients[port].execute_command("ROLE")[0] in (b"master", "master"):
                    return port
            except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError):
                continue
        self._stop.wait(0.001)
        return current

    def lost_on(self, client: redis.Redis) -> int:
        """How many acknowledged writes `client`'s server does not hold (the ledger against the data)."""
        lost = 0
        for start in range(0, len(self.acked), _BATCH):
            batch = self.acked[start:start + _BATCH]
            values = client.mget([f"{self.prefix}{n}" for n in batch])
            lost += sum(1 for n, value in zip(batch, values) if value is None or int(value) != n)
        return lost


def outages(attempts: Sequence[Attempt], start: float, end: float, slow_s: float = SLOW_S) -> list[tuple[float, float]]:
    """Intervals within [start, end] when the client could not get a write acknowledged: from
    the start of a write that failed or was held longer than `slow_s` until the end of the
    next acknowledged one (a held write that succeeds ends its own outage)."""
    found: list[tuple[float, float]] = []
    since: float | None = None
    for sent, back, acknowledged in attempts:
        if not acknowledged or back - sent > slow_s:
            since = sent if since is None else since
        if acknowledged and since is not None:
            found.append((since, back))
            since = None
    if since is not None and attempts:
        found.append((since, attempts[-1][1]))
    return [(max(a, start), min(b, end)) for a, b in found if min(b, end) > max(a, start)]
