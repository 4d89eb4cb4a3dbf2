"""Delta debugging (Zeller and Hildebrandt's ddmin): the smallest sublist that still fails.

`ddmin(items, fails)` returns a sublist (order kept) for which `fails` holds and from which
no single chunk of the last granularity can be removed; `fails(items)` is assumed. The empty
list is tried first: noise often goes all at once.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["ddmin", "chunks"]

T = TypeVar("T")


def chunks(items: Sequence[T], n: int) -> list[list[T]]:
    """`items` in `n` contiguous chunks whose lengths differ by at most one (longer ones first)."""
    size, rest = divmod(len(items), n)
    found, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < rest else 0)
        found.append(list(items[start:end]))
        start = end
    return found


def ddmin(items: Sequence[T], fails: Callable[[list[T]], bool]) -> list[T]:
    """The 1-minimal failing sublist of `items` reached by ddmin (deterministic)."""
    current = list(items)
    if current and fails([]):
        return []
    n = 2
    while len(current) >= 2:
        parts = chunks(current, min(n, len(current)))
        reduced = next((part for part in parts if fails(part)), None)
        if reduced is not None:
            current, n = reduced, 2
            continue
        complement = None
        for i in range(len(parts)):
            rest = [item for j, part in enumerate(parts) if j != i for item in part]
            if fails(rest):
                complement = rest
                break
        if complement is not None:
            current, n = complement, max(n - 1, 2)
            continue
        if n >= len(current):
            break
        n = min(2 * n, len(current))
    return current
