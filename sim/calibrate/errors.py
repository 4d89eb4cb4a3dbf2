"""What can go wrong while calibrating, besides bad input: a real server misbehaving, a signal.

    SimError
    ├── InputError (ValueError)      no usable redis-server, a bad --bytes … -> exit 2
    └── CalibrationError (RuntimeError)   a server died, did not start or did not sync in time -> exit 3
    KeyboardInterrupt
    └── Terminated                  SIGTERM, turned into an exception so that cleanup runs -> exit 143
"""
from __future__ import annotations

from sim.errors import SimError

__all__ = ["CalibrationError", "Terminated"]


class CalibrationError(SimError, RuntimeError):
    """A measurement could not be made: the message says which server and why (its log's last line)."""


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM; raised in the main thread so every `finally` runs."""
