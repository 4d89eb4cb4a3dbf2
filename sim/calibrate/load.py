"""A steady write load from one client, with the ledger of every write the servers acknowledged.

The writer runs in a thread: `SET w:N N` at `rate` writes per second (N = 1, 2, …; a slot
missed while a write was blocked is not made up), always against the server that says it
is the master — after an error (READONLY, connection refused) it asks each server's
`ROLE`, as a proxy in front of the database would. It records each acknowledged N with the
time of its acknowledgement; what the client saw as unavailability is read from that
ledger: the gaps between consecutive acknowledgements longer than `GAP_S`.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import redis

from sim.calibrate.client import connect

__all__ = ["Writer", "GAP_S", "outages"]

#: A gap between two acknowledged writes longer than this counts as unavailability (our
#: choice: well above the writer's pacing (1 ms at 1,000 writes/s) and a thread switch
#: (5 ms), well below a failover).
GAP_S = 0.025
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
            try:
                self._clients[port].set(f"{self.prefix}{n}", n)
                self.acked.append(n)
                self.ack_times.append(time.perf_counter())
            except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError):
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


def outages(ack_times: Sequence[float], start: float, end: float, gap_s: float = GAP_S) -> list[tuple[float, float]]:
    """Intervals within [start, end] with no acknowledged write for longer than `gap_s`.

    The acknowledgements just outside the interval bound its first and last gaps, so an
    outage running across `start` or `end` is clipped, not missed.
    """
    before = [t for t in ack_times if t < start][-1:]
    inside = [t for t in ack_times if start <= t <= end]
    after = [t for t in ack_times if t > end][:1]
    times = before + inside + after
    found = []
    for a, b in zip(times, times[1:]):
        if b - a > gap_s:
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                found.append((lo, hi))
    return found
