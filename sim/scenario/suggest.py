""""Did you mean": the keys a scenario allows at a place, and the one closest to a misspelt key.

The allowed keys are read from the pydantic models (the same ones that refuse the key), by
following the error's key path through fields, lists, mappings and the tags of the
timeline's step kinds; `difflib` picks the closest (ratio ≥ 0.7).
"""
from __future__ import annotations

import difflib
import types
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic import Tag

from sim.scenario.models import Scenario

__all__ = ["allowed_keys", "closest", "did_you_mean"]

#: How alike a key must be to an allowed one to be suggested (difflib's ratio).
CUTOFF = 0.7


def closest(word: str, choices: list[str]) -> str | None:
    """The choice closest to `word`, if any is close enough."""
    found = difflib.get_close_matches(word, choices, n=1, cutoff=CUTOFF)
    return found[0] if found else None


def did_you_mean(word: Any, choices: list[str]) -> str:
    """`; did you mean 'shards_count'?`, or an empty string."""
    if not isinstance(word, str):
        return ""
    match = closest(word, choices)
    return f"; did you mean {match!r}?" if match is not None and match != word else ""


def allowed_keys(parent: tuple[Any, ...], root: Any = Scenario) -> list[str]:
    """The keys a mapping at key path `parent` may hold (empty when the place is not a model)."""
    kind: Any = root
    for part in parent:
        kind = _step(kind, part)
        if kind is None:
            return []
    keys: list[str] = []
    for member, _ in _members(kind):
        if isinstance(member, type) and issubclass(member, BaseModel):
            keys.extend(name for name in member.model_fields if name not in keys)
    return keys


def _members(kind: Any) -> Iterator[tuple[Any, str | None]]:
    """The concrete types a type annotation stands for, each with its union tag (if any)."""
    tag = None
    while get_origin(kind) is Annotated:
        args = get_args(kind)
        tag = next((a.tag for a in args[1:] if isinstance(a, Tag)), tag)
        kind = args[0]
    if get_origin(kind) in (Union, types.UnionType):
        for arg in get_args(kind):
            if arg is not type(None):
                yield from _members(arg)
        return
    yield kind, tag


def _step(kind: Any, part: Any) -> Any:
    """The type one step further along a key path, or None."""
    for member, tag in _members(kind):
        if isinstance(part, str) and tag == part:
            return member
        if isinstance(member, type) and issubclass(member, BaseModel):
            if part == member.__name__:
                return member
            if isinstance(part, str) and part in member.model_fields:
                return member.model_fields[part].annotation
        origin = get_origin(member)
        if origin in (list, tuple) and isinstance(part, int):
            return get_args(member)[0]
        if origin is dict:
            return get_args(member)[1]
    return None
