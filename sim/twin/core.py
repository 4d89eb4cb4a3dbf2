"""The live session behind the REST twin: one call at a time, each at the simulated instant it
arrives, and GET bodies serialised from the live state once per simulated instant.

`Twin` knows nothing of HTTP: the FastAPI routes (`sim.twin.app`) call it. Every call takes the
lock, brings a realtime clock up to date, and then reads or changes the session. The read cache
is keyed by (simulated time, number of events): the state changes only through events, and
time only through the clock, so a cached body is exactly what serialising anew would give.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.api.requests import Credentials, match_endpoint
from sim.run import RunResult
from sim.session import Answer, Interrupted, Session
from sim.twin.clock import Clock

__all__ = ["Twin", "encode"]


def encode(data: Any) -> bytes:
    """Compact JSON bytes (the body of every answer)."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).encode("utf-8")


class Twin:
    """A session served over HTTP: its clock, its lock, its read cache and its outputs."""

    def __init__(self, session: Session, clock: Clock | None = None, out: Path | None = None,
                 plots: bool = True) -> None:
        self.session = session
        self.clock = clock or Clock()
        self.out = out
        self.plots = plots
        self.lock = threading.Lock()
        #: called (without the lock) once the session is stopped: the server shuts down
        self.on_stop: Callable[[], None] = lambda: None
        self._cache: dict[str, tuple[int, bytes]] = {}
        self._cache_key: tuple[float, int] = (-1.0, -1)

    # --- the instant ----------------------------------------------------------------------------

    @contextmanager
    def now(self) -> Iterator[Session]:
        """Hold the lock with the session brought up to the clock's time (realtime)."""
        with self.lock:
            target = self.clock.target()
            if target is not None and not self.stopped and target > self.session.now:
                try:
                    self.session.advance_to(min(target, self.session.last_time))  # a fast clock stops there
                except Interrupted:
                    pass  # the server is stopping: the session stays at the instant reached, and stops there
            yield self.session

    @property
    def result(self) -> RunResult | None:
        """The session's result once it is stopped (its outputs written)."""
        return self.session.stopped

    @property
    def stopped(self) -> bool:
        """True once the session is stopped (its outputs written)."""
        return self.session.stopped is not None

    # --- reads --------------------------------------------------------------------------------

    def read(self, key: str, build: Callable[[Session], tuple[int, Any]],
             encoder: Callable[[Any], bytes] = encode) -> tuple[int, bytes]:
        """The answer to a read, from the cache of this simulated instant or built now.
        `build` returns (status, data), `encoder` makes the body of the data; `key` names the
        answer (its path)."""
        with self.now() as session:
            instant = (session.now, len(session.lines))
            if instant != self._cache_key:
                self._cache.clear()
                self._cache_key = instant
            cached = self._cache.get(key)
            if cached is None:
                status, data = build(session)
                cached = self._cache[key] = (status, encoder(data))
            return cached

    # --- calls that change the cluster ----------------------------------------------------------

    def request(self, method: str, path: str, body: Any, credentials: Credentials | None) -> Answer | None:
        """A REST request now, answered by the API layer; None when the API knows no such endpoint."""
        if match_endpoint(method, path) is None:
            return None
        with self.now() as session:
            self._check_open()
            return session.request(method, path, body, credentials)

    def advance(self, seconds: float | None = None, to: float | None = None, until_idle: bool = False) -> float:
        """Move simulated time on (a realtime clock goes on from there); returns now.
        Raises InputError for a time before now."""
        with self.now() as session:
            self._check_open()
            before = session.now
            if until_idle:
                session.advance(until_idle=True)
            else:
                session.advance_to(to if to is not None else before + (seconds or 0.0))
            self.clock.skip(session.now - before)
            return session.now

    def crash(self, node: int) -> float:
        """Crash a node now; KeyError for an unknown node."""
        with self.now() as session:
            self._check_open()
            session.crash(node)
            return session.now

    def recover(self, node: int) -> float:
        """Bring a node back now; KeyError for an unknown node."""
        with self.now() as session:
            self._check_open()
            session.recover(node)
            return session.now

    def recover_cluster(self) -> float:
        """Recover a lost cluster now (refused, and recorded, without quorum)."""
        with self.now() as session:
            self._check_open()
            session.recover_cluster()
            return session.now

    # --- the end ------------------------------------------------------------------------------

    def stop(self) -> RunResult:
        """Stop the session now and write its outputs (once; later calls return the result)."""
        with self.now() as session:
            if not self.stopped:
                session.stop(self.out, plots=self.plots)
                self._cache.clear()
        self.on_stop()
        result = self.result
        assert result is not None
        return result

    def _check_open(self) -> None:
        if self.stopped:
            raise SessionStopped("the session is stopped: its outputs are written")


class SessionStopped(Exception):
    """A call that would change the cluster arrived after the session stopped."""
