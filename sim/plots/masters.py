"""Masters per node before (t = 0) and after (the window's end) of one database or several, straight
from `summary["databases"][uid]["masters_per_node"]`: the imbalance `preserve_roles` prevents.

The report draws the databases it chose in one figure of stacked panels sharing the node axis:
eight databases at 60 nodes cost one layout and one save, not eight."""
from __future__ import annotations

from collections.abc import Sequence
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


def masters_figure(history: History, summary: dict[str, Any], bdbs: int | Sequence[int]) -> Figure:
    """Grouped bars of masters per node, before and after, with the even spread for reference: one
    panel per database of `bdbs`, stacked, sharing the node axis (one figure however many)."""
    uids = [bdbs] if isinstance(bdbs, int) else list(bdbs)
    single = len(uids) == 1
    nodes = sorted({int(n) for bdb in uids for n in summary["databases"][str(bdb)]["masters_per_node"]["before"]})
    rotated = len(nodes) > _LABELLED
    width = min(16.0, max(8.0, 1.6 + 0.55 * len(nodes)))
    figure = new_figure(width, 4.6 if single else 1.6 + 2.4 * len(uids))
    axes = figure.subplots(len(uids), 1, sharex=True, squeeze=False)[:, 0]
    for ax, bdb in zip(axes, uids):
        figures = summary["databases"][str(bdb)]
        before, after = figures["masters_per_node"]["before"], figures["masters_per_node"]["after"]
        _bars(ax, nodes, before, after, history.end)
        even = sum(before.values()) / len(before) if before else 0  # over the nodes holding its shards
        ax.axhline(even, color="black", linestyle=":", linewidth=1, gid="even",
                   label=f"even spread ({even:.3g} per node)" if single else "even spread over the database's nodes")
        ax.set_ylabel("master shards (count)" if single else "masters", fontsize=9)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, max([*before.values(), *after.values(), 1]) * 1.25)
        ax.grid(axis="y", alpha=0.3)
        preserved = "yes" if figures["roles_preserved"] else "no"
        name = history.initial.bdbs[bdb].name
        title = f"database {bdb} ({name}): masters per node; roles preserved: {preserved}"
        ax.set_title(f"{summary['scenario']}: {title}" if single else f"{title}; even spread {even:.3g} per node",
                     fontsize=11 if single else 9)
    axes[-1].set_xticks(range(len(nodes)), [_node_label(history, n, " " if rotated else "\n") for n in nodes],
                        fontsize=8, rotation=90 if rotated else 0)
    axes[-1].set_xlabel("node (rack)")
    if not single:
        figure.suptitle(f"{summary['scenario']}: masters per node of {len(uids)} databases", fontsize=11)
    figure.legend(handles=axes[0].get_legend_handles_labels()[0], loc="outside lower center", ncols=3, fontsize=8,
                  frameon=False)
    return figure


def _bars(ax: Axes, nodes: list[int], before: dict[str, int], after: dict[str, int], end: float) -> None:
    """Two bars per node of the database (gids `before` and `after`) at its place among `nodes`,
    labelled with their values when they fit."""
    width = 0.38
    xs = [x for x, n in enumerate(nodes) if str(n) in before]
    held = [str(nodes[x]) for x in xs]
    bars = [ax.bar([x - width / 2 for x in xs], [before[n] for n in held], width, color=BEFORE,
                   gid="before", label="before (t = 0)"),
            ax.bar([x + width / 2 for x in xs], [after.get(n, 0) for n in held], width, color=AFTER,
                   gid="after", label=f"after (t = {end:g} s, the window's end)")]
    if len(nodes) <= _LABELLED:
        for container in bars:
            ax.bar_label(container, fontsize=8, padding=2)


def _node_label(history: History, node: int, separator: str) -> str:
    rack = history.initial.nodes[node].rack_id if node in history.initial.nodes else None
    return f"{node}" if rack is None else f"{node}{separator}({rack})"
