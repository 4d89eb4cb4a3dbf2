"""Byte sizes written with a unit: `2GB` = 2×10⁹, `512MiB` = 512×2²⁰ (SPEC §6)."""
from __future__ import annotations

import math
import re

__all__ = ["parse_size", "LIMIT", "whole_number"]

_UNITS = {
    "": 1, "b": 1,
    "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6,
    "g": 10**9, "gb": 10**9, "t": 10**12, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$", re.ASCII)
#: Sizes are 64-bit, as the REST API's integers (a larger one is a typo, and would overflow).
LIMIT = 2**63 - 1


def whole_number(text: str) -> int | None:
    """The integer a text of ASCII digits names, within 64 bits (at most 2**63 - 1); None for any
    other text — `²`, a full-width `１`, or 5,000 digits (past Python's limit for `int(text)`)."""
    if not (text.isascii() and text.isdigit() and len(text.lstrip("0")) <= 19):  # 000…01 is 1
        return None
    value = int(text)
    return value if value <= LIMIT else None


def parse_size(value: object) -> int:
    """Return a size in bytes from an integer or a string such as `1GB` or `512MiB`.

    Raises ValueError for a negative, fractional-byte or unit-less garbage value.
    """
    if isinstance(value, bool):
        raise ValueError("a size must be a number of bytes or a string like 2GB, not a boolean")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a size cannot be negative: {value}")
        if value > LIMIT:
            raise ValueError(f"{value:.3g} bytes is too large (at most 2**63 - 1)")
        return value
    if isinstance(value, float):
        number, unit = value, ""
    elif isinstance(value, str):
        match = _PATTERN.match(value)
        if match is None:
            raise ValueError(f"{value!r} is not a size (examples: 1000000, 1GB, 512MiB)")
        number, unit = float(match.group(1)), match.group(2).lower()
        if unit not in _UNITS:
            raise ValueError(
                f"{value!r} has an unknown unit {match.group(2)!r} (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
            )
    else:
        raise ValueError(f"{value!r} is not a size (examples: 1000000, 1GB, 512MiB)")
    total = number * _UNITS[unit]
    if not math.isfinite(total) or total > LIMIT:
        raise ValueError(f"{value!r} is too large (at most 2**63 - 1 bytes)")
    if total < 0:
        raise ValueError(f"a size cannot be negative: {value!r}")
    if total != int(total):
        raise ValueError(f"{value!r} is not a whole number of bytes")
    return int(total)
