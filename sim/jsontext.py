"""Pretty-printed JSON, fast: `pretty(value)` is byte-identical to `json.dumps(value, indent=2)`.

The standard library's C encoder cannot indent, so `json.dumps(..., indent=2)` runs the
pure-Python one, a generator per container: a 1,000-database run's summary and report spent
more time there than on its database upgrades' events. This one builds the text by direct
recursion, dispatching on the exact type, with the C string encoders. Anything it does not
handle the same way (keys that are not strings, subclasses, types other than JSON's, a
reference cycle) goes to `json.dumps` itself, which then gives the usual result or error.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

__all__ = ["pretty", "has_lone_surrogate"]

_INFINITY = float("inf")


class _Other(Exception):
    """A value this encoder leaves to `json.dumps`."""


def pretty(value: Any, *, sort_keys: bool = False, ensure_ascii: bool = True) -> str:
    """`json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=ensure_ascii)`, faster."""
    try:
        return _Encoder(encode_basestring_ascii if ensure_ascii else encode_basestring, sort_keys)(value, "\n")
    except (_Other, RecursionError):
        pass  # json.dumps below, outside this handler: its own errors come without ours as context
    return json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=ensure_ascii)


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


class _Encoder:
    """`encoder(value, pad)`: `value`'s text, `pad` being a newline and its line's indentation."""

    def __init__(self, string: Callable[[str], str], sort_keys: bool) -> None:
        self.sort_keys = sort_keys
        self.by_type: dict[type, Callable[[Any, str], str]] = {
            str: lambda value, pad: string(value),
            int: lambda value, pad: int.__repr__(value),
            float: lambda value, pad: _float(value),
            bool: lambda value, pad: "true" if value else "false",
            type(None): lambda value, pad: "null",
            dict: self._object,
            list: self._array,
            tuple: self._array,
        }
        self.key = string

    def __call__(self, value: Any, pad: str) -> str:
        encode = self.by_type.get(type(value))
        if encode is None:
            raise _Other
        return encode(value, pad)

    def _object(self, value: dict[Any, Any], pad: str) -> str:
        if not value:
            return "{}"
        inner = pad + "  "
        try:
            items = sorted(value.items()) if self.sort_keys else value.items()
        except TypeError:  # keys of types that do not compare: json's own error
            raise _Other from None
        by_type, key = self.by_type, self.key
        parts = []
        for name, item in items:
            encode = by_type.get(type(item))
            if encode is None or type(name) is not str:  # json turns number keys into strings
                raise _Other
            parts.append(key(name) + ": " + encode(item, inner))
        return "{" + inner + ("," + inner).join(parts) + pad + "}"

    def _array(self, value: list[Any] | tuple[Any, ...], pad: str) -> str:
        if not value:
            return "[]"
        inner = pad + "  "
        return "[" + inner + ("," + inner).join([self(item, inner) for item in value]) + pad + "]"


def has_lone_surrogate(value: Any) -> bool:
    """True when a text anywhere in `value` (JSON-like data) holds a lone surrogate (U+D800–U+DFFF
    alone): JSON's `"\\ud800"` decodes to one, but no UTF-8 file, answer or log can hold it."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
