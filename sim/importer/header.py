"""The header comment of an imported scenario: what was read, what was ignored, what to set by hand.

Its first line starts with `MARKER`: `upgrade-sim import --out` replaces an existing file
only when it starts so (a file it wrote), unless told to with `--force`.
"""
from __future__ import annotations

import textwrap

from sim.importer.context import ImportContext

__all__ = ["MARKER", "header_lines"]

MARKER = "Imported by upgrade-sim import"

#: (kind of object, body) in the order the header lists them.
_KINDS = (("cluster", "cluster"), ("policy", "policy"), ("node", "nodes"), ("module", "modules"),
          ("database", "bdbs"), ("shard", "shards"))
#: Field names listed per kind before "and N more".
_SHOWN = 8
#: Header lines are wrapped at this width.
_WIDTH = 100


def header_lines(ctx: ImportContext) -> list[str]:
    """The header's lines (without their `# `)."""
    bodies = ctx.bodies
    how = "GET requests only" if bodies.live else "saved REST bodies"
    lines = [f"{MARKER} from {bodies.source} ({how}).",
             "Set each database's dataset (bytes, keys) and workload before drawing conclusions: a cluster's",
             "REST objects do not hold them (dataset.bytes is the database's memory limit, memory_size).",
             "", "Read:"]
    for kind, name in _KINDS:
        body = getattr(bodies, name)
        if body.data is None:
            lines.append(f"  {body.origin}: absent (optional): the policy fields come from the cluster object")
            continue
        count = f"{len(body.data)} {kind}{'s' if len(body.data) != 1 else ''}: " if isinstance(body.data, list) else ""
        lines.append(f"  {body.origin}: {count}{', '.join(ctx.usage.used(kind)) or 'nothing the simulator uses'}")
    lines.append("Ignored (fields the simulator does not model):")
    for kind, _name in _KINDS:
        ignored = ctx.usage.ignored(kind)
        if ignored:
            more = f" and {len(ignored) - _SHOWN} more" if len(ignored) > _SHOWN else ""
            lines.append(f"  {kind}: {', '.join(ignored[:_SHOWN])}{more}")
    lines.append("  not read: users and roles (requests run as an implicit admin), actions, statistics")
    if ctx.notes:
        lines.append("Notes:")
        lines.extend(f"  - {note}" for note in ctx.notes)
    return [part for line in lines for part in _wrap(line)]


def _wrap(line: str) -> list[str]:
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return textwrap.wrap(line, _WIDTH, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False) or [""]
