"""The twin's clock: manual (time moves only when asked) or realtime (simulated time =
speed × wall seconds since the start, plus whatever was skipped ahead by hand)."""
from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Clock", "MANUAL", "REALTIME"]

MANUAL, REALTIME = "manual", "realtime"


class Clock:
    """Says which simulated instant a request arrives at. `wall` is a monotonic clock in
    seconds (injectable, so a test can drive it)."""

    def __init__(self, mode: str = MANUAL, speed: float = 1.0, wall: Callable[[], float] = time.monotonic) -> None:
        if mode not in (MANUAL, REALTIME):
            raise ValueError(f"clock must be {MANUAL} or {REALTIME}, not {mode!r}")
        if not speed > 0 or speed == float("inf"):
            raise ValueError(f"speed must be a positive number, not {speed!r}")
        self.mode, self.speed, self._wall = mode, float(speed), wall
        self._start = wall()
        self._skipped = 0.0

    @property
    def realtime(self) -> bool:
        """True when simulated time follows the wall clock."""
        return self.mode == REALTIME

    def target(self) -> float | None:
        """The simulated time the wall clock says it is now (None for a manual clock)."""
        if not self.realtime:
            return None
        return self._skipped + self.speed * (self._wall() - self._start)

    def restart(self) -> None:
        """Count wall time from now (the server is ready: simulated time 0)."""
        self._start = self._wall()

    def skip(self, seconds: float) -> None:
        """Simulated time was moved on by hand: a realtime clock goes on from there."""
        self._skipped += seconds

    def describe(self) -> str:
        """`manual`, or `realtime, speed X`."""
        return MANUAL if not self.realtime else f"{REALTIME}, speed {self.speed:g}"
