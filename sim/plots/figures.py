"""Draw and save every figure of a run: which figures, their file names and captions.

Files (PNG and SVG each): `timeline`, `availability-db<UID>`, `masters`, `topology`.
A run with many databases draws the per-database figures (and the panels of `masters`) of
the `DATABASE_LIMIT` most affected ones (most downtime, then most keys and writes lost); the
report names the others.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from sim.plots.availability import availability_figure
from sim.plots.history import History
from sim.plots.selection import DATABASE_LIMIT, SavedFigure, chosen_databases
from sim.plots.masters import masters_figure
from sim.plots.style import discard_figure, plot_style, save_figure
from sim.plots.timeline import timeline_figure
from sim.plots.topology import topology_figure

__all__ = ["DATABASE_LIMIT", "SavedFigure", "chosen_databases", "write_figures"]

def write_figures(folder: Path, history: History, summary: dict[str, Any]) -> list[SavedFigure]:
    """Draw every figure of the run into `folder`; returns them in report order."""
    plans: list[tuple[str, str, str, Callable[[], Figure]]] = [(
        "timeline", "Shard timeline",
        "What every shard did over the window: colour = state, tall bar = master, short bar = replica; "
        "triangles mark failovers (▲ promoted, ▼ demoted), the top lane the requests (×N: N at one instant); a "
        "dashed line marks each failed action (the legend says why); shaded: node fault windows.",
        partial(timeline_figure, history, summary))]
    chosen = chosen_databases(summary)
    for uid in chosen:
        plans.append((f"availability-db{uid}", f"Availability of database {uid}",
                      "Share of the database's hash slots served (its shortfall integrates to downtime_s), "
                      "cumulative failed requests, and cumulative keys and acknowledged writes lost; shaded: "
                      "fault windows of the nodes holding its shards.",
                      partial(availability_figure, history, summary, int(uid))))
    if chosen:
        plans.append(("masters", "Masters per node" + (f" of database {chosen[0]}" if len(chosen) == 1 else ""),
                      "Master shards per node at t = 0 and at the window's end (summary masters_per_node"
                      + ("" if len(chosen) == 1 else "; one panel per database drawn") + "): without "
                      "preserve_roles, or after unplanned failovers, masters pile up on some nodes.",
                      partial(masters_figure, history, summary, [int(uid) for uid in chosen])))
    plans.append(("topology", "Topology before and after",
                  "Racks, nodes, shards (circle = master, square = replica, coloured by state, their database "
                  "beside) and master–replica links at t = 0 and at the window's end.",
                  partial(topology_figure, history, summary)))
    saved = []
    for stem, title, caption, build in plans:
        with plot_style():
            figure = build()
            saved.append(SavedFigure(title, caption, tuple(save_figure(figure, folder / stem))))
            discard_figure(figure)
    return saved
