"""The HTML of `report.html`: one self-contained page (inline CSS, images as base64 data URIs).

Pure functions from plain data to escaped HTML text; no date or path that depends on where
the run happened, so the same log gives the same page.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from sim.plots.selection import SavedFigure

__all__ = ["page", "table", "summary_rows", "flatten", "figure_html"]

_CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1250px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}th,td{border:1px solid #ccc;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f0f0f0}td.ok{color:#1b7837;font-weight:bold}
td.fail{color:#b2182b;font-weight:bold}figure{margin:1.5em 0}img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#444}pre{background:#f7f7f7;padding:.75em;overflow-x:auto;font-size:.85em}
code{font-size:.85em}"""


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return escape(value)
    return escape(json.dumps(value, separators=(", ", ": ")))


def table(heads: Sequence[str], rows: Iterable[Sequence[Any]], classes: Sequence[str] | None = None) -> str:
    """An HTML table; cells are strings (escaped) or JSON values; `classes` styles each row's last cell."""
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    body = []
    for i, row in enumerate(rows):
        cells = [f"<td>{_cell(v)}</td>" for v in row]
        if classes is not None and cells:
            cells[-1] = f'<td class="{classes[i]}">{_cell(row[-1])}</td>'
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested mappings as `(dotted.key, value)` pairs, in order."""
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out += flatten(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


def summary_rows(summary: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Heads and rows of the outcome table: one row per database, masters per node as before → after."""
    heads = ["database", "availability", "downtime_s", "request_availability", "failed_requests",
             "longest_outage_s", "keys_lost", "bytes_lost", "writes_lost", "failovers (planned + unplanned)",
             "upgrade_duration_s", "roles_preserved", "masters per node (node: before → after)", "module_versions",
             "status"]
    rows = []
    for uid, f in summary["databases"].items():
        masters = f["masters_per_node"]
        spread = ", ".join(f"{n}: {masters['before'][n]} → {masters['after'][n]}" for n in masters["before"])
        modules = ", ".join(f"{name} {version}" for name, version in f["module_versions"].items())
        rows.append([uid, f["availability"], f["downtime_s"], f["request_availability"], f["failed_requests"],
                     f["longest_outage_s"], f["keys_lost"], f["bytes_lost"], f["writes_lost"],
                     f"{f['failovers']['planned']} + {f['failovers']['unplanned']}", f["upgrade_duration_s"],
                     f["roles_preserved"], spread, modules, f["status"]])
    return heads, rows


def figure_html(saved: SavedFigure) -> str:
    """A figure: its PNG embedded, its caption, and the names of its files."""
    data = base64.b64encode(saved.png.read_bytes()).decode("ascii")
    files = ", ".join(f'<a href="{escape(p.name)}">{escape(p.name)}</a>' for p in saved.files)
    return (f'<figure><img alt="{escape(saved.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption><b>{escape(saved.title)}.</b> {escape(saved.caption)} Files: {files}.</figcaption></figure>")


def page(title: str, sections: Sequence[tuple[str, str]], intro: str = "") -> str:
    """The whole page: a title, an introduction, and `(heading, html)` sections."""
    body = "".join(f"<h2>{escape(head)}</h2>\n{content}\n" for head, content in sections)
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{_CSS}</style></head>\n<body><h1>{escape(title)}</h1>\n{intro}\n{body}</body></html>\n")
