"""A sweep's outputs: the results table (CSV), the verdict (text and `summary.json`) and the
comparison plots."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sim.jsontext import pretty
from sim.sweep.objective import Term
from sim.sweep.plan import SweepPlan
from sim.sweep.roles import CONDITION, STRATEGY
from sim.sweep.verdict import databases_of, default_terms, verdicts
from sim.sweep.verdict_txt import verdict_text

__all__ = ["write_outputs", "csv_text", "columns", "sweep_summary", "role_keys"]

Row = dict[str, Any]


def columns(rows: list[Row]) -> list[str]:
    """Every column of the rows, in the order they first appear."""
    return list(dict.fromkeys(key for row in rows for key in row))


def csv_text(rows: list[Row]) -> str:
    """The rows as CSV: a header, then one line per run; empty cells for missing values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = columns(rows)
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def sweep_summary(plan: SweepPlan, rows: list[Row], rank_by: tuple[Term, ...] | None = None) -> dict[str, Any]:
    """The machine-readable verdict: what was varied (and as what), the seeds, the objective, and
    the statistics and rank of each strategy."""
    terms = rank_by or default_terms()
    return {
        "kind": "sweep",
        "scenario": plan.scenario,
        "vary": {axis.key: list(axis.texts) for axis in plan.axes},
        "axes": [{"keys": list(axis.keys), "values": list(axis.texts), "role": axis.role} for axis in plan.axes],
        "seeds": [plan.seeds[0], plan.seeds[-1]],
        "runs": len(rows),
        "random_faults": plan.random_faults,
        "rank_by": [t.text for t in terms],
        "strategies": verdicts(rows, terms),
    }


def role_keys(plan: SweepPlan) -> dict[str, list[str]]:
    """The varied keys by role (`strategy`, `condition`), in the order they are applied."""
    return {role: plan.keys(role) for role in (STRATEGY, CONDITION)}


def write_outputs(folder: Path, plan: SweepPlan, rows: list[Row], plots: bool = True,
                  rank_by: tuple[Term, ...] | None = None, extra: dict[str, Any] | None = None) -> list[str]:
    """Write results.csv, summary.json (with `extra` keys), verdict.txt and (with `plots`) the
    figures into `folder`; returns the names of the files."""
    summary = sweep_summary(plan, rows, rank_by)
    summary.update(extra or {})
    (folder / "results.csv").write_text(csv_text(rows), encoding="utf-8")
    (folder / "summary.json").write_text(pretty(summary) + "\n", encoding="utf-8")
    text = verdict_text(plan.scenario, summary["strategies"], rank_by, role_keys(plan))
    (folder / "verdict.txt").write_text(text, encoding="utf-8")
    if plots:
        from sim.plots.sweep_plots import write_sweep_plots  # matplotlib is heavy: only when drawing

        for uid in databases_of(rows):
            write_sweep_plots(folder, rows, uid)
    return sorted(p.name for p in folder.iterdir())
