"""A stop asked for by a signal: raised where the program is, and remembered.

The CLI's signal handlers call `stop(signum)`, which raises `Stopped` wherever the main thread
happens to be. Python swallows an exception raised inside a weakref callback or a `__del__` —
importlib's module-lock callback, run by any import, is one — and wraps one raised inside a
descriptor's `__set_name__` in a RuntimeError (CPython 3.11: a signal landing while `dataclasses`
creates a class during an import), so the stop is also remembered: `raise_if_stopped()` raises
it again where it must not be missed, before an output folder is committed (`sim.outdir`), when
a command returns, and first in every handler that turns any exception into a result (the CLI's
internal error, `check`'s crashed case, the shrinker's failed run).
"""
from __future__ import annotations

from typing import NoReturn

__all__ = ["Stopped", "stop", "remember", "raise_if_stopped", "reset", "is_stop"]


class Stopped(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived: unwinds like Ctrl-C, so that temporary files are removed.

    Not a KeyboardInterrupt, even for SIGINT: CPython 3.11 remembers a KeyboardInterrupt raised
    while `exec` runs a string (as `dataclasses` does when a module is imported) and, although the
    CLI catches it, ends the process by SIGINT instead of exit 130."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_pending: list[int] = []


def stop(signum: int) -> NoReturn:
    """Remember the stop, then raise it here."""
    remember(signum)
    raise Stopped(signum)


def remember(signum: int) -> None:
    """Remember a stop that a handler of its own raises (calibrate's SIGTERM, as `Terminated`), so
    that `raise_if_stopped` still stops the program if Python swallows that exception."""
    _pending.append(signum)


def raise_if_stopped() -> None:
    """Raise the first stop asked for since `reset`, if one was (and was swallowed)."""
    if _pending:
        raise Stopped(_pending[0])


def reset() -> None:
    """Forget the stops asked for (a new command starts)."""
    _pending.clear()


def is_stop(error: BaseException | None) -> bool:
    """True for a `Stopped` exception (e.g. one Python reports as unraisable)."""
    return isinstance(error, Stopped)
