"""Values of `--vary` and `--set`: YAML scalars, and numeric ranges `A..B/STEP` expanded to values.

A range is written `START..END/STEP` (`20..120/20` → 20, 40, 60, 80, 100, 120; without
`/STEP`, a step of 1); START ≤ END, STEP > 0, END included when a step lands on it, at most
`MAX_RANGE` values. Numbers are decimals (`0.5..2/0.5`), computed exactly (no float
drift), and written back as text that YAML reads as the same number — the text is what the
results table and the reproducing command show.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sim.errors import InputError, ScenarioError
from sim.scenario.yamlsource import parse_yaml

__all__ = ["MAX_RANGE", "scalar", "is_range", "expand_range"]

#: Most values one range may give.
MAX_RANGE = 1000
_NUMBER = r"-?\d+(?:\.\d+)?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*(?:/\s*({_NUMBER})\s*)?$")


def scalar(option: str, key: str, text: str) -> Any:
    """`text` read as YAML reads a scalar; InputError naming `option key=text` otherwise."""
    try:
        data, _ = parse_yaml(text.encode("utf-8"), "value")
    except ScenarioError as err:
        raise InputError(f"{option} {key}={text}: not a YAML value ({str(err).split(': ', 1)[-1]})") from None
    if isinstance(data, (dict, list)):
        raise InputError(f"{option} {key}={text}: values are YAML scalars (true, 4, aof, \"7.2\")")
    return data


def is_range(text: str) -> bool:
    """True when `text` is written as a range (`20..120/20`)."""
    return _RANGE.match(text) is not None


def expand_range(option: str, key: str, text: str) -> list[str]:
    """The values of a range, as texts; InputError for an empty, backwards or too long range."""
    match = _RANGE.match(text)
    if match is None:
        raise InputError(f"{option} {key}={text}: not a range (write START..END/STEP, e.g. 20..120/20)")
    start, end = Decimal(match.group(1)), Decimal(match.group(2))
    step = Decimal(match.group(3)) if match.group(3) is not None else Decimal(1)
    if step <= 0:
        raise InputError(f"{option} {key}={text}: the step of a range is above 0")
    if end < start:
        raise InputError(f"{option} {key}={text}: a range goes up (START ≤ END)")
    count = int((end - start) / step) + 1
    if count > MAX_RANGE:
        raise InputError(f"{option} {key}={text}: {count:,} values; a range gives at most {MAX_RANGE:,}")
    decimal = any("." in (match.group(i) or "") for i in (1, 2, 3))
    return [_text(start + i * step, decimal) for i in range(count)]


def _text(value: Decimal, decimal: bool) -> str:
    """A value as YAML reads it back: an integer (`40`) when the range is written in integers,
    else a decimal with at least one digit after the point (`0.5`, `1.0`); never an exponent."""
    if not decimal:
        return str(int(value))
    text = format(value, "f")
    text = text.rstrip("0") if "." in text else text + "."
    return text + "0" if text.endswith(".") else text
