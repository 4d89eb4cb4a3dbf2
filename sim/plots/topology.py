"""The cluster's topology before (t = 0) and after (the window's end), drawn with networkx.

Racks are bands, nodes are boxes, shards hang below their node (circle = master, square =
replica, coloured by state as in the timeline, labelled with their uid and, beside, their
database), and curves link each master to its replica. A large cluster is drawn node by node
instead: masters and replicas counted per node with the databases they belong to, and lines
between nodes as thick as the number of master–replica links between them.
"""
from __future__ import annotations

from typing import Any

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.model.state import ClusterState
from sim.model.topology import topology_graph
from sim.plots.history import History
from sim.plots.intervals import CATEGORIES, category
from sim.plots.rows import node_order
from sim.plots.style import new_figure

__all__ = ["topology_figure", "SHARD_LIMIT", "NODE_LIMIT"]

#: Beyond this many shards (or nodes) the topology is drawn per node.
SHARD_LIMIT, NODE_LIMIT = 96, 16
#: Nodes per line of a rack's strip in the node-by-node drawing.
_PER_LINE = 8
_NODE_BOX = {"boxstyle": "round,pad=0.3", "facecolor": "#d9d9d9", "edgecolor": "black"}
_DOWN_BOX = {**_NODE_BOX, "facecolor": "#fbb4ae"}
#: Databases named in a node's box of the node-by-node drawing (the rest counted).
_DBS_NAMED = 3


def topology_figure(history: History, summary: dict[str, Any]) -> Figure:
    """Two panels side by side: the topology at t = 0 and at the window's end."""
    order = node_order(history.initial)
    moments = ((history.initial, "before: t = 0"), (history.final, f"after: t = {history.end:g} s (window's end)"))
    detailed = len(history.initial.shards) <= SHARD_LIMIT and len(order) <= NODE_LIMIT
    depth = max([len(state.shards_by_node[n]) for state, _ in moments for n in order] + [1])
    strips = _strips(history.initial, order)
    if detailed:
        figure = new_figure(min(20.0, max(9.0, 2 * (1.15 * len(order) + 0.8))), 2.6 + 0.42 * depth)
    else:
        columns = max(len(line) for _, lines in strips for line in lines)
        height = sum(0.5 + len(lines) for _, lines in strips)
        figure = new_figure(min(20.0, max(9.0, 2 * (1.2 * columns + 0.6))), 2.4 + 0.75 * height)
    seen: set[str] = set()
    for ax, (state, title) in zip(figure.subplots(1, 2), moments):
        seen |= _draw_shards(ax, state, order, depth) if detailed else _draw_nodes(ax, state, strips)
        ax.set_title(title, fontsize=10)
        ax.set_axis_off()
    down = any(state.nodes[n].status != "active" for state, _ in moments for n in order)
    figure.suptitle(f"{summary['scenario']}: topology: racks, nodes, shards and master–replica links", fontsize=11)
    figure.legend(handles=_handles(seen, down, detailed), loc="outside lower center", ncols=4, fontsize=8,
                  frameon=False)
    return figure


def _rack_name(rack: str | None) -> str:
    return "no rack" if rack is None else f"rack {rack}"


def _node_box(ax: Axes, state: ClusterState, node: int, x: float, y: float, text: str) -> None:
    down = state.nodes[node].status != "active"
    ax.text(x, y, text + (" (down)" if down else ""), ha="center", va="center", fontsize=8,
            bbox=_DOWN_BOX if down else _NODE_BOX, gid=f"node:{node}", zorder=3)


def _band(ax: Axes, left: float, bottom: float, right: float, top: float) -> None:
    ax.add_patch(Rectangle((left, bottom), right - left, top - bottom, facecolor="#f0f0f0", edgecolor="#969696",
                           zorder=0, gid="rack"))


def _draw_shards(ax: Axes, state: ClusterState, order: list[int], depth: int) -> set[str]:
    """Racks as columns, each node's shards in a column below it."""
    graph = topology_graph(state)
    pos: dict[str, tuple[float, float]] = {}
    racks: dict[str | None, list[int]] = {}
    for x, node in enumerate(order):
        racks.setdefault(state.nodes[node].rack_id, []).append(x)
        _node_box(ax, state, node, x, 0.35, f"node {node}")
        shards = sorted(state.shards_by_node[node], key=lambda u: (state.shards[u].bdb_uid, u))
        pos.update({f"shard:{uid}": (x, -1.0 - k) for k, uid in enumerate(shards)})
    for rack, xs in racks.items():
        _band(ax, min(xs) - 0.47, -depth - 0.6, max(xs) + 0.47, 1.6)
        ax.text((min(xs) + max(xs)) / 2, 1.15, _rack_name(rack), ha="center", va="center", fontsize=8,
                fontweight="bold")
    ax.set_xlim(-0.55, len(order) - 0.45)
    ax.set_ylim(-depth - 0.7, 1.7)
    colours = {key: CATEGORIES[category(state, state.shards[data["uid"]])][1]
               for key, data in graph.nodes(data=True) if key in pos}
    links = [(a, b) for a, b, kind in graph.edges(data="kind") if kind == "replicates" and a in pos and b in pos]
    nx.draw_networkx_edges(graph, pos, edgelist=links, ax=ax, edge_color="#525252", alpha=0.7, width=1.0,
                           arrows=True, arrowstyle="-", connectionstyle="arc3,rad=0.25", node_size=260)
    for role, shape, size in (("master", "o", 260), ("slave", "s", 200)):
        chosen = [k for k in pos if graph.nodes[k]["role"] == role]
        nx.draw_networkx_nodes(graph, pos, nodelist=chosen, node_shape=shape, node_size=size, ax=ax,
                               node_color=[colours[k] for k in chosen], edgecolors="black", linewidths=0.8)
    nx.draw_networkx_labels(graph, pos, labels={k: str(graph.nodes[k]["uid"]) for k in pos}, font_size=7, ax=ax)
    for key, (x, y) in pos.items():  # which database each shard belongs to, right of its marker
        ax.annotate(f"db {state.shards[graph.nodes[key]['uid']].bdb_uid}", (x, y), xytext=(10, 0),
                    textcoords="offset points", fontsize=7, ha="left", va="center", color="#252525", gid="shard-db")
    return {category(state, state.shards[graph.nodes[k]["uid"]]) for k in pos}


def _strips(state: ClusterState, order: list[int]) -> list[tuple[str, list[list[int]]]]:
    """Racks as horizontal strips of at most `_PER_LINE` nodes per line, in `order`."""
    racks: dict[str | None, list[int]] = {}
    for node in order:
        racks.setdefault(state.nodes[node].rack_id, []).append(node)
    return [(_rack_name(rack), [nodes[i:i + _PER_LINE] for i in range(0, len(nodes), _PER_LINE)])
            for rack, nodes in racks.items()]


def _draw_nodes(ax: Axes, state: ClusterState, strips: list[tuple[str, list[list[int]]]]) -> set[str]:
    """Node by node: masters (M) and replicas (R) counted, links between nodes as thick as their count."""
    pos: dict[int, tuple[float, float]] = {}
    columns = max(len(line) for _, lines in strips for line in lines)
    top = 0.0
    for name, lines in strips:
        bottom = top - 0.5 - len(lines)
        _band(ax, -0.5, bottom + 0.05, columns - 0.5, top - 0.05)
        ax.text(-0.4, top - 0.3, name, ha="left", va="center", fontsize=8, fontweight="bold")
        for i, line in enumerate(lines):
            pos.update({node: (float(x), top - 1.0 - i) for x, node in enumerate(line)})
        top = bottom
    links = nx.Graph()
    for bdb in state.bdbs.values():
        for pair in (p for p in bdb.pairs if len(p.shards) == 2):
            a, b = (state.shards[u].node_uid for u in pair.shards)
            links.add_edge(a, b, weight=links.get_edge_data(a, b, {"weight": 0})["weight"] + 1)
    heaviest = max((w for _, _, w in links.edges(data="weight")), default=1)
    nx.draw_networkx_edges(links, pos, ax=ax, edge_color="#525252", alpha=0.5, arrows=True, arrowstyle="-",
                           connectionstyle="arc3,rad=0.2",
                           width=[0.3 + 4 * w / heaviest for _, _, w in links.edges(data="weight")])
    for node, (x, y) in pos.items():
        shards = [state.shards[u] for u in state.shards_by_node[node]]
        masters = sum(1 for s in shards if s.role == "master")
        _node_box(ax, state, node, x, y, f"node {node}\n{masters} M · {len(shards) - masters} R\n"
                  f"{_databases(sorted({s.bdb_uid for s in shards}))}")
    ax.set_xlim(-0.55, columns - 0.45)
    ax.set_ylim(top - 0.05, 0.05)
    return set()


def _databases(uids: list[int]) -> str:
    """The databases a node holds shards of, briefly: `db 1, 2, 3 +4` (`no shard` when none)."""
    if not uids:
        return "no shard"
    shown = ", ".join(str(u) for u in uids[:_DBS_NAMED])
    return f"db {shown}" + (f" +{len(uids) - _DBS_NAMED}" if len(uids) > _DBS_NAMED else "")


def _handles(seen: set[str], down: bool, detailed: bool) -> list[Any]:
    link = Line2D([], [], color="#525252", label="master–replica link" + ("" if detailed else "s (width: count)"))
    boxes = [Patch(label="node" if detailed else "node: masters (M) · replicas (R)",
                   **{k: v for k, v in _NODE_BOX.items() if k != "boxstyle"})]
    if down:
        boxes.append(Patch(label="node down", **{k: v for k, v in _DOWN_BOX.items() if k != "boxstyle"}))
    if not detailed:
        return [link, *boxes]
    shapes = [Line2D([], [], linestyle="", marker="o", markersize=8, color="white", markeredgecolor="black",
                     label="master shard (uid; beside: its database)"),
              Line2D([], [], linestyle="", marker="s", markersize=7, color="white", markeredgecolor="black",
                     label="replica shard (uid; beside: its database)")]
    colours = [Patch(color=CATEGORIES[s][1], label=CATEGORIES[s][0]) for s in CATEGORIES if s in seen]
    return [*shapes, link, *boxes, *colours]
