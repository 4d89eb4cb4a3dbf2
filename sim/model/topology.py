"""Graph views of the cluster (networkx): racks–nodes–shards, and quorum of the up nodes.

networkx is imported when a graph is built: a scenario's validation and a run without a network
partition never need it (quorum of fully connected up nodes is a count).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.state import ClusterState, NodeStatus

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["topology_graph", "connectivity_graph", "has_quorum"]


def topology_graph(state: ClusterState) -> nx.Graph:
    """Racks, nodes and shards as one graph: rack–node and node–shard edges carry
    `kind="holds"`; master–replica edges carry `kind="replicates"`."""
    import networkx as nx

    graph = nx.Graph()
    for node in state.nodes.values():
        rack = f"rack:{node.rack_id}"
        graph.add_node(rack, kind="rack", rack_id=node.rack_id)
        graph.add_node(f"node:{node.uid}", kind="node", uid=node.uid, status=node.status,
                       quorum_only=node.quorum_only)
        graph.add_edge(rack, f"node:{node.uid}", kind="holds")
    for shard in state.shards.values():
        graph.add_node(f"shard:{shard.uid}", kind="shard", uid=shard.uid, bdb_uid=shard.bdb_uid,
                       role=shard.role, status=shard.status)
        graph.add_edge(f"node:{shard.node_uid}", f"shard:{shard.uid}", kind="holds")
    for bdb in state.bdbs.values():
        for pair in bdb.pairs:
            if len(pair.shards) == 2:
                graph.add_edge(f"shard:{pair.shards[0]}", f"shard:{pair.shards[1]}", kind="replicates")
    return graph


def connectivity_graph(state: ClusterState, cut: frozenset[tuple[int, int]] = frozenset()) -> nx.Graph:
    """Up nodes, linked when they can talk to each other (every pair but those in `cut`)."""
    import networkx as nx

    up = sorted(uid for uid, node in state.nodes.items() if node.status == NodeStatus.ACTIVE)
    graph = nx.Graph()
    graph.add_nodes_from(up)
    graph.add_edges_from((a, b) for i, a in enumerate(up) for b in up[i + 1:]
                         if (a, b) not in cut and (b, a) not in cut)
    return graph


def has_quorum(state: ClusterState, cut: frozenset[tuple[int, int]] = frozenset()) -> bool:
    """True when some connected group of up nodes holds more than half of all nodes
    (quorum-only nodes included), SPEC §5 "Quorum"."""
    total = len(state.nodes)
    if not cut:  # every up node reaches every other: they are one group
        return sum(node.status == NodeStatus.ACTIVE for node in state.nodes.values()) * 2 > total
    import networkx as nx

    graph = connectivity_graph(state, cut)
    largest = max((len(c) for c in nx.connected_components(graph)), default=0)
    return largest * 2 > total
