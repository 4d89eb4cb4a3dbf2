"""Signals while real servers run: SIGTERM becomes an exception, and cleanup is not cut short.

Ctrl-C (SIGINT) already raises an exception (KeyboardInterrupt; under the CLI, `sim.cli.main`'s
own, as for SIGTERM); SIGTERM by default kills the process at once, leaving its redis-server
children and temporary folders behind. `sigterm_raises` turns it into `Terminated` so the same
`finally` blocks run; `signals_deferred` holds both
signals back while a cleanup runs, then raises the first one that arrived.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from sim.calibrate.errors import Terminated
from sim.stopping import Stopped, raise_if_stopped, remember, reset

__all__ = ["sigterm_raises", "signals_deferred"]


def _is_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    remember(signum)  # raised inside a `__del__` (redis-py's connection pool's), it would be swallowed
    raise Terminated(f"signal {signum}")


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises `Terminated` in the main thread (a no-op elsewhere). The
    stop is also remembered (`sim.stopping`), in case Python swallows the exception where it lands:
    forgotten when the exception leaves the block, raised at the block's end if it never did."""
    if not _is_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    except (Terminated, Stopped):
        reset()  # delivered: the stop remembered for the case it was swallowed is spent
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    raise_if_stopped()  # one swallowed on the way (in a `__del__`) still stops here


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM during the block; afterwards raise for the first one received."""
    if not _is_main_thread():
        yield
        return
    received: list[int] = []

    def remember(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, remember) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if received:
        raise Terminated("signal 15") if received[0] == signal.SIGTERM else KeyboardInterrupt()
