"""Plain-text tables and summaries for the terminal, numbers as people read them."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sim.plots.units import number
from sim.printable import one_line

__all__ = ["table", "cell", "summary_table", "failed_actions", "number"]


def cell(value: Any) -> str:
    """A value as a short table cell: whole numbers as integers, thousands separated, never
    an exponent (`2,556,250`, `0.993333`); None is `-`, booleans yes/no."""
    if value is None:
        return "-"
    if isinstance(value, (bool, int, float)):
        return number(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return one_line(str(value))  # a name from the scenario: no ESC reaches the terminal


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
    """One row per database with the headline figures of a summary, then one line per failed
    action saying why (`action … (SMUpgradeBDB) on database 1 failed at t=20 in state prepare: …`)."""
    rows = []
    for uid, figures in summary["databases"].items():
        row = [uid] + [figures[c] for c in _COLUMNS]
        row[_COLUMNS.index("failovers") + 1] = "{planned}+{unplanned}".format(**figures["failovers"])
        rows.append(row)
    return "\n".join([table(("db",) + _COLUMNS, rows)] + failed_actions(summary))


def failed_actions(summary: dict[str, Any]) -> list[str]:
    """A line per failed action of the summary (SPEC §9 `actions`), its reason in words."""
    return [f"action {a['action_uid']} ({a['name']}) on database {a['bdb']} failed"
            + ("" if a["ended_at"] is None else f" at t={number(a['ended_at'])}")
            + f" in state {a['state']}: {a['error'] or 'no reason recorded'}"
            for a in summary.get("actions", []) if a["status"] == "failed"]
