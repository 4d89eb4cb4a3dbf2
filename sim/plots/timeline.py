"""The shard timeline: what every shard was doing over the window, Jepsen-style.

One row per shard, grouped by node and rack (labels on the right); colour = state, a tall
bar = master, a short bar = replica (so role changes show); triangles mark failovers, a lane
on top marks request arrivals, and node fault windows are shaded across every row. Beyond
`ROW_LIMIT` rows, each row is a node (or a rack) showing the share of its shards in each state.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.plots.history import History
from sim.plots.intervals import CATEGORIES, Interval
from sim.plots.rows import ROW_LIMIT, Row, timeline_rows
from sim.plots.style import new_figure, shade_windows, window_handles

__all__ = ["timeline_figure", "TALL", "SHORT"]

#: Bar heights (in rows) of a master and of a replica.
TALL, SHORT = 0.8, 0.4
_REQUESTS, _FAILOVERS = -1.0, -2.0  # the y of the lanes above row 0
_ACCEPTED = {"marker": "v", "color": "#1b7837", "linestyle": "", "markersize": 7}
_REJECTED = {"marker": "X", "color": "#b2182b", "linestyle": "", "markersize": 7}


def timeline_figure(history: History, summary: dict[str, Any], row_limit: int = ROW_LIMIT) -> Figure:
    """The shard timeline of a run (rows per shard, or aggregated beyond `row_limit`)."""
    rows = timeline_rows(history.initial, row_limit)
    figure = new_figure(12, 2.9 + 0.24 * (len(rows) + 2))
    ax = figure.subplots()
    y_of = {m: i for i, row in enumerate(rows) for m in row.members}
    if rows and rows[0].level == "shard":
        states = _draw_shards(ax, history, y_of)
        markers = _mark_failovers(ax, history, y_of) + _mark_migrations(ax, history, y_of)
    else:
        states = _draw_aggregates(ax, history, rows)
        markers = _mark_failover_lane(ax, history)
    markers += _mark_requests(ax, history)
    shade_windows(ax, history)
    _label_rows(ax, rows, aggregated=bool(rows) and rows[0].level != "shard")
    ax.set_xlim(history.start, history.end)
    ax.set_xlabel("time (s)")
    level = rows[0].level if rows else "shard"
    what = {"shard": "one row per shard", "node": "one row per node: share of its shards in each state",
            "rack": "one row per rack: share of its shards in each state"}[level]
    ax.set_title(f"{summary['scenario']}: shard timeline ({what})", fontsize=11)
    handles = [Patch(color=CATEGORIES[s][1], label=CATEGORIES[s][0]) for s in CATEGORIES if s in states]
    if level == "shard":
        handles += [Line2D([], [], color="grey", linewidth=9, label="master (tall bar)"),
                    Line2D([], [], color="grey", linewidth=4, label="replica (short bar)")]
    figure.legend(handles=handles + markers + window_handles(history), loc="outside lower center", ncols=3,
                  fontsize=8, frameon=False)
    return figure


def _draw_shards(ax: Axes, history: History, y_of: dict[int, int]) -> set[str]:
    boxes: dict[tuple[str, str], list[list[tuple[float, float]]]] = defaultdict(list)
    for uid, intervals in history.intervals.items():
        y = y_of[uid]
        for iv in intervals:
            half = (TALL if iv.role == "master" else SHORT) / 2
            boxes[(iv.state, iv.role)].append([(iv.start, y - half), (iv.end, y - half), (iv.end, y + half),
                                               (iv.start, y + half)])
    for (state, role), verts in sorted(boxes.items()):
        ax.add_collection(PolyCollection(verts, facecolors=CATEGORIES[state][1], edgecolors="none",
                                         gid=f"bars:{state}:{role}"))
    return {state for state, _ in boxes}


def _draw_aggregates(ax: Axes, history: History, rows: list[Row]) -> set[str]:
    by_node: dict[int, list[Interval]] = defaultdict(list)
    for intervals in history.intervals.values():
        for iv in intervals:
            by_node[iv.node].append(iv)
    seen: set[str] = set()
    for y, row in enumerate(rows):
        times, shares = _shares([iv for node in row.members for iv in by_node[node]], history.end)
        if not times:
            continue
        bottom = np.full(len(times), y + TALL / 2)
        for state, share in shares.items():
            top = bottom - share * TALL
            ax.fill_between(times, bottom, top, step="post", color=CATEGORIES[state][1], linewidth=0,
                            gid=f"share:{state}")
            bottom = top
            seen.add(state)
    return seen


def _shares(intervals: list[Interval], end: float) -> tuple[list[float], dict[str, np.ndarray]]:
    """Breakpoints and, per state present, the share of the row's shards in that state."""
    deltas: dict[float, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for iv in intervals:
        deltas[iv.start][iv.state] += 1
        deltas[iv.end][iv.state] -= 1
    times = sorted(t for t in deltas if t < end)
    states = [s for s in CATEGORIES if any(iv.state == s for iv in intervals)]
    counts = np.zeros((len(times), len(states)))
    running = dict.fromkeys(states, 0)
    for i, t in enumerate(times):
        for state, change in deltas[t].items():
            running[state] += change
        counts[i] = [running[s] for s in states]
    if not times:
        return [], {}
    totals = np.maximum(counts.sum(axis=1, keepdims=True), 1)
    shares = np.vstack([counts / totals, counts[-1:] / totals[-1:]])  # the last step holds to the end
    return times + [end], {s: shares[:, j] for j, s in enumerate(states)}


def _mark_failovers(ax: Axes, history: History, y_of: dict[int, int]) -> list[Line2D]:
    marks = history.marks_of("failover")
    for planned, face in ((True, "white"), (False, "black")):
        chosen = [m for m in marks if m.data["planned"] == planned]
        for key, marker in (("master", "^"), ("replica", "v")):
            ax.plot([m.t for m in chosen], [y_of[m.data[key]] for m in chosen], linestyle="", marker=marker,
                    markersize=5, markerfacecolor=face, markeredgecolor="black", zorder=5,
                    gid=f"failover:{key}:{'planned' if planned else 'unplanned'}")
    if not marks:
        return []
    return [Line2D([], [], linestyle="", marker="^", color="black", markerfacecolor="white",
                   label="failover: ▲ promoted, ▼ demoted (hollow planned, filled unplanned)")]


def _mark_failover_lane(ax: Axes, history: History) -> list[Line2D]:
    marks = history.marks_of("failover")
    for planned, face in ((True, "white"), (False, "black")):
        times = sorted({m.t for m in marks if m.data["planned"] == planned})
        ax.plot(times, [_FAILOVERS] * len(times), linestyle="", marker="d", markersize=6,
                markerfacecolor=face, markeredgecolor="black", zorder=5,
                gid=f"failovers:{'planned' if planned else 'unplanned'}")
    if not marks:
        return []
    return [Line2D([], [], linestyle="", marker="d", color="black", markerfacecolor="white",
                   label="failovers (hollow planned, filled unplanned)")]


def _mark_migrations(ax: Axes, history: History, y_of: dict[int, int]) -> list[Line2D]:
    marks = history.marks_of("migration")
    if not marks:
        return []
    ax.plot([m.t for m in marks], [y_of[m.data["shard"]] for m in marks], linestyle="", marker="*",
            markersize=9, color="black", zorder=5, gid="migration")
    return [Line2D([], [], linestyle="", marker="*", color="black", label="replica re-created elsewhere (replica HA)")]


def _mark_requests(ax: Axes, history: History) -> list[Line2D]:
    marks = history.marks_of("request")
    handles = []
    for ok, style, label in ((True, _ACCEPTED, "request accepted"), (False, _REJECTED, "request rejected")):
        chosen = [m.t for m in marks if (m.data["status"] == 200) == ok]
        if chosen:
            ax.plot(chosen, [_REQUESTS] * len(chosen), zorder=5, gid=f"requests:{'accepted' if ok else 'rejected'}",
                    **style)
            handles.append(Line2D([], [], label=label, **style))
    return handles


def _label_rows(ax: Axes, rows: list[Row], aggregated: bool) -> None:
    lane = ["requests"] + (["failovers"] if aggregated else [])
    ax.set_yticks([-1.0 - i for i in range(len(lane))] + list(range(len(rows))), lane + [r.label for r in rows],
                  fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -len(lane) - 0.5)
    groups: dict[str, list[int]] = {}
    for y, row in enumerate(rows):
        groups.setdefault(row.group, []).append(y)
    ax.axhline(-0.5, color="black", linewidth=0.8)
    for members in groups.values():
        ax.axhline(members[-1] + 0.5, color="grey", linewidth=0.6)
    if any(groups):
        right = ax.secondary_yaxis("right")
        right.set_yticks([sum(m) / len(m) for m in groups.values()], list(groups), fontsize=8)
        right.tick_params(length=0)
    ax.grid(axis="x", alpha=0.3)
