"""Plain-text tables for the terminal."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = ["table", "cell", "summary_table"]


def cell(value: Any) -> str:
    """A value as a short table cell."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows under headers, columns padded to their widest cell."""
    text = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in text]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in text)
    return "\n".join(lines)


_COLUMNS = ("availability", "downtime_s", "failed_requests", "longest_outage_s", "keys_lost", "writes_lost",
            "failovers", "upgrade_duration_s", "roles_preserved", "status")


def summary_table(summary: dict[str, Any]) -> str:
    """One row per database with the headline figures of a summary."""
    rows = []
    for uid, figures in summary["databases"].items():
        row = [uid] + [figures[c] for c in _COLUMNS]
        row[_COLUMNS.index("failovers") + 1] = "{planned}+{unplanned}".format(**figures["failovers"])
        rows.append(row)
    return table(("db",) + _COLUMNS, rows)
