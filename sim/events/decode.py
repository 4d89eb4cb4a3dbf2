"""Typed checks at the log boundary, derived from the annotations: nothing read is trusted.

A value read from a log is checked against the type its dataclass field declares (an event's
payload, the header, every object of the initial state), and every reference against the
state by the field's name (`REFERENCES`), so that a new event type or state field is covered
without an edit here. `int` is an integer from 0 to 2⁶³ − 1 (never a boolean), `float` a
finite number ≥ 0: every number of a log is a uid, index, count, time, duration or rate.
"""
from __future__ import annotations

import dataclasses
import math
import sys
import types
import typing
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

__all__ = ["type_problem", "fields_problem", "conforms", "hints_of", "describe", "reference_problem", "state_problem",
           "REFERENCES",
           "shown"]

_LIMIT = 2**63

#: What a field (or a key of an object inside a field) refers to, by its name: a shard uid,
#: a node uid, a database uid, an action uid, or an uploaded module's uid. A list field refers
#: with each item. `pair` is the index of a pair of the database named beside it; `cause` is
#: checked by the reader (an earlier `seq`).
REFERENCES: dict[str, str] = {
    "shard": "shard", "source": "shard", "master": "shard", "replica": "shard", "shards": "shard",
    "original_masters": "shard",
    "node": "node", "from_node": "node", "to_node": "node", "node_uid": "node",
    "bdb": "bdb", "bdb_uid": "bdb",
    "action_uid": "action", "retry_of": "action",
    "from_uid": "module", "to_uid": "module", "module_id": "module",
}
#: Fields that create what they name instead of referring to it: (event type, field).
CREATES = {("ActionStarted", "action_uid")}


# --- types -------------------------------------------------------------------------------

def conforms(value: Any, hint: Any) -> bool:
    """True when `value` is of type `hint` (fast: a checker compiled once per type)."""
    return _checker(hint)(value)


def type_problem(value: Any, hint: Any) -> str | None:
    """Why `value` is not of type `hint` (naming where inside it), or None."""
    if _checker(hint)(value):
        return None
    return _explain(value, hint, "")


def fields_problem(cls: type, record: dict[str, Any], names: Iterable[str]) -> str | None:
    """The first of `names` whose value in `record` is not of the type `cls` declares for it:
    `NAME: why`, or None."""
    hints = hints_of(cls)
    for name in names:
        problem = type_problem(record[name], hints[name])
        if problem is not None:
            return f"{name}: {problem}"
    return None


_HINTS: dict[type, dict[str, Any]] = {}


def hints_of(cls: type) -> dict[str, Any]:
    """The resolved annotations of a class (its fields' types), computed once."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    return hints


@cache
def _checker(hint: Any) -> Callable[[Any], bool]:
    """A predicate for one type; unknown kinds of hints accept anything (they are not ours)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any or hint is object:
        return lambda v: True
    if hint is type(None) or hint is None:
        return lambda v: v is None
    if hint is bool:
        return lambda v: v is True or v is False
    if hint is int:  # every integer of a log is a uid, an index, a count or a status: never negative
        return lambda v: type(v) is int and 0 <= v < _LIMIT
    if hint is float:  # every real of a log is a time, a duration, a rate or a count
        return lambda v: (type(v) is float and 0 <= v < math.inf) or (type(v) is int and 0 <= v < _LIMIT)
    if hint is str:
        return lambda v: isinstance(v, str)  # a StrEnum of the state is a text too
    if origin in (typing.Union, types.UnionType):
        options = tuple(_checker(a) for a in args)
        return lambda v: any(check(v) for check in options)
    if origin is typing.Literal:
        return lambda v: any(v == a and type(v) is type(a) for a in args)
    if origin in (list, tuple) and (origin is list or (len(args) == 2 and args[1] is Ellipsis)):
        item = _checker(args[0]) if args else _checker(Any)
        kind = (list,) if origin is list else (list, tuple)
        return lambda v: isinstance(v, kind) and all(item(x) for x in v)
    if origin is dict:
        key, value = (_checker(args[0]), _checker(args[1])) if args else (_checker(Any), _checker(Any))
        return lambda v: isinstance(v, dict) and all(key(k) and value(x) for k, x in v.items())
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return lambda v: isinstance(v, hint) and _dataclass_problem(v) is None
    if isinstance(hint, type) and origin is None and not _is_abstract(hint):
        return lambda v: isinstance(v, hint)
    return lambda v: True


def _is_abstract(hint: type) -> bool:
    return hint.__module__ in ("collections.abc", "typing")


def _explain(value: Any, hint: Any, where: str) -> str:
    """The innermost reason why `value` is not of type `hint`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    at = f" at {where}" if where else ""
    if origin in (list, tuple) and isinstance(value, (list, tuple)) and args:
        for i, item in enumerate(value):
            if not _checker(args[0])(item):
                return _explain(item, args[0], f"{where}[{i}]")
    if origin is dict and isinstance(value, dict) and args:
        for key, item in value.items():
            if not _checker(args[0])(key):
                return f"key {shown(key)}{at} is not {describe(args[0])}"
            if not _checker(args[1])(item):
                return _explain(item, args[1], f"{where}[{shown(key)}]")
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, hint):
        return f"{_dataclass_problem(value)}{at}"
    return f"expected {describe(hint)}, got {shown(value)}{at}"


def describe(hint: Any) -> str:
    """A type in words: `an integer`, `a list of integers`, `a text or null`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    names = {bool: "true or false", int: "an integer from 0 to 2**63-1", float: "a finite number >= 0", str: "a text",
             type(None): "null"}
    if hint in names:
        return names[hint]
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in args)
    if origin in (list, tuple):
        return f"a list of ({describe(args[0])})" if args else "a list"
    if origin is dict:
        return f"an object of ({describe(args[1])})" if args else "an object"
    if origin is typing.Literal:
        return "one of " + ", ".join(shown(a) for a in args)
    return getattr(hint, "__name__", str(hint))


def shown(value: Any) -> str:
    """A value as a short quote for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dataclass_problem(obj: Any) -> str | None:
    for f in dataclasses.fields(obj):
        if f.name.startswith("_") or typing.get_origin(hints_of(type(obj))[f.name]) is typing.ClassVar:
            continue
        problem = type_problem(getattr(obj, f.name), hints_of(type(obj))[f.name])
        if problem is not None:
            return f"{f.name}: {problem}"
    return None


# --- references --------------------------------------------------------------------------

def reference_problem(state: Any, obj: Any, creates: frozenset[str] = frozenset()) -> str | None:
    """The first field of `obj` (a dataclass: an event, a state object) naming something the
    state does not hold, as `FIELD: why`, or None. Fields in `creates` must name something new."""
    values = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    for name, value in values.items():
        kind = REFERENCES.get(name)
        if name == "pair":
            problem = _pair_problem(state, values, value)
        elif kind is None:
            problem = _nested_problem(state, value)
        elif name in creates:
            problem = f"{kind} {shown(value)} exists already" if _exists(state, kind, value) else None
        else:
            problem = _refers(state, kind, value)
        if problem is not None:
            return f"{name}: {problem}"
    return None


def _refers(state: Any, kind: str, value: Any) -> str | None:
    items = value if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if item is not None and not _exists(state, kind, item):
            return f"no {kind} {shown(item)} in the state"
    return None


def _exists(state: Any, kind: str, value: Any) -> bool:
    table = {"shard": state.shards, "node": state.nodes, "bdb": state.bdbs, "action": state.actions,
             "module": state.modules}[kind]
    try:
        return value in table
    except TypeError:  # unhashable
        return False


def _pair_problem(state: Any, values: dict[str, Any], index: Any) -> str | None:
    bdb = state.bdbs.get(values.get("bdb", values.get("bdb_uid")))
    if bdb is None:
        return None  # reported on the database field
    if type(index) is not int or not 0 <= index < len(bdb.pairs):
        return f"database {bdb.uid} has no pair {shown(index)}"
    return None


def _nested_problem(state: Any, value: Any) -> str | None:
    """References inside the objects of a list field (e.g. an action's `modules` plans)."""
    if not isinstance(value, list):
        return None
    for i, item in enumerate(value):
        if isinstance(item, dict):
            for key, inner in item.items():
                kind = REFERENCES.get(key) if isinstance(key, str) else None
                problem = _refers(state, kind, inner) if kind is not None else None
                if problem is not None:
                    return f"[{i}].{key}: {problem}"
    return None


# --- a whole state -----------------------------------------------------------------------

def state_problem(state: Any) -> str | None:
    """What is wrong with a state built from a log's snapshot (types, references, the shape of
    pairs), or None."""
    problem = _dataclass_problem(state)
    if problem is not None:
        return problem
    objects: list[tuple[str, Any]] = [(f"node {uid}", n) for uid, n in state.nodes.items()]
    objects += [(f"shard {uid}", s) for uid, s in state.shards.items()]
    objects += [(f"action {uid}", a) for uid, a in state.actions.items()]
    objects += [(f"database {uid}", b) for uid, b in state.bdbs.items()]
    objects += [(f"database {uid} pair {i}", p) for uid, b in state.bdbs.items() for i, p in enumerate(b.pairs)]
    for name, obj in objects:
        problem = reference_problem(state, obj)
        if problem is not None:
            return f"{name}: {problem}"
    return _shape_problem(state)


def _slots_problem(text: str, count: int) -> bool:
    """True unless `text` is slot ranges within 0-16383 that hold `count` slots."""
    from sim.model.pinned import HASH_SLOTS, parse_slots
    try:
        ranges = parse_slots(text)
    except ValueError:
        return True
    return any(not 0 <= a <= b < HASH_SLOTS for a, b in ranges) or sum(b - a + 1 for a, b in ranges) != count


#: The keys of a database's `module_list` entry (`sim.model.build.module_entry`).
_MODULE_ENTRY_KEYS = frozenset({"module_id", "module_name", "semantic_version", "module_args"})


def _shape_problem(state: Any) -> str | None:
    for uid, node in state.nodes.items():
        if node.uid != uid:
            return f"node {uid} is listed under uid {node.uid}"
    for uid, bdb in state.bdbs.items():
        for i, entry in enumerate(bdb.module_list):
            if set(entry) != _MODULE_ENTRY_KEYS:
                return f"database {uid} module_list[{i}] has keys {sorted(entry)}, not {sorted(_MODULE_ENTRY_KEYS)}"
        for i, pair in enumerate(bdb.pairs):
            if pair.index != i or pair.bdb_uid != uid:
                return f"database {uid} pair {i} says it is pair {pair.index} of database {pair.bdb_uid}"
            if not 1 <= len(pair.shards) <= 2 or len(set(pair.shards)) != len(pair.shards):
                return f"database {uid} pair {i} has shards {list(pair.shards)}"
            if _slots_problem(pair.assigned_slots, pair.slots) or pair.keys < 0 or pair.bytes < 0:
                return f"database {uid} pair {i} has slots {pair.assigned_slots!r} ({pair.slots}), {pair.keys} keys, " \
                       f"{pair.bytes} bytes"
            for shard_uid in pair.shards:
                shard = state.shards[shard_uid]
                if (shard.bdb_uid, shard.pair) != (uid, i):
                    return f"shard {shard_uid} is in pair {i} of database {uid} but says pair {shard.pair} of " \
                           f"database {shard.bdb_uid}"
    paired = {uid for bdb in state.bdbs.values() for pair in bdb.pairs for uid in pair.shards}
    for uid, shard in state.shards.items():
        if uid not in paired:
            return f"shard {uid} belongs to no pair"
        if shard.uid != uid or shard.keys < 0 or shard.bytes < 0:
            return f"shard {uid} has uid {shard.uid}, {shard.keys} keys, {shard.bytes} bytes"
    return None
