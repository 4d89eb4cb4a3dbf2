"""Numbers as people read them: whole numbers as integers with thousands separated, never
scientific notation, and sizes, rates, durations and shares with their unit.

Pure text functions (no matplotlib): the report and the terminal (`sim.cli.render`) share them,
so `2556250.0` reads `2,556,250` and `100000000.0` bytes per second reads `100 MB/s` everywhere.
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["number", "seconds", "size", "rate", "percent", "count_of", "timing_value"]

#: Significant digits kept of a number that is not whole (the summary rounds to 6 decimals).
DIGITS = 6
#: Decimal byte units, as sizes are written in scenarios (`2GB` = 2×10⁹, SPEC §6).
_SIZE_UNITS = ((10**12, "TB"), (10**9, "GB"), (10**6, "MB"), (10**3, "kB"))


def number(value: float | int | None, digits: int = DIGITS) -> str:
    """`value` in plain decimal: a whole number as an integer (`2,556,250`), another with at most
    `digits` significant digits and at least one decimal (`0.993333`, `12,345.7`), trailing zeros
    dropped; thousands separated; never an exponent. None (no figure) is `-`."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return f"{int(value):,}"
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(1, digits - 1 - exponent)
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def seconds(value: float | int | None) -> str:
    """A duration: `85 s`, `2.83313 s`; None (nothing to measure) is `-`."""
    return "-" if value is None else f"{number(value)} s"


def size(value: float | int) -> str:
    """Bytes with a decimal unit and at most 4 significant digits: `1 GB`, `536.9 MB`, `512 B`."""
    for factor, unit in _SIZE_UNITS:
        if abs(value) >= factor:
            return f"{number(value / factor, 4)} {unit}"
    return f"{number(value)} B"


def rate(value: float | int) -> str:
    """Bytes per second: `100 MB/s`."""
    return f"{size(value)}/s"


def percent(fraction: float | int) -> str:
    """A share as a percentage with up to 4 decimals: `99.3333 %`, `100 %`."""
    text = f"{fraction * 100:.4f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text} %"


def count_of(value: float | int, one: str, many: str | None = None) -> str:
    """A count with its noun: `1 write`, `1,250 writes` (`many` defaults to `one` + s)."""
    return f"{number(value)} {one if value == 1 else (many or one + 's')}"


def timing_value(key: str, value: Any) -> str:
    """A timing profile entry (SPEC §6) by its key's suffix: `…_bytes_per_s` a rate, `…_s`
    (and the entries nested under one, `failure_detection_s.high`) a duration."""
    head = key.split(".", 1)[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if head.endswith("_bytes_per_s"):
        return rate(value)
    if head.endswith("_s"):
        return seconds(value)
    return number(value)
