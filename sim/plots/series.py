"""Time series of one database drawn by the availability figure: available slots, failed
requests and losses, each as exact breakpoints (no sampling, so integrals are exact)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sim.metrics.tally import BdbTally

__all__ = ["AvailabilitySeries", "LossSeries"]


@dataclass(slots=True)
class AvailabilitySeries:
    """Unavailable slots and request rate of a database as a step function of time.

    `steps[i] = (t, unavailable_slots, unavailable_rate)` holds from `t` until the next step
    (or the window's end). Built from the outcome projection's tally (`sim.metrics`): the
    figure draws the very fold that gives `summary.json` its availability, not a second one.
    """

    total_slots: int
    steps: list[tuple[float, int, int]]
    end: float

    @classmethod
    def of(cls, tally: BdbTally, start: float, end: float) -> AvailabilitySeries:
        """The series of one database's tally over the window [start, end]."""
        steps = list(tally.series)
        if not steps or steps[0][0] != start:
            steps.insert(0, (start, 0, 0))  # every pair served at the start
        return cls(tally.total_slots, steps, end)

    def _bounds(self) -> list[tuple[float, float, int, int]]:
        ends = [s[0] for s in self.steps[1:]] + [self.end]
        return [(t, stop, slots, rate) for (t, slots, rate), stop in zip(self.steps, ends)]

    def available(self) -> tuple[list[float], list[float]]:
        """Breakpoints and the available fraction of slots from each one on (draw with
        `drawstyle="steps-post"`); the last point repeats the last value at the window's end."""
        total = self.total_slots
        times = [s[0] for s in self.steps] + [self.end]
        values = [1 - s[1] / total for s in self.steps]
        return times, values + values[-1:]

    def downtime(self) -> float:
        """∫ unavailable fraction dt over the window: the summary's `downtime_s` (SPEC §7)."""
        return sum(slots * (stop - t) for t, stop, slots, _ in self._bounds()) / self.total_slots

    def failed_requests(self) -> tuple[list[float], list[float]]:
        """Breakpoints and cumulative failed requests (linear between breakpoints)."""
        bounds = self._bounds()
        times, totals, total = [bounds[0][0]], [0.0], 0.0
        for t, stop, _, rate in bounds:
            total += rate * (stop - t)
            times.append(stop)
            totals.append(total)
        return times, totals


@dataclass(slots=True)
class LossSeries:
    """Loss events of a database: `(t, keys, bytes, writes)` in time order."""

    events: list[tuple[float, int, int, float]] = field(default_factory=list)

    def add(self, t: float, keys: int = 0, bytes_: int = 0, writes: float = 0.0) -> None:
        """Record a loss at time t."""
        self.events.append((t, keys, bytes_, writes))

    def cumulative(self, what: str, start: float, end: float) -> tuple[list[float], list[float]]:
        """Breakpoints and cumulative `keys`, `bytes` or `writes` lost (a step function)."""
        column = {"keys": 1, "bytes": 2, "writes": 3}[what]
        times, values, total = [start], [0.0], 0.0
        for event in self.events:
            total += event[column]
            times.append(event[0])
            values.append(total)
        times.append(end)
        values.append(total)
        return times, values
