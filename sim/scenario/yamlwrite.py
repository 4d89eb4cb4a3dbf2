"""Write YAML with comments: a small block-style emitter for generated scenario files.

PyYAML drops comments, and a generated scenario needs them (what was imported, what to
set by hand, commented examples). `Commented` is a mapping written in block style whose
keys may carry comment lines before them, a remark at the end of their line, and comment
lines after their value. Every other value — scalars, plain dicts and lists of scalars —
is written by PyYAML in flow style (so quoting is always PyYAML's, and `"7.2"` stays a
string). A list holding a mapping is a block sequence: one item per line (a plain dict in
flow style, a `Commented` in block style).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

__all__ = ["Commented", "dump_commented", "comment_lines", "reads_back", "plain"]

#: Flow values longer than this are wrapped by PyYAML onto continuation lines.
WIDTH = 100
#: Line breaks besides \n and \r that YAML knows and PyYAML may write raw.
_UNICODE_BREAKS = "\x85\u2028\u2029"


class Commented(dict):
    """A mapping written in block style; its keys may carry comments (see the module doc)."""

    def __init__(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        super().__init__(items)
        self.before: dict[str, list[str]] = {}
        self.inline: dict[str, str] = {}
        self.after: dict[str, list[str]] = {}

    def note(self, key: str, *, before: Iterable[str] = (), inline: str | None = None,
             after: Iterable[str] = ()) -> Commented:
        """Attach comments to `key` (which must be present); returns self."""
        if key not in self:
            raise KeyError(key)
        self.before.setdefault(key, []).extend(before)
        self.after.setdefault(key, []).extend(after)
        if inline is not None:
            self.inline[key] = inline
        return self


def comment_lines(lines: Iterable[str], indent: int = 0) -> list[str]:
    """Lines as YAML comments at `indent`: a text with line breaks gives one comment per line, and a
    character YAML does not allow (a control character, from a cluster's data say) is escaped."""
    pad = " " * indent
    out = []
    for line in lines:
        for part in str(line).splitlines() or [""]:
            part = _printable(part)
            out.append(f"{pad}# {part}".rstrip() if part.strip() else f"{pad}#")
    return out


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def dump_commented(data: Commented, header: Iterable[str] = ()) -> str:
    """The YAML text of `data`, after the `header` comment lines (and a blank line)."""
    lines = comment_lines(header)
    if lines:
        lines.append("")
    _mapping(data, 0, lines)
    return "\n".join(lines) + "\n"


def reads_back(text: str, data: Commented) -> bool:
    """True when `text` loads as `data` (plain data compared; LibYAML's loader when present: it is fast)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader) == (plain(data) or None)  # noqa: S506 - a safe loader


def _flow(value: Any, indent: int) -> str:
    """A value in flow style; continuation lines indented past `indent`."""
    text = yaml.safe_dump(plain(value), default_flow_style=True, sort_keys=False, width=WIDTH, allow_unicode=True)
    if any(ch in text for ch in _UNICODE_BREAKS):  # written raw, they would break lines: escape them
        text = yaml.safe_dump(plain(value), default_flow_style=True, sort_keys=False, width=WIDTH)
    text = text.removesuffix("\n...\n").rstrip("\n")
    first, *rest = text.split("\n")
    pad = " " * (indent + 4)
    return "\n".join([first] + [pad + line.lstrip(" ") for line in rest])  # PyYAML indents with spaces


def _key(key: Any) -> str:
    """A mapping key on one line (a key cannot span lines): double-quoted when PyYAML would wrap it."""
    text = _flow(key, 0)
    if "\n" in text or any(ch in text for ch in _UNICODE_BREAKS):
        text = yaml.safe_dump(key, default_style='"', width=10**9, allow_unicode=True).rstrip("\n")
    return text


def plain(value: Any) -> Any:
    """Plain dicts and lists (PyYAML's safe dumper knows no subclasses, no tuples; the loader
    gets nothing else from a file)."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def _is_block(value: Any) -> bool:
    return (isinstance(value, Commented) and len(value) > 0) or (
        isinstance(value, (list, tuple)) and any(isinstance(item, Mapping) and item for item in value))


def _remark(text: str | None) -> str:
    text = _printable(" ".join(str(text or "").split()))
    return f"  # {text}" if text else ""


def _mapping(data: Commented, indent: int, lines: list[str], first_prefix: str | None = None) -> None:
    """Write a block mapping; `first_prefix` replaces the indentation of its first key (`- `)."""
    pad = " " * indent
    for n, (key, value) in enumerate(data.items()):
        lead = first_prefix if n == 0 and first_prefix is not None else pad
        # the comments of an item's first key go above its `- `
        lines.extend(comment_lines(data.before.get(key, ()), indent - 2 if lead is first_prefix else indent))
        name = _key(key)
        if _is_block(value):
            lines.append(f"{lead}{name}:{_remark(data.inline.get(key))}")
            _block(value, indent + 2, lines)
        else:
            lines.append(f"{lead}{name}: {_flow(value, indent)}{_remark(data.inline.get(key))}")
        lines.extend(comment_lines(data.after.get(key, ()), indent))


def _block(value: Any, indent: int, lines: list[str]) -> None:
    if isinstance(value, Commented):
        _mapping(value, indent, lines)
        return
    pad = " " * indent
    for item in value:
        if isinstance(item, Commented) and item:
            _mapping(item, indent + 2, lines, first_prefix=pad + "- ")
        else:
            lines.append(f"{pad}- {_flow(item, indent + 2)}")
