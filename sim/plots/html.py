"""The HTML of `report.html`: one self-contained page (inline CSS, images as base64 data URIs,
no script, nothing fetched), laid out for any width from a phone to a wide screen.

Pure functions from plain data to escaped HTML text; no date or path that depends on where
the run happened, so the same log gives the same page. Wide tables (class `cards`) turn into
one card per row below 1,250 px, so the page never scrolls sideways.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Sequence
from html import escape
from typing import Any

from sim.jsontext import pretty
from sim.plots.selection import SavedFigure
from sim.plots.units import number, percent, seconds, size

__all__ = ["Raw", "page", "page_parts", "table", "summary_rows", "flatten", "figure_html", "json_details"]

_CSS = """*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;color:#222;line-height:1.45}
main{max-width:1250px;margin:0 auto;padding:1em 1.25em 3em}h1{font-size:1.5em}h1,h2,h3,p,li{overflow-wrap:anywhere}
h2{margin-top:1.6em;border-bottom:1px solid #ddd}h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em;max-width:100%}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f0f0f0}td{font-variant-numeric:tabular-nums}.ok{color:#1b7837;font-weight:bold}
.fail,.bad{color:#b2182b;font-weight:bold}figure{margin:1.5em 0}img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#444}code{font-size:.85em;overflow-wrap:anywhere}
pre{background:#f7f7f7;padding:.6em;margin:.3em 0;font-size:.85em;white-space:pre-wrap;overflow-wrap:anywhere}
details>summary{cursor:pointer;color:#2b5797}
.verdict{border:2px solid #888;border-radius:6px;padding:.5em 1.2em;margin:1em 0;background:#f7f7f7}
.verdict.met{border-color:#1b7837;background:#f1f8f2}.verdict.unmet{border-color:#b2182b;background:#fcf1f1}
.verdict .headline{font-size:1.15em;font-weight:bold;margin:.4em 0}.verdict ul{margin:.3em 0 .5em;padding-left:1.2em}
ul.why li{margin:.25em 0}.nw{white-space:nowrap}td[data-label="versions"]{overflow-wrap:anywhere}
@media (max-width:1249px){table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards thead{display:none}table.cards tr{border:1px solid #bbb;margin:0 0 .8em}
table.cards td{border:none;border-bottom:1px solid #eee;display:grid;overflow-wrap:anywhere;
grid-template-columns:minmax(7em,38%) minmax(0,1fr);gap:.6em}
table.cards td::before{content:attr(data-label);font-weight:bold;color:#555}}"""


class Raw(str):
    """HTML text that a table puts in a cell as it is (already escaped)."""

    __slots__ = ()


def cell_text(value: Any) -> str:
    """A cell's HTML: text escaped, numbers as people read them (`2,556,250`), None `-`, JSON
    values compact; `Raw` as it is."""
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return "-"
    if isinstance(value, (bool, int, float)):
        return escape(number(value))
    if isinstance(value, str):
        return escape(value)
    return escape(json.dumps(value, separators=(", ", ": ")))


def table(heads: Sequence[str], rows: Iterable[Sequence[Any]], classes: Sequence[str] | None = None,
          cards: bool = False) -> str:
    """An HTML table; `classes` styles each row's last cell; `cards`: one card per row on narrow
    screens (each cell labelled with its head)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    body = []
    wrap = "<div>{}</div>" if cards else "{}"  # a card's cell is a grid: its label, then one block
    opening = [f'<td data-label="{escape(h)}"' for h in heads]  # the same for every row
    for i, row in enumerate(rows):
        styles = [""] * len(heads) if classes is None else [""] * (len(heads) - 1) + [f' class="{classes[i]}"']
        body.append("<tr>" + "".join(f'{td}{style}>{wrap.format(cell_text(v))}</td>'
                                     for td, v, style in zip(opening, row, styles)) + "</tr>")
    kind = ' class="cards"' if cards else ""
    return f"<table{kind}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


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
    """Heads and rows of the outcome table: one row per database, status and roles first, every
    figure with its unit; masters per node as before → after."""
    heads = ["database", "status", "roles preserved", "availability", "downtime", "longest outage",
             "request availability (failed)", "keys lost (bytes)", "writes lost", "failovers", "upgrade duration",
             "masters per node (before → after)", "versions"]
    rows = []
    for uid, f in summary["databases"].items():
        masters = f["masters_per_node"]
        spread = Raw(", ".join(f'<span class="nw">node {escape(n)}: {masters["before"][n]} → '
                               f'{masters["after"][n]}</span>' for n in masters["before"]))
        redis = [f"Redis {f['redis_version']}"] if f.get("redis_version") else []
        modules = ", ".join(redis + [f"{name} {version}" for name, version in f["module_versions"].items()])
        status = Raw(f'<span class="{"ok" if f["status"] == "active" else "bad"}">{escape(f["status"])}</span>')
        rows.append([uid, status, f["roles_preserved"], percent(f["availability"]), seconds(f["downtime_s"]),
                     seconds(f["longest_outage_s"]),
                     f"{percent(f['request_availability'])} ({number(f['failed_requests'])} failed)",
                     f"{number(f['keys_lost'])} ({size(f['bytes_lost'])})", f["writes_lost"],
                     f"{number(f['failovers']['planned'])} planned, {number(f['failovers']['unplanned'])} unplanned",
                     seconds(f["upgrade_duration_s"]), spread, modules])
    return heads, rows


def json_details(value: Any, label: str) -> Raw:
    """A JSON value pretty-printed in a collapsed `<details>`, `label` as its summary line."""
    text = pretty(value, sort_keys=True, ensure_ascii=False)
    return Raw(f"<details><summary>{escape(label)}</summary><pre>{escape(text)}</pre></details>")


def figure_html(saved: SavedFigure) -> str:
    """A figure: its PNG embedded, its caption, and the names of its files."""
    data = base64.b64encode(saved.png.read_bytes()).decode("ascii")
    files = ", ".join(f'<a href="{escape(p.name)}">{escape(p.name)}</a>' for p in saved.files)
    return (f'<figure><img alt="{escape(saved.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption><b>{escape(saved.title)}.</b> {escape(saved.caption)} Files: {files}.</figcaption></figure>")


def page(title: str, sections: Sequence[tuple[str, str]], intro: str = "") -> str:
    """The whole page: a title, an introduction, and `(heading, html)` sections, in one `<main>`."""
    return "".join(page_parts(title, sections, intro))


def page_parts(title: str, sections: Sequence[tuple[str, str]], intro: str = "") -> Iterator[str]:
    """`page` in pieces, to be written one after the other (a large run's report is megabytes:
    joined, it would be held several times over)."""
    yield (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
           f"<style>{_CSS}</style></head>\n<body><main><h1>{escape(title)}</h1>\n{intro}\n")
    for head, content in sections:
        yield f"<h2>{escape(head)}</h2>\n"
        yield content
        yield "\n"
    yield "</main></body></html>\n"
