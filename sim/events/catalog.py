"""The table of every event type and its payload, generated from `sim.events.types`."""
from __future__ import annotations

import inspect
import typing

from sim.events import types
from sim.events.types import EVENT_TYPES, payload_fields

__all__ = ["events_markdown"]

_INTRO = """# Event types

Every state change of a run is one event, one JSON line of `events.jsonl` (SPEC §8). Each
line has `seq` (0, 1, 2, … without gaps), `t` (simulated seconds, never decreasing),
`type`, `cause` (the `seq` of the event that led to it; `null` for a root: a timeline step)
and the payload below. The first line of the file is a header: `format`
(`upgrade-sim/events`), `format_version`, `simulator`, `scenario`, `scenario_sha256`, `seed`.

`SimulationStarted.initial` is the whole state: `cluster`, `nodes`, `modules`, `users` and
`actions` as objects; `shards` and each database's `pairs` as tables by column, e.g.
`"shards": {"uid": [1, 2], "role": ["master", "slave"], …}`; the i-th entry of every column
describes the i-th shard, and a column whose every value is its field's default (a shard's
`until`, `action`, …; a pair's `recovery`, `failover`, …) is left out (format version 3).
Version 2 had no persistence files, our phase names in `ActionStateChanged.state` and slot
ranges as `slot_start`/`slot_end`; version 1 wrote the two tables as lists of objects. The
reader upcasts such logs (`sim/events/upcast.py`).

This file is generated from `sim/events/types.py` (`make docs`); a test keeps it current.

| event | meaning | payload |
|---|---|---|
"""


def events_markdown() -> str:
    """The Markdown table of every event type, its meaning and its payload fields with types."""
    hints_of = {cls: typing.get_type_hints(cls, vars(types)) for cls in EVENT_TYPES.values()}
    rows = []
    for name, cls in EVENT_TYPES.items():
        meaning = " ".join(inspect.getdoc(cls).split())  # type: ignore[union-attr]
        fields = ", ".join(f"`{f}`: {_type_name(hints_of[cls][f])}" for f in payload_fields(cls)) or "—"
        rows.append(f"| `{name}` | {meaning} | {fields} |")
    return _INTRO + "\n".join(rows) + "\n"


def _type_name(hint: object) -> str:
    text = getattr(hint, "__name__", None) if not typing.get_args(hint) else None
    return (text or str(hint).replace("typing.", "").replace("NoneType", "None")).replace(" | ", " or ")
