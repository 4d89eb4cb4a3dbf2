"""The shard timeline: what every shard was doing over the window, Jepsen-style.

One row per shard, grouped by node and rack (labels on the right); colour = state, a tall
bar = master, a short bar = replica (so role changes show); triangles mark failovers, a lane
on top marks request arrivals (counted when several share an instant), a dashed line each
failed action, and node fault windows are shaded across every row. Beyond
`ROW_LIMIT` rows, each row is a node (or a rack) showing the share of its shards in each state.
"""
from __future__ import annotations

import textwrap
from collections import Counter, defaultdict
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
#: Where accepted and rejected requests share an instant: each marker this far off the lane's middle (rows).
_SPLIT = 0.22
_FAILED = {"marker": "D", "markerfacecolor": "#b2182b", "markeredgecolor": "black", "markersize": 6}
_FAILED_LINE = {"color": "#b2182b", "linestyle": "--", "linewidth": 1.2}
#: Failed actions named (with their reason) in the legend; the report lists them all.
_FAILURES_NAMED = 3
#: Most steps drawn per aggregated row (about 5 pixels each across the 12-inch figure): a row
#: with more breakpoints is drawn as its mean share per equal slice of the window (area-exact).
STEPS = 200


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
    markers += _mark_requests(ax, history) + _mark_failed_actions(ax, summary)
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
        if len(times) > STEPS + 1:
            times, shares = _binned(times, shares, STEPS)
        times, shares = _merged(times, shares)
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


def _binned(times: list[float], shares: dict[str, np.ndarray], steps: int) -> tuple[list[float],
                                                                                 dict[str, np.ndarray]]:
    """The step functions `shares` (value i from times[i] to times[i + 1]) as their means over
    `steps` equal slices of [times[0], times[-1]]: each state's area, hence the picture's, is kept."""
    edges = np.linspace(times[0], times[-1], steps + 1)
    widths = np.diff(np.asarray(times))
    binned = {}
    for state, share in shares.items():
        area = np.concatenate(([0.0], np.cumsum(share[:-1] * widths)))  # ∫ share from times[0], at each breakpoint
        means = np.diff(np.interp(edges, times, area)) / np.diff(edges)
        binned[state] = np.append(means, means[-1])  # the last step holds to the end, as `_shares` gives
    return edges.tolist(), binned


def _merged(times: list[float], shares: dict[str, np.ndarray]) -> tuple[list[float], dict[str, np.ndarray]]:
    """The same step functions without the breakpoints where no share changes (the first and the
    last kept): a row that is all up for minutes is one step, not hundreds."""
    table = np.vstack(list(shares.values()))
    keep = np.ones(len(times), dtype=bool)
    keep[1:-1] = np.any(table[:, 1:-1] != table[:, :-2], axis=0)
    return [t for t, k in zip(times, keep) if k], {state: share[keep] for state, share in shares.items()}


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
    """One marker per instant and outcome, counted (`×3`) when several requests share it; where
    accepted and rejected requests share an instant, the two markers split the lane."""
    counts = Counter((m.t, m.data["status"] == 200) for m in history.marks_of("request"))
    handles = []
    for ok, style, label in ((True, _ACCEPTED, "request accepted"), (False, _REJECTED, "request rejected")):
        kind = "accepted" if ok else "rejected"
        instants = sorted(t for t, outcome in counts if outcome == ok)
        if not instants:
            continue
        ys = [_REQUESTS + ((-_SPLIT if ok else _SPLIT) if (t, not ok) in counts else 0.0) for t in instants]
        ax.plot(instants, ys, zorder=5, gid=f"requests:{kind}", **style)
        for t, y in zip(instants, ys):
            if counts[(t, ok)] > 1:
                ax.annotate(f"×{counts[(t, ok)]}", (t, y), xytext=(5, 0), textcoords="offset points", fontsize=7,
                            va="center", ha="left", zorder=6, gid=f"requests:count:{kind}")
        several = any(counts[(t, ok)] > 1 for t in instants)
        handles.append(Line2D([], [], label=label + (" (×N: N at one instant)" if several else ""), **style))
    return handles


def _mark_failed_actions(ax: Axes, summary: dict[str, Any]) -> list[Line2D]:
    """A dashed line at the instant each action failed (gid `action-failed`) and a marker in the
    request lane; the legend names the first few with their reason (summary `actions[].error`)."""
    failed = [a for a in summary.get("actions", []) if a["status"] == "failed" and a["ended_at"] is not None]
    for a in failed:
        ax.axvline(a["ended_at"], zorder=5, gid="action-failed", **_FAILED_LINE)
    if not failed:
        return []
    ax.plot([a["ended_at"] for a in failed], [_REQUESTS] * len(failed), zorder=6, gid="action-failed:marker",
            linestyle="", **_FAILED)
    handles = [Line2D([], [], label=_failure_label(a), **_FAILED_LINE, **_FAILED) for a in failed[:_FAILURES_NAMED]]
    if len(failed) > _FAILURES_NAMED:
        handles.append(Line2D([], [], label=f"and {len(failed) - _FAILURES_NAMED} more failed actions (see the report)",
                              **_FAILED_LINE, **_FAILED))
    return handles


def _failure_label(action: dict[str, Any]) -> str:
    text = (f"action failed at t={action['ended_at']:g} (db {action['bdb']}, state {action['state']}): "
            f"{action['error'] or 'no reason recorded'}")
    return "\n".join(textwrap.wrap(text, 60))


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
