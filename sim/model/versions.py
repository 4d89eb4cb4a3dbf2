"""Version strings compared numerically, part by part (SPEC §1 "Versions").

`2.10.0 > 2.9.5`; Redis `7.2 < 7.4 < 8.0`; Redis Software `7.4.2-54 < 7.4.10-1`.
A missing part or build suffix counts as 0, so `7.4.2 == 7.4.2.0` and `7.4.2 < 7.4.2-54`.
"""
from __future__ import annotations

import re
from functools import total_ordering

from sim.errors import VersionError

__all__ = ["Version", "parse_version", "is_version"]

_PATTERN = re.compile(r"^(\d+(?:\.\d+)*)(?:-(\d+))?$", re.ASCII)  # ASCII digits only: `７.２` is no version


@total_ordering
class Version:
    """A parsed version: numeric parts plus an optional build number."""

    __slots__ = ("text", "parts", "build")

    text: str
    parts: tuple[int, ...]
    build: int

    def __new__(cls, text: str) -> Version:
        # immutable, so one object per text: the same few versions are parsed for every database
        cached = _PARSED.get(text) if type(text) is str else None
        if cached is not None:
            return cached
        match = _PATTERN.match(str(text).strip())
        if match is None:
            shown = repr(text) if len(str(text)) <= 40 else repr(str(text)[:40]) + "…"
            raise VersionError(
                f"{shown} is not a version (expected numbers separated by dots, "
                "optionally followed by -BUILD, e.g. 2.2.1 or 7.4.2-54)"
            )
        self = super().__new__(cls)
        self.text = str(text).strip()
        if len(self.text) > 100:
            raise VersionError(f"{self.text[:20]!r}… is not a version (longer than 100 characters)")
        parts = tuple(int(p) for p in match.group(1).split("."))
        while len(parts) > 1 and parts[-1] == 0:
            parts = parts[:-1]  # trailing zeros do not change the order
        self.parts = parts
        self.build = int(match.group(2) or 0)
        if type(text) is str:
            if len(_PARSED) >= 4096:
                _PARSED.clear()
            _PARSED[text] = self
        return self

    def __reduce__(self) -> tuple[type[Version], tuple[str]]:
        """Pickled and copied as its text (a `__new__` with an argument needs saying so)."""
        return Version, (self.text,)

    def _key(self) -> tuple[tuple[int, ...], int]:
        return self.parts, self.build

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: Version) -> bool:
        if self.parts != other.parts:
            width = max(len(self.parts), len(other.parts))
            mine = self.parts + (0,) * (width - len(self.parts))
            theirs = other.parts + (0,) * (width - len(other.parts))
            return mine < theirs
        return self.build < other.build

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Version({self.text!r})"

    def __str__(self) -> str:
        return self.text


_PARSED: dict[str, Version] = {}


def parse_version(text: str | int | float) -> Version:
    """Parse a version string; raises VersionError when it is not one."""
    return Version(str(text))


def is_version(text: object) -> bool:
    """True when `text` is a string (or number) that parses as a version."""
    try:
        Version(str(text))
    except VersionError:
        return False
    return True
