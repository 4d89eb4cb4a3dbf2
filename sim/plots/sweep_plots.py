"""Comparison figures of a sweep, from its result rows: the distribution of each outcome per
strategy, and the trade-off between downtime and upgrade duration with losses marked.

Rows are the sweep's table: a `strategy` column and `dbUID.FIGURE` columns. Output is
deterministic (fixed SVG hash salt, no date), so the same rows give the same files.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.plots.style import FORMATS, save_figure
from sim.plots.units import number

__all__ = ["write_sweep_plots", "DISTRIBUTIONS", "FORMATS"]

#: (figure, axis label) of the distribution panels.
DISTRIBUTIONS: tuple[tuple[str, str], ...] = (
    ("availability", "availability"), ("downtime_s", "downtime (s)"), ("longest_outage_s", "longest outage (s)"),
    ("keys_lost", "keys lost"), ("writes_lost", "writes lost"), ("upgrade_duration_s", "upgrade duration (s)"),
)
# Matplotlib 3.10 replaced boxplot's `vert` by `orientation` (and deprecated `vert` in 3.11).
_HORIZONTAL: dict[str, Any] = ({"orientation": "horizontal"}
                               if tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) >= (3, 10)
                               else {"vert": False})
_GOLDEN = (math.sqrt(5) - 1) / 2

Row = dict[str, Any]


def write_sweep_plots(folder: Path, rows: list[Row], database: str) -> list[Path]:
    """Write `distributions-dbUID` and `tradeoff-dbUID` (PNG and SVG) into `folder`; returns the files."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row["strategy"], []).append(row)
    prefix = f"db{database}."
    paths = save_figure(_distributions(groups, prefix, database), folder / f"distributions-db{database}")
    return paths + save_figure(_tradeoff(groups, prefix, database), folder / f"tradeoff-db{database}")


def _values(runs: list[Row], column: str) -> list[float]:
    return [float(r[column]) for r in runs if r.get(column) is not None]


def _distributions(groups: dict[str, list[Row]], prefix: str, database: str) -> Figure:
    labels = [label.replace(", ", "\n") for label in groups]
    lines = max(label.count("\n") + 1 for label in labels)
    figure = Figure(figsize=(14, 1.5 + 2 * max(2.5, 0.3 * lines * len(labels))), layout="constrained")
    axes = figure.subplots(2, 3, sharey=True)
    for ax, (name, title) in zip(axes.flat, DISTRIBUTIONS):
        _panel(ax, [_values(runs, prefix + name) for runs in groups.values()], title)
    for ax in axes[:, 0]:
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
    axes[0, 0].invert_yaxis()  # the first strategy on top, as in the table
    runs = sum(len(r) for r in groups.values())
    figure.suptitle(f"Database {database}: outcomes per strategy ({runs} runs)")
    return figure


def _panel(ax: Axes, data: list[list[float]], title: str) -> None:
    for position, values in enumerate(data):
        if not values:
            ax.text(0.5, position, "no value", transform=ax.get_yaxis_transform(), ha="center", va="center",
                    fontsize=8, color="grey")
            continue
        ax.boxplot([values], positions=[position], widths=0.5, showfliers=False,
                   medianprops={"color": "black"}, manage_ticks=False, **_HORIZONTAL)
        # deterministic jitter (a low-discrepancy sequence) so that every run is visible
        offsets = [((k * _GOLDEN) % 1 - 0.5) * 0.4 for k in range(len(values))]
        ax.scatter(values, [position + o for o in offsets], s=8, alpha=0.5, color="tab:blue", linewidths=0)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)


def _tradeoff(groups: dict[str, list[Row]], prefix: str, database: str) -> Figure:
    """Downtime against upgrade duration, one colour per strategy, a loss drawn as a cross. A run
    whose upgrade did not complete (the action failed, or the window ended first) has no duration:
    it is drawn in a strip of its own right of a dashed line, so that no run is left out."""
    figure = Figure(figsize=(12, 6), layout="constrained")
    ax = figure.subplots()
    colours = matplotlib.colormaps["tab10"]
    drawn = {label: [r for r in runs if r.get(prefix + "downtime_s") is not None] for label, runs in groups.items()}
    durations = [float(r[prefix + "upgrade_duration_s"]) for runs in drawn.values() for r in runs
                 if r.get(prefix + "upgrade_duration_s") is not None]
    longest = max(durations, default=0.0)
    strip = longest * 1.2 if longest > 0 else 1.0  # where runs without a completed upgrade are drawn
    incomplete = 0
    for i, (label, runs) in enumerate(drawn.items()):
        offsets = iter([((k * _GOLDEN) % 1 - 0.5) * 0.1 * strip for k in range(len(runs))])
        for lost, marker, size in ((False, "o", 30), (True, "X", 70)):
            points = [r for r in runs if _lost(r, prefix) == lost]
            xs = [float(r[prefix + "upgrade_duration_s"]) if r.get(prefix + "upgrade_duration_s") is not None
                  else strip + next(offsets) for r in points]
            incomplete += sum(r.get(prefix + "upgrade_duration_s") is None for r in points)
            ax.scatter(xs, [r[prefix + "downtime_s"] for r in points], marker=marker, s=size,
                       color=colours(i % 10), alpha=0.7, edgecolors="black" if lost else "none", linewidths=0.8)
        ax.scatter([], [], marker="s", color=colours(i % 10), label=f"{label} ({len(groups[label])} runs)")
    if incomplete:
        separator = (longest + strip) / 2
        if durations:
            ax.axvline(separator, color="grey", linestyle="--", linewidth=0.8)
        ax.set_xlim(left=0, right=strip * 1.1 if durations else 2 * strip)
        ticks = [t for t in ax.get_xticks() if 0 <= t < separator] if durations else []
        ax.set_xticks(ticks + [strip], [number(t) for t in ticks] + [f"not completed\n({incomplete} runs)"])
    figure.legend(loc="outside right upper", fontsize=8, title="strategy")
    figure.legend(handles=[Line2D([], [], marker="o", ls="", color="grey", label="no data lost"),
                           Line2D([], [], marker="X", ls="", color="grey", markeredgecolor="black",
                                  label="keys or writes lost")], loc="outside right lower", fontsize=8)
    ax.set_xlabel("upgrade duration (s)")
    ax.set_ylabel("downtime (s)")
    ax.grid(alpha=0.3)
    runs = sum(map(len, groups.values()))
    notes = [] if incomplete == 0 else [f"no upgrade completed in any of the {runs} runs" if not durations else
                                        f"{incomplete} of {runs} runs without a completed upgrade, right of the "
                                        "dashed line"]
    unmeasured = runs - sum(map(len, drawn.values()))
    notes += [f"{unmeasured} runs without figures (crashed) not drawn"] if unmeasured else []
    ax.set_title(f"Database {database}: downtime against upgrade duration" + "".join(f"; {n}" for n in notes),
                 fontsize=10)
    return figure


def _lost(row: Row, prefix: str) -> bool:
    return bool(row.get(prefix + "keys_lost") or row.get(prefix + "bytes_lost") or row.get(prefix + "writes_lost"))
