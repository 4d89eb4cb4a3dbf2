"""YAML reading that remembers where every key is: data plus a key-path → line map."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import ScenarioError

__all__ = ["SourceMap", "load_yaml", "parse_yaml"]

Loc = tuple[Any, ...]


class SourceMap:
    """Lines (1-based) of the keys and items of a YAML document, by key path."""

    def __init__(self, name: str, lines: dict[Loc, int]) -> None:
        self.name = name
        self.lines = lines

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest part of `loc` present in the document."""
        best, path = self.lines.get((), 1), ()
        for part in loc:
            candidate = path + (part,)
            if candidate in self.lines:
                path, best = candidate, self.lines[candidate]
            elif isinstance(part, str) and part.isdigit() and path + (int(part),) in self.lines:
                path = path + (int(part),)
                best = self.lines[path]
        return best

    def error(self, loc: Loc, message: str) -> ScenarioError:
        """A ScenarioError naming the file, the line and the key path."""
        where = _dotted(loc)
        return ScenarioError(f"{self.name}:{self.line_of(loc)}: {where + ': ' if where else ''}{message}", loc)


def load_yaml(path: str | Path) -> tuple[Any, SourceMap, bytes]:
    """Read a YAML file: its data, its source map and its raw bytes; ScenarioError if unreadable."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read the file ({err.strerror})") from None
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
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        context, context_mark = getattr(err, "context", None), getattr(err, "context_mark", None)
        if context and context_mark is not None and context_mark.line + 1 != line:
            problem += f" ({context} at line {context_mark.line + 1})"
        raise ScenarioError(f"{name}:{line}: malformed YAML: {problem}") from None
    if node is None:
        raise ScenarioError(f"{name}:1: the file is empty")
    lines: dict[Loc, int] = {}
    data = _build(node, (), lines, SafeConstructor(), name)
    return data, SourceMap(name, lines)


def _build(node: Node, loc: Loc, lines: dict[Loc, int], constructor: SafeConstructor, name: str) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        constructor.flatten_mapping(node)  # resolves `<<` merge keys
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise ScenarioError(f"{name}:{key_node.start_mark.line + 1}: a key must be a plain value")
            if key in result:
                raise ScenarioError(f"{name}:{key_node.start_mark.line + 1}: {_dotted(loc + (key,))}: duplicate key")
            lines[loc + (key,)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, loc + (key,), lines, constructor, name)
        return result
    if isinstance(node, SequenceNode):
        return [_build(item, loc + (i,), lines, constructor, name) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.YAMLError as err:
        raise ScenarioError(f"{name}:{node.start_mark.line + 1}: {_dotted(loc)}: {err}") from None


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
