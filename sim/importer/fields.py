"""Typed reading of the vendor's JSON objects: every bad value names its origin, field and value.

Real bodies carry hundreds of fields the simulator does not model; they are ignored, and
`Usage` remembers which were read and which were not, for the header of the written
scenario. A field that is read and is missing (when required) or of the wrong type is bad
input: `DataError("bdbs.json: [0].replication: expected true or false, got \\"yes\\"")`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sim.errors import InputError, VersionError
from sim.model.versions import Version

__all__ = ["DataError", "Usage", "Item", "show", "REQUIRED"]


class DataError(InputError):
    """Bad data from the cluster: one line naming the file or URL path, the field and the value."""


#: Marks a field without a default: missing is bad input.
REQUIRED: Any = object()


def show(value: Any) -> str:
    """A short JSON rendering of an offending value."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Usage:
    """Which fields of each kind of object were present, and which of them were read."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}
        self.read: dict[str, set[str]] = {}

    def ignored(self, kind: str) -> list[str]:
        """The fields of `kind` objects present in the bodies and never read, sorted."""
        return sorted(self.seen.get(kind, set()) - self.read.get(kind, set()))

    def used(self, kind: str) -> list[str]:
        """The fields of `kind` objects that were read (and present), sorted."""
        return sorted(self.seen.get(kind, set()) & self.read.get(kind, set()))


class Item:
    """One vendor object being read: where it came from (`origin`, `path`) and its fields."""

    def __init__(self, data: Any, origin: str, path: str, kind: str, usage: Usage) -> None:
        if not isinstance(data, dict):
            raise DataError(f"{origin}: {path or 'the body'}: expected a JSON object, got {show(data)}")
        self.data, self.origin, self.path, self.kind, self.usage = data, origin, path, kind, usage
        usage.seen.setdefault(kind, set()).update(k for k in data if isinstance(k, str))

    def where(self, key: str) -> str:
        """`origin: path.key`, the name of a field in messages."""
        return f"{self.origin}: {self.path}.{key}" if self.path else f"{self.origin}: {key}"

    def fail(self, key: str, problem: str) -> DataError:
        """A DataError about one field."""
        return DataError(f"{self.where(key)}: {problem}")

    def has(self, key: str) -> bool:
        """True when the field is present and not null."""
        return self.data.get(key) is not None

    def raw(self, key: str, default: Any = REQUIRED) -> Any:
        """The field's value as it is; `default` when missing or null (bad input if REQUIRED)."""
        self.usage.read.setdefault(self.kind, set()).add(key)
        value = self.data.get(key)
        if value is None:
            if default is REQUIRED:
                raise self.fail(key, "missing (a required field)")
            return default
        return value

    def text(self, key: str, default: Any = REQUIRED) -> Any:
        """A string field."""
        value = self.raw(key, default)
        if value is not default and not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {show(value)}")
        return value

    def boolean(self, key: str, default: Any = REQUIRED) -> Any:
        """A true/false field."""
        value = self.raw(key, default)
        if value is not default and not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {show(value)}")
        return value

    def integer(self, key: str, default: Any = REQUIRED, minimum: int | None = None) -> Any:
        """An integer field (a number with no fraction), at least `minimum`."""
        value = self.raw(key, default)
        if value is default:
            return value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected an integer, got {show(value)}")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"expected an integer of at least {minimum}, got {show(value)}")
        return value

    def number(self, key: str, default: Any = REQUIRED) -> Any:
        """A non-negative number field."""
        value = self.raw(key, default)
        if value is not default and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise self.fail(key, f"expected a number of at least 0, got {show(value)}")
        return value

    def uid(self, key: str, default: Any = REQUIRED) -> Any:
        """A positive uid: an integer, or the vendor's string of digits (shard and node uids)."""
        value = self.raw(key, default)
        if value is default:
            return value
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(key, f"expected a positive uid (an integer or a string of digits), got {show(value)}")
        return value

    def choice(self, key: str, options: Iterable[str], default: Any = REQUIRED) -> Any:
        """A string field with one of `options`."""
        options = tuple(options)
        value = self.raw(key, default)
        if value is not default and value not in options:
            raise self.fail(key, f"expected one of {', '.join(options)}; got {show(value)}")
        return value

    def version(self, key: str, default: Any = REQUIRED, empty_is_none: bool = False) -> Any:
        """A version string (`7.2`, `2.10.17`, `7.4.2-54`); an empty one is `default` if allowed."""
        value = self.text(key, default)
        if value is default or (empty_is_none and value.strip() == ""):
            return default if value is default else None
        try:
            Version(value)
        except VersionError:
            raise self.fail(key, f"expected a version such as 7.2 or 2.10.17, got {show(value)}") from None
        return value.strip()

    def items(self, key: str, default: Any = REQUIRED) -> Any:
        """A list field."""
        value = self.raw(key, default)
        if value is not default and not isinstance(value, list):
            raise self.fail(key, f"expected a list, got {show(value)}")
        return value

    def child(self, key: str, index: int, kind: str) -> Item:
        """The `index`-th object of the list field `key`, as an Item of its own kind."""
        return Item(self.data[key][index], self.origin, f"{self.path}.{key}[{index}]".lstrip("."), kind, self.usage)
