"""Quorum of the up nodes (SPEC §5 "Quorum"): more than half of all nodes, quorum-only nodes
included, in one group that can talk; and the topology graph the plots draw."""
from __future__ import annotations

import pytest

from sim.model import build_state, has_quorum, topology_graph
from sim.model.state import NodeStatus
from tests.factories import cluster, database


def _state(nodes: int, down: tuple[int, ...] = ()):
    state = build_state(cluster(nodes), [database(replication=True)])
    for uid in down:
        state.nodes[uid].status = NodeStatus.DOWN
    return state


@pytest.mark.parametrize("nodes, down, quorum", [
    (3, (), True), (3, (1,), True), (3, (1, 2), False),
    (4, (1,), True), (4, (1, 2), False),  # 2 of 4 is not more than half
    (5, (1, 2), True), (5, (1, 2, 3), False),
])
def test_quorum_is_more_than_half_of_all_nodes_up(nodes: int, down: tuple[int, ...], quorum: bool) -> None:
    assert has_quorum(_state(nodes, down)) is quorum


def _cut(left: set[int], right: set[int]) -> frozenset[tuple[int, int]]:
    return frozenset((a, b) for a in left for b in right)


@pytest.mark.parametrize("nodes, left, quorum", [
    (5, {1, 2}, True),      # 3 of 5 still talk to each other
    (4, {1, 2}, False),     # 2 | 2: no group holds more than half
    (5, {1}, True),
])
def test_quorum_needs_one_group_that_can_talk(nodes: int, left: set[int], quorum: bool) -> None:
    """A network partition (`cut`: the links that are down) splits the up nodes into groups."""
    right = set(range(1, nodes + 1)) - left
    assert has_quorum(_state(nodes), _cut(left, right)) is quorum


def test_the_topology_graph_links_racks_nodes_and_shards() -> None:
    state = _state(3)
    graph = topology_graph(state)
    master, replica = state.bdbs[1].pairs[0].shards
    assert graph.edges[f"shard:{master}", f"shard:{replica}"]["kind"] == "replicates"
    assert {n for n, data in graph.nodes(data=True) if data["kind"] == "rack"} == {"rack:az1", "rack:az2", "rack:az3"}
    assert all(graph.has_edge(f"node:{s.node_uid}", f"shard:{s.uid}") for s in state.shards.values())
