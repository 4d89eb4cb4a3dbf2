"""Short numbers: times, sizes and rates rounded to as few significant digits as still fail,
and the window (`duration`) shortened to the shortest short number that still fails.

Candidates for a value come shortest first: 0, then the value rounded to 1 significant digit
(nearest, down, up), then 2, … — decimal arithmetic, so 23.7 is 23.7 and not 23.700000000000003.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any

from sim.shrink.case import Case
from sim.shrink.judge import Judge

__all__ = ["short_candidates", "short_numbers_between", "shrink_numbers", "shrink_duration", "number_paths"]

Data = dict[str, Any]
Path = tuple[Any, ...]

#: Timing fields rounded when a scenario sets them (sizes per second and seconds).
TIMING = ("shard_restart_s", "rdb_load_bytes_per_s", "aof_load_bytes_per_s", "full_sync_bytes_per_s",
          "planned_failover_s", "unplanned_failover_s", "replication_lag_s")


def short_candidates(value: int | float, integer: bool = False) -> list[int | float]:
    """Shorter numbers to try instead of `value`, shortest first (integers only if `integer`)."""
    if value == 0 or isinstance(value, bool):
        return []
    exact = Decimal(repr(value))
    found: list[int | float] = [0]
    digits = 1
    while True:
        step = Decimal(1).scaleb(exact.adjusted() - digits + 1)
        if (integer and step < 1) or (exact / step) == (exact / step).to_integral_value():
            return found  # the value has no more significant digits than this
        for mode in (ROUND_HALF_EVEN, ROUND_FLOOR, ROUND_CEILING):
            rounded = (exact / step).to_integral_value(mode) * step
            shown = int(rounded) if rounded == rounded.to_integral_value() else float(rounded)
            if shown not in found:
                found.append(shown)
        digits += 1


def short_numbers_between(low: float, high: float) -> list[int]:
    """Whole numbers of 1 or 2 significant digits with low < n < high, ascending."""
    found: set[int] = set()
    scale = 1
    while scale <= high:
        for mantissa in range(1, 100):
            n = mantissa * scale
            if low < n < high:
                found.add(n)
        scale *= 10
    return sorted(found)


def number_paths(data: Data) -> Iterator[tuple[Path, bool]]:
    """Where the numbers to round are, in a fixed order: (key path, integer?)."""
    for i in range(len(data.get("timeline") or [])):
        yield ("timeline", i, "at"), False
    for i, db in enumerate(data.get("databases") or []):
        for group, names in (("dataset", ("bytes", "keys")), ("workload", ("reads_per_sec", "writes_per_sec"))):
            for name in names:
                if name in (db.get(group) or {}):
                    yield ("databases", i, group, name), True
    for name in TIMING:
        if name in (data.get("timing") or {}):
            yield ("timing", name), False


def _get(data: Data, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Data, path: Path, value: Any) -> Data:
    data = copy.deepcopy(data)
    inner = data
    for part in path[:-1]:
        inner = inner[part]
    inner[path[-1]] = value
    return data


def shrink_numbers(case: Case, judge: Judge) -> Case:
    """Each time, size and rate: the first (shortest) candidate that still fails."""
    for path, integer in list(number_paths(case.data)):
        value = _get(case.data, path)
        if not isinstance(value, (int, float)):
            continue
        for candidate in short_candidates(value, integer):
            trial = Case(_set(case.data, path, candidate), case.ids)
            if judge.fails(trial):
                case = trial
                break
    return case


def shrink_duration(case: Case, judge: Judge) -> Case:
    """The shortest window among short numbers after the last step that still fails (a binary
    search: a longer window keeps what a shorter one showed, so failing is taken as monotone)."""
    duration = case.data.get("duration")
    if duration is None:
        return case
    last = max((float(s["at"]) for s in case.steps), default=0.0)
    options = short_numbers_between(last, float(duration))
    low, high, best = 0, len(options) - 1, case
    while low <= high:
        middle = (low + high) // 2
        trial = Case(_set(case.data, ("duration",), options[middle]), case.ids)
        if judge.fails(trial):
            best, high = trial, middle - 1
        else:
            low = middle + 1
    return best
