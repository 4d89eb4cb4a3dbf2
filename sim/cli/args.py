"""Argument types of the command line: integers as a user types them, checked like a file's."""
from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["SEED_LIMIT", "seed", "count"]

#: Seeds are 0 ≤ seed < 2⁶³, as in a scenario file (integers there are 64-bit).
SEED_LIMIT = 2**63


def _integer(text: str, what: str) -> int:
    digits = text.strip()
    body = digits[1:] if digits[:1] in "+-" else digits
    if not body or not body.isascii() or not body.isdigit() or len(body) > 19:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
    return int(digits)


def seed(text: str) -> int:
    """A seed: an integer from 0 to 2⁶³ − 1 (a negative seed is refused, as in a file)."""
    value = _integer(text, "a seed (an integer from 0)")
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"{text!r}: a seed is an integer from 0 to 2**63 - 1")
    return value


def count(low: int, high: int) -> Callable[[str], int]:
    """A count between `low` and `high` (both included)."""
    def parse(text: str) -> int:
        value = _integer(text, f"a whole number from {low}")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: give a whole number from {low} to {high:,}")
        return value
    parse.__name__ = "count"  # argparse names the type in its messages
    return parse
