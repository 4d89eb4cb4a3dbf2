"""The run report: `report.html` (self-contained) and, unless switched off, the figures.

Everything comes from the event log and the summary: the log is folded once (without SimPy)
into the figures' History and, in the same pass, into the explanation of outages and losses.
"""
from __future__ import annotations

from collections.abc import Iterator
from html import escape
from itertools import chain
from pathlib import Path
from typing import Any

from sim.events import read_log
from sim.events.log import LogHeader
from sim.events.types import Event, SimulationStarted
from sim.metrics.explain import Explainer, explain_lines
from sim.plots.history import History
from sim.plots.html import figure_html, flatten, json_details, page_parts, summary_rows, table
from sim.plots.selection import SavedFigure, chosen_databases
from sim.plots.units import number, seconds, timing_value
from sim.plots.verdict import explanation_html, verdict_box

__all__ = ["write_report"]


def write_report(folder: Path, summary: dict[str, Any], log_path: Path, plots: bool = True,
                 explanation: list[str] | None = None, timing: dict[str, Any] | None = None,
                 history: History | None = None) -> list[Path]:
    """Write `report.html` (and, with `plots`, the figures as PNG and SVG) into `folder`;
    returns the files written, the report last. `explanation` and `timing`: what a live run
    already knows (the lines of an `Explainer` that folded its events, its timing profile), so
    that without plots the log's events are not read at all (its first line, the whole
    initial state, is most of the cost on a large cluster); `history`, the figures' fold a live
    run made as it went (`LiveHistory`), so that with plots the log is not read back either.

    Raises LogFormatError when the log cannot be read or does not describe a finished run.
    """
    header, events = read_log(log_path)
    if plots:
        from sim.plots.figures import write_figures  # matplotlib: loaded only to draw
        from sim.plots.history import fold_events

        if history is None or explanation is None:
            explainer = Explainer()
            history = fold_events(events, sinks=[explainer] if explanation is None else [])
            explanation = explainer.lines() if explanation is None else explanation
        timing = history.timing
        figures = write_figures(folder, history, summary)
    else:
        if timing is None or explanation is None:
            timing, explanation = _timing_and_explanation(events, explanation)
        figures = []
    path = folder / "report.html"
    with path.open("w", encoding="utf-8") as file:
        file.writelines(_render(header, summary, timing, explanation, figures, plots))
    return [p for saved in figures for p in saved.files] + [path]


def _timing_and_explanation(events: Iterator[Event], explanation: list[str] | None) -> tuple[dict[str, Any], list[str]]:
    first = next(events, None)
    timing = first.timing if isinstance(first, SimulationStarted) else {}
    if explanation is None:
        explanation = explain_lines(chain([first], events) if first is not None else [])
    return timing, explanation


def _render(header: LogHeader, summary: dict[str, Any], timing: dict[str, Any], explanation: list[str],
            figures: list[SavedFigure], plots: bool) -> Iterator[str]:
    intro = (f"<p>Scenario <b>{escape(summary['scenario'])}</b>, seed {summary['seed']}, window "
             f"[0, {number(summary['duration'])}] s, {number(summary['events'])} events; simulator "
             f"{escape(header.simulator)}, scenario sha256 <code>{escape(header.scenario_sha256)}</code>.</p>")
    heads, rows = summary_rows(summary)
    sections = [("Verdict", verdict_box(summary)),
                ("Outcome per database", table(heads, rows, cards=True)),
                ("Why: outages, losses and failed actions explained", explanation_html(explanation)),
                ("Figures", _figures(summary, figures, plots)),
                ("Actions", _actions(summary.get("actions", []))),
                ("Responses", _responses(summary)),
                ("Expectations", _expectations(summary.get("expectations"))),
                ("Timing profile", table(["timing", "value"], [(k, timing_value(k, v)) for k, v in flatten(timing)]))]
    return page_parts(f"upgrade-sim report: {summary['scenario']}", sections, intro)


def _actions(actions: list[dict[str, Any]]) -> str:
    if not actions:
        return "<p>No upgrade action was started.</p>"
    rows = [[a["action_uid"], a["bdb"], a["name"], a["status"], a["state"], f"{a['progress']} %",
             seconds(a["accepted_at"]), seconds(a["ended_at"]), a["error"] or ""] for a in actions]
    classes = ["fail" if a["status"] == "failed" else "" for a in actions]
    return table(["action", "database", "name", "status", "state (vendor)", "progress", "accepted at", "ended at",
                  "why it failed"], rows, classes, cards=True)


def _responses(summary: dict[str, Any]) -> str:
    if not summary["responses"]:
        return "<p>No request was sent.</p>"
    rows = [[seconds(r["at"]), r["method"], r["path"], r["status"], r["error_code"] or "",
             json_details(r["body"], _body_label(r))] for r in summary["responses"]]
    return table(["at", "method", "path", "status", "error_code", "body"], rows, cards=True)


def _body_label(response: dict[str, Any]) -> str:
    body = response["body"]
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    if isinstance(body, dict) and "action_uid" in body:
        return f"action {body['action_uid']}"
    return "body"


def _expectations(results: list[dict[str, Any]] | None) -> str:
    if results is None:
        return "<p>Not evaluated: this is a replay, and a log does not carry its scenario's expectations.</p>"
    if not results:
        return "<p>The scenario states no expectations.</p>"
    failed = sum(1 for r in results if not r["ok"])
    verdict = f"<p>{len(results) - failed} of {len(results)} expectations met.</p>"
    rows = [[r["what"], _expected(r["what"], r["expected"]), _expected(r["what"], r["actual"]),
             "ok" if r["ok"] else "FAILED"] for r in results]
    return verdict + table(["expectation", "expected", "actual", "result"], rows,
                           ["ok" if r["ok"] else "fail" for r in results], cards=True)


def _expected(what: str, value: Any) -> Any:
    """A bound in seconds with its unit (`85 s`), module versions as `ReJSON 2.2.1`; other values as they are."""
    if what.endswith("_s") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return seconds(value)
    if what.endswith("module_versions") and isinstance(value, dict):
        return ", ".join(f"{name} {version}" for name, version in value.items()) or "none"
    return value


def _figures(summary: dict[str, Any], figures: list[SavedFigure], plots: bool) -> str:
    if not plots:
        return "<p>Figures were not drawn (plots switched off).</p>"
    drawn = set(chosen_databases(summary))
    others = [uid for uid in summary["databases"] if uid not in drawn]
    note = (f"<p>Per-database figures are drawn for the {len(drawn)} most affected databases; not drawn: "
            f"{escape(', '.join(others))} (see the outcome table).</p>") if others else ""
    return note + "\n".join(figure_html(saved) for saved in figures)
