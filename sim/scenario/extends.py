"""`extends: base.yaml` in scenario files: read the chain of bases and merge them into one document.

Merge (ours): the extending file wins; mappings are merged key by key, all the way down;
every other value — a list, a number, text, null — replaces the base's whole (a file that
lists `databases:` gives every database). `extends` itself never reaches the scenario.

Where a base may be (ours, with hostile files in mind — a scenario never makes upgrade-sim
read outside its own folder): a relative path, with `/` between parts, to a `.yaml` or
`.yml` file in the extending file's folder or below it: no absolute path, no `..`, no `~`, no
symbolic link on the way. A base may itself extend another (at most `MAX_CHAIN` files in
all); a file met twice in one chain is a cycle. Every refusal is one ScenarioError naming the
file and line of the `extends` key; an error inside a base names the base's file and line.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from sim.scenario.yamlsource import Loc, SourceMap, key_text, load_yaml

__all__ = ["KEY", "MAX_CHAIN", "load_document", "merge_documents"]

#: The key naming a base file.
KEY = "extends"
#: Most files in one chain of `extends` (the scenario itself included).
MAX_CHAIN = 8


def load_document(path: str | Path) -> tuple[Any, SourceMap]:
    """A scenario file's data with its bases merged in, and a source map naming each key's file.

    Raises ScenarioError (file:line: extends: problem) for a base that may not or cannot be read.
    """
    return _load(Path(path), ())


def _load(path: Path, chain: tuple[str, ...]) -> tuple[Any, SourceMap]:
    data, source, _ = load_yaml(path)
    if not isinstance(data, dict) or KEY not in data:
        return data, source
    base_path = _base_path(path, data[KEY], source)
    chain = chain + (os.path.realpath(path),)
    real = os.path.realpath(base_path)
    if real in chain:
        cycle = [Path(p).name for p in chain[chain.index(real):]] + [Path(real).name]
        raise source.error((KEY,), f"{data[KEY]}: a cycle of extends ({' -> '.join(cycle)})")
    if len(chain) >= MAX_CHAIN:
        raise source.error((KEY,), f"{data[KEY]}: more than {MAX_CHAIN} files extend one another; "
                                   "flatten the chain")
    base, base_source = _load(base_path, chain)
    if not isinstance(base, dict):
        raise base_source.error((), f"a base of {path} (extends) is a mapping of scenario keys, "
                                    f"not a {type(base).__name__}")
    own = {key: value for key, value in data.items() if key != KEY}
    return merge_documents(base, base_source, own, source)


def _base_path(path: Path, value: Any, source: SourceMap) -> Path:
    """The base's path, after the rules of the module docstring; ScenarioError naming the rule broken."""
    if not isinstance(value, str) or not value.strip():
        raise source.error((KEY,), f"the path of a base scenario file, relative to this file (got {value!r})")
    shown = value if value.isprintable() else repr(value)
    rel = PurePosixPath(value)
    if "\x00" in value:  # no file name holds one (os.lstat would raise ValueError)
        raise source.error((KEY,), f"{shown}: a file name has no NUL character")
    if "\\" in value or value.startswith("~") or rel.is_absolute():
        raise source.error((KEY,), f"{shown}: give a path relative to this file's folder, with / between parts "
                                   "(absolute paths, ~ and \\ are refused)")
    if ".." in rel.parts:
        raise source.error((KEY,), f"{shown}: a base must be in this file's folder or below it ('..' is refused: "
                                   "a scenario never makes upgrade-sim read outside its folder)")
    if rel.suffix not in (".yaml", ".yml"):
        raise source.error((KEY,), f"{shown}: a base is a scenario file (*.yaml or *.yml)")
    folder = path.parent
    current = folder
    for part in rel.parts:
        current = current / part
        try:
            info = os.lstat(current)
        except OSError as err:
            raise source.error((KEY,), f"{shown}: cannot read the file ({err.strerror})") from None
        if stat.S_ISLNK(info.st_mode):
            raise source.error((KEY,), f"{shown}: {current} is a symbolic link (refused: write the real path)")
    return folder / Path(*rel.parts)


def merge_documents(base: dict[Any, Any], base_source: SourceMap, own: dict[Any, Any],
                    own_source: SourceMap) -> tuple[dict[Any, Any], SourceMap]:
    """`own` laid over `base` (mappings merged, anything else replaced) and a source map in which
    every key path names the file and line it came from."""
    lines: dict[Loc, int] = {}
    files: dict[Loc, str] = {}
    _record(own_source, own, (), lines, files, top=True)
    merged = _merge(base, base_source, own, own_source, (), lines, files)
    return merged, SourceMap(own_source.name, lines, files)


def _merge(base: dict[Any, Any], base_source: SourceMap, own: dict[Any, Any], own_source: SourceMap, loc: Loc,
           lines: dict[Loc, int], files: dict[Loc, str]) -> dict[Any, Any]:
    # keys equal as text are one key (`1:` and `"1":`), as within one file
    by_text = {key_text(key): key for key in base}
    overridden = {by_text[key_text(key)] for key in own if key_text(key) in by_text}
    merged: dict[Any, Any] = {}
    for key, value in base.items():
        if key not in overridden:
            merged[key] = value
            _record(base_source, value, loc + (key,), lines, files)
    for key, value in own.items():
        inner, under = loc + (key,), base.get(by_text.get(key_text(key)))
        if isinstance(value, dict) and isinstance(under, dict):
            _entry(own_source, inner, lines, files)
            merged[key] = _merge(under, base_source, value, own_source, inner, lines, files)
        else:
            merged[key] = value
            _record(own_source, value, inner, lines, files)
    return merged


def _record(source: SourceMap, value: Any, loc: Loc, lines: dict[Loc, int], files: dict[Loc, str],
            top: bool = False) -> None:
    """Copy the lines of `value`'s key paths (walking the value itself: linear in its size)."""
    _entry(source, loc, lines, files)
    if top:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            _record(source, inner, loc + (key,), lines, files)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _record(source, inner, loc + (index,), lines, files)


def _entry(source: SourceMap, loc: Loc, lines: dict[Loc, int], files: dict[Loc, str]) -> None:
    if loc in source.lines:
        lines[loc] = source.lines[loc]
        files[loc] = source.files.get(loc, source.name)
