"""YAML reading that remembers where every key is: data plus a key-path → line map.

Hostile input is bounded before it costs anything: only a regular file of at most
`MAX_BYTES` is read (never a folder, FIFO or device), nesting deeper than `MAX_DEPTH` and
aliases expanding to more than `MAX_ALIASED` values are refused, and so are numbers a
scenario cannot mean: integers outside 64 bits, infinities and NaN, and what JSON cannot say
(dates, timestamps, `!!binary`). Keys that are equal once written as text (`1` and `"1"`) are
duplicates.
"""
from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import ScenarioError
from sim.inputfile import read_regular
from sim.model.sizes import whole_number

__all__ = ["SourceMap", "load_yaml", "parse_yaml", "dotted", "key_text", "MAX_BYTES", "MAX_DEPTH",
           "MAX_ALIASED"]

Loc = tuple[Any, ...]

#: Largest scenario file read (a 10,000-shard cluster with pinned placement is under 1 MB).
MAX_BYTES = 16 * 2**20
#: Deepest nesting of mappings and lists (a scenario needs about 8).
MAX_DEPTH = 64
#: Most values that YAML aliases (`*name`, `<<: *name`) may add by repetition.
MAX_ALIASED = 100_000
_INT_LIMIT = 2**63
#: What YAML's own scalar types are called in messages (JSON has none of them).
_KINDS = {datetime.date: "date", datetime.datetime: "timestamp", bytes: "binary value"}


class SourceMap:
    """Lines (1-based) of the keys and items of a YAML document, by key path.

    A document merged from several files (`extends:`) also knows, in `files`, the file of each
    key path that another file than `name` gave; a path not in `files` is `name`'s.
    """

    def __init__(self, name: str, lines: dict[Loc, int], files: dict[Loc, str] | None = None) -> None:
        self.name = name
        self.lines = lines
        self.files = files or {}

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest part of `loc` present in the document."""
        return self.where(loc)[1]

    def where(self, loc: Loc) -> tuple[str, int]:
        """The file and line of the deepest part of `loc` present in the document."""
        path: Loc = ()
        for part in loc:
            candidate = path + (part,)
            if candidate in self.lines:
                path = candidate
            elif isinstance(part, str) and (number := whole_number(part)) is not None \
                    and path + (number,) in self.lines:
                path = path + (number,)
        return self.files.get(path, self.name), self.lines.get(path, 1)

    def error(self, loc: Loc, message: str) -> ScenarioError:
        """A ScenarioError naming the file, the line and the key path."""
        return ScenarioError(self.describe(loc, message), loc)

    def describe(self, loc: Loc, message: str) -> str:
        """`FILE:LINE: key.path: message`, naming the file that holds the key."""
        where = dotted(loc)
        name, line = self.where(loc)
        return f"{name}:{line}: {where + ': ' if where else ''}{message}"


def load_yaml(path: str | Path) -> tuple[Any, SourceMap, bytes]:
    """Read a YAML file: its data, its source map and its raw bytes; ScenarioError if unreadable."""
    raw = read_regular(Path(path), MAX_BYTES, "scenario file", ScenarioError)
    data, source = parse_yaml(raw, str(path))
    return data, source, raw


def parse_yaml(raw: bytes, name: str) -> tuple[Any, SourceMap]:
    """Parse YAML bytes (safe loader); duplicate keys are errors."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{name}:1: the file is not UTF-8 text (is it a binary file?)") from None
    if "\x00" in text:
        raise ScenarioError(f"{name}:1: the file is not text (it contains NUL bytes)")
    try:
        loader = _BoundedLoader(text, name)
    except yaml.reader.ReaderError as err:  # a control character: PyYAML's reader refuses it at once
        line = text.count("\n", 0, err.position) + 1
        code = err.character if isinstance(err.character, int) else ord(err.character)
        raise ScenarioError(f"{name}:{line}: the character U+{code:04X} is not allowed in YAML (write a control "
                            "character as an escape in a double-quoted text, e.g. \"\\x1b\")") from None
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        context, context_mark = getattr(err, "context", None), getattr(err, "context_mark", None)
        if context and context_mark is not None and context_mark.line + 1 != line:
            problem += f" ({context} at line {context_mark.line + 1})"
        raise ScenarioError(f"{name}:{line}: malformed YAML: {problem}") from None
    finally:
        loader.dispose()
    if node is None:
        raise ScenarioError(f"{name}:1: the file is empty")
    return _Builder(name).document(node)


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting deeper than MAX_DEPTH as it composes (its
    composer recurses: 3,000 levels would overflow Python's stack)."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.source_name, self.depth = name, 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise ScenarioError(f"{self.source_name}:{line}: nested more than {MAX_DEPTH} levels deep")
            node: Node | None = super().compose_node(parent, index)
            return node
        finally:
            self.depth -= 1


class _Builder:
    """Builds plain data from composed nodes, noting the line of every key path."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[Loc, int] = {}
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()
        self.aliased = 0

    def document(self, node: Node) -> tuple[Any, SourceMap]:
        """The data of a document and its source map."""
        data = self.build(node, (), False)
        return data, SourceMap(self.name, self.lines)

    def build(self, node: Node, loc: Loc, aliased: bool) -> Any:
        """One node's value; `aliased` when reached through an alias (a node seen before)."""
        line = node.start_mark.line + 1
        aliased = aliased or id(node) in self.seen
        self.seen.add(id(node))
        if aliased:
            self.aliased += 1
            if self.aliased > MAX_ALIASED:
                raise ScenarioError(f"{self.name}:{line}: YAML aliases of this anchor expand the document to more "
                                    f"than {MAX_ALIASED:,} repeated values; write the values out")
        self.lines.setdefault(loc, line)
        if isinstance(node, MappingNode):
            return self._mapping(node, loc, aliased)
        if isinstance(node, SequenceNode):
            return [self.build(item, loc + (i,), aliased) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node, loc)

    def _mapping(self, node: MappingNode, loc: Loc, aliased: bool) -> dict[Any, Any]:
        explicit = {id(key) for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"}
        try:
            self.constructor.flatten_mapping(node)  # resolves `<<` merge keys
        except yaml.YAMLError as err:
            problem = getattr(err, "problem", None) or " ".join(str(err).split())
            raise ScenarioError(f"{self.name}:{node.start_mark.line + 1}: {dotted(loc) or 'merge key'}: "
                                f"{problem}") from None
        result: dict[Any, Any] = {}
        texts: dict[str, tuple[Any, bool]] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                raise ScenarioError(f"{self.name}:{line}: a key must be a plain value")
            key = self._scalar(key_node, loc)
            text = key_text(key)
            if text in texts:
                earlier, was_explicit = texts[text]
                if not (was_explicit and id(key_node) in explicit):  # a merged value (`<<`) is overridden
                    del result[earlier]
                else:
                    same = "" if earlier == key and type(earlier) is type(key) else \
                        f" ({earlier!r} and {key!r} name the same key)"
                    raise ScenarioError(f"{self.name}:{line}: {dotted(loc + (key,))}: duplicate key{same}")
            texts[text] = (key, id(key_node) in explicit)
            self.lines[loc + (key,)] = line
            result[key] = self.build(value_node, loc + (key,), aliased)
        return result

    def _scalar(self, node: ScalarNode, loc: Loc) -> Any:
        line = node.start_mark.line + 1
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as err:
            raise ScenarioError(f"{self.name}:{line}: {dotted(loc)}: {' '.join(str(err).split())}") from None
        except ValueError:  # an integer beyond Python's digit limit
            value = _INT_LIMIT
        if isinstance(value, int) and not isinstance(value, bool) and not -_INT_LIMIT <= value < _INT_LIMIT:
            shown = node.value if len(node.value) <= 20 else node.value[:20] + "…"
            raise ScenarioError(f"{self.name}:{line}: {dotted(loc)}: the number {shown} is too large (integers fit "
                                "in 64 bits; quote it if it is an identifier)")
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ScenarioError(f"{self.name}:{line}: {dotted(loc)}: a lone surrogate (\\ud800-\\udfff) is not "
                                    "text") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(f"{self.name}:{line}: {dotted(loc)}: {node.value} is not a finite number")
        if not (value is None or isinstance(value, (str, bool, int, float))):  # a date, !!binary: not JSON
            shown = node.value if len(node.value) <= 20 else node.value[:20] + "…"
            kind = _KINDS.get(type(value), type(value).__name__)
            raise ScenarioError(f"{self.name}:{line}: {dotted(loc)}: {shown} reads as a {kind}, which a scenario "
                                "cannot hold (quote it to mean a text)")
        return value


def key_text(key: Any) -> str:
    """A key as text, the way it would be written in JSON: `1`, `1.0` and `"1"` are one key."""
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key).strip()


def dotted(loc: Loc) -> str:
    """A key path as messages write it: `databases[0].module_list[1]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
