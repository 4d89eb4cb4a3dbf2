"""The rows of the shard timeline: one per shard, grouped by node and rack, or, beyond a row
limit, one per node (grouped by rack) or one per rack, so large clusters stay legible."""
from __future__ import annotations

from dataclasses import dataclass

from sim.model.state import ClusterState

__all__ = ["ROW_LIMIT", "Row", "timeline_rows", "node_order"]

#: The most rows a timeline draws; beyond it rows aggregate per node, then per rack.
ROW_LIMIT = 60


@dataclass(frozen=True, slots=True)
class Row:
    """One row: its label, the shards (level `shard`) or nodes (`node`, `rack`) it shows, and
    the group (node or rack) it is drawn in."""

    label: str
    level: str
    members: tuple[int, ...]
    group: str


def node_order(state: ClusterState) -> list[int]:
    """Nodes that can hold shards, by rack then uid (nodes without a rack last)."""
    data = [n for n in state.nodes.values() if not n.quorum_only or state.shards_by_node.get(n.uid)]
    return [n.uid for n in sorted(data, key=lambda n: (n.rack_id is None, str(n.rack_id), n.uid))]


def _rack(state: ClusterState, node: int) -> str:
    rack = state.nodes[node].rack_id
    return "no rack" if rack is None else f"rack {rack}"


def timeline_rows(state: ClusterState, limit: int = ROW_LIMIT) -> list[Row]:
    """Rows for the initial state `state`: per shard if they fit under `limit`, else per node,
    else per rack. A shard stays in the row of its node at t = 0, even if it moves later."""
    nodes = node_order(state)
    if len(state.shards) <= limit:
        return [Row(f"shard {uid} · db {state.shards[uid].bdb_uid}", "shard", (uid,),
                    f"node {node} · {_rack(state, node)}")
                for node in nodes
                for uid in sorted(state.shards_by_node[node], key=lambda u: (state.shards[u].bdb_uid, u))]
    if len(nodes) <= limit:
        return [Row(f"node {node} ({len(state.shards_by_node[node])} shards)", "node", (node,), _rack(state, node))
                for node in nodes]
    racks: dict[str, list[int]] = {}
    for node in nodes:
        racks.setdefault(_rack(state, node), []).append(node)
    return [Row(f"{rack} ({len(members)} nodes)", "rack", tuple(members), "") for rack, members in racks.items()]
