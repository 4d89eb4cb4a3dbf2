"""Masters per node before (t = 0) and after (the window's end) for one database, straight from
`summary["databases"][uid]["masters_per_node"]`: the imbalance `preserve_roles` prevents."""
from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.plots.history import History
from sim.plots.style import new_figure

__all__ = ["masters_figure", "BEFORE", "AFTER"]

BEFORE, AFTER = "#9ecae1", "#08519c"
#: Beyond this many nodes the bars carry no value labels (they would collide).
_LABELLED = 24


def masters_figure(history: History, summary: dict[str, Any], bdb: int) -> Figure:
    """Grouped bars of masters per node, before and after, with the even spread for reference."""
    figures = summary["databases"][str(bdb)]
    before, after = figures["masters_per_node"]["before"], figures["masters_per_node"]["after"]
    nodes = sorted(before, key=int)
    figure = new_figure(min(16.0, max(8.0, 1.6 + 0.55 * len(nodes))), 4.6)
    ax = figure.subplots()
    _bars(ax, nodes, before, after, history.end)
    even = sum(before.values()) / len(nodes) if nodes else 0
    ax.axhline(even, color="black", linestyle=":", linewidth=1, label=f"even spread ({even:.3g} per node)")
    rotated = len(nodes) > _LABELLED
    ax.set_xticks(range(len(nodes)), [_node_label(history, int(n), " " if rotated else "\n") for n in nodes],
                  fontsize=8, rotation=90 if rotated else 0)
    ax.set_xlabel("node (rack)")
    ax.set_ylabel("master shards (count)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([*before.values(), *after.values(), 1]) * 1.25)
    ax.grid(axis="y", alpha=0.3)
    preserved = "yes" if figures["roles_preserved"] else "no"
    name = history.initial.bdbs[bdb].name
    ax.set_title(f"{summary['scenario']}: database {bdb} ({name}): masters per node; roles preserved: {preserved}",
                 fontsize=11)
    figure.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    return figure


def _bars(ax: Axes, nodes: list[str], before: dict[str, int], after: dict[str, int], end: float) -> None:
    """Two bars per node (gids `before` and `after`), labelled with their values when they fit."""
    width = 0.38
    bars = [ax.bar([x - width / 2 for x in range(len(nodes))], [before[n] for n in nodes], width, color=BEFORE,
                   gid="before", label="before (t = 0)"),
            ax.bar([x + width / 2 for x in range(len(nodes))], [after[n] for n in nodes], width, color=AFTER,
                   gid="after", label=f"after (t = {end:g} s, the window's end)")]
    if len(nodes) <= _LABELLED:
        for container in bars:
            ax.bar_label(container, fontsize=8, padding=2)


def _node_label(history: History, node: int, separator: str) -> str:
    rack = history.initial.nodes[node].rack_id if node in history.initial.nodes else None
    return f"{node}" if rack is None else f"{node}{separator}({rack})"
