"""Per-database running totals of one run, updated lazily at each change (no per-tick work)."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BdbTally"]


@dataclass(slots=True)
class BdbTally:
    """Availability integrals, outage intervals, losses and failovers of one database."""

    total_slots: int
    total_rate: int
    pair_slots: list[int]
    pair_rates: list[int]
    available: list[bool]
    unavailable_slots: int = 0
    unavailable_rate: int = 0
    since: float = 0.0
    slot_seconds_lost: float = 0.0
    failed_requests: float = 0.0
    outage_start: float | None = None
    outage_end: float | None = None
    longest_outage: float = 0.0
    keys_lost: int = 0
    bytes_lost: int = 0
    writes_lost: float = 0.0
    planned_failovers: int = 0
    unplanned_failovers: int = 0
    last_upgrade_duration: float | None = None
    #: `(t, unavailable slots, unavailable request rate)` from each change on: the step function
    #: the availability figure draws (SPEC §7's figures and the plot come from this one fold)
    series: list[tuple[float, int, int]] = field(default_factory=list)

    def set_available(self, index: int, available: bool, t: float) -> None:
        """Record that pair `index` became (un)available at time t."""
        if self.available[index] == available:
            return
        self._integrate(t)
        self.available[index] = available
        sign = -1 if available else 1
        before = self.unavailable_slots
        self.unavailable_slots += sign * self.pair_slots[index]
        self.unavailable_rate += sign * self.pair_rates[index]
        self._track_outage(before, t)
        if self.series and self.series[-1][0] == t:
            self.series[-1] = (t, self.unavailable_slots, self.unavailable_rate)
        else:
            self.series.append((t, self.unavailable_slots, self.unavailable_rate))

    def finish(self, end: float) -> None:
        """Close the integrals and any open outage at the window's end."""
        self._integrate(end)
        if self.outage_start is not None:
            stop = self.outage_end if self.outage_end is not None else end
            self.longest_outage = max(self.longest_outage, stop - self.outage_start)
            self.outage_start = self.outage_end = None

    def _integrate(self, t: float) -> None:
        dt = t - self.since
        if dt > 0:
            self.slot_seconds_lost += self.unavailable_slots * dt
            self.failed_requests += self.unavailable_rate * dt
        self.since = t

    def _track_outage(self, before: int, t: float) -> None:
        # An outage is a maximal interval with some slot unavailable; intervals that touch merge.
        if before == 0 and self.unavailable_slots > 0:
            if self.outage_start is not None and self.outage_end == t:
                self.outage_end = None  # touching: the outage goes on
                return
            if self.outage_start is not None and self.outage_end is not None:
                self.longest_outage = max(self.longest_outage, self.outage_end - self.outage_start)
            self.outage_start, self.outage_end = t, None
        elif before > 0 and self.unavailable_slots == 0:
            self.outage_end = t
