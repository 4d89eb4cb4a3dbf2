"""Shard placement rules (SPEC §1 "Placement"): a property test over many clusters."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import PlacementError
from sim.model import build_state
from tests.factories import cluster, database


def _check_rules(state, rack_aware_dbs: set[int]) -> None:
    held: dict[int, int] = {}
    for shard in state.shards.values():
        held[shard.node_uid] = held.get(shard.node_uid, 0) + 1
        assert not state.nodes[shard.node_uid].quorum_only, "quorum-only nodes hold no shard"
    for uid, count in held.items():
        assert count <= state.nodes[uid].max_redis_servers
    for bdb in state.bdbs.values():
        assert sum(p.slots for p in bdb.pairs) == 16384
        for pair in bdb.pairs:
            nodes = [state.shards[s].node_uid for s in pair.shards]
            assert len(set(nodes)) == len(nodes), "master and replica on different nodes"
            if bdb.uid in rack_aware_dbs:
                racks = [state.nodes[n].rack_id for n in nodes]
                assert len(set(racks)) == len(racks), "master and replica in different racks"


@settings(max_examples=200, deadline=None)
@given(
    nodes=st.integers(3, 6),
    racks=st.integers(1, 3),
    shards=st.integers(1, 8),
    replication=st.booleans(),
    rack_aware=st.booleans(),
    placement=st.sampled_from(["dense", "sparse"]),
    quorum_only=st.integers(0, 2),
)
def test_every_placement_obeys_the_rules(nodes, racks, shards, replication, rack_aware, placement, quorum_only):
    """For 3–6 nodes over 1–3 racks and 1–8 shards (two databases), placement fails exactly when
    the rules make it impossible, and otherwise obeys every rule."""
    node_specs = [{"uid": i + 1, "rack_id": f"r{i % racks}", "quorum_only": i >= nodes - quorum_only}
                  for i in range(nodes)]
    spec = cluster(node_specs, rack_aware=rack_aware)
    dbs = [database(1, shards_count=shards, replication=replication, rack_aware=rack_aware, shards_placement=placement),
           database(2, shards_count=shards, replication=replication, shards_placement=placement)]
    data_nodes = nodes - quorum_only
    data_racks = len({i % racks for i in range(data_nodes)})
    impossible = replication and (data_nodes < 2 or (rack_aware and data_racks < 2))
    if impossible:
        with pytest.raises(PlacementError, match="replication needs two nodes|in rack"):
            build_state(spec, dbs)
        return
    _check_rules(build_state(spec, dbs), {1} if rack_aware else set())


def test_placement_is_deterministic() -> None:
    """The same input gives the same placement."""
    a = build_state(cluster(5), [database(shards_count=7, replication=True, shards_placement="sparse")])
    b = build_state(cluster(5), [database(shards_count=7, replication=True, shards_placement="sparse")])
    assert [(s.uid, s.node_uid, s.role) for s in a.shards.values()] == [(s.uid, s.node_uid, s.role) for s in b.shards.values()]


def test_dense_packs_and_sparse_spreads() -> None:
    """Dense fills node 1 first (first fit); sparse puts each shard on the least-loaded node."""
    dense = build_state(cluster(3), [database(shards_count=3, replication=True)])
    assert [s.node_uid for s in dense.shards.values()] == [1, 2, 1, 2, 1, 2]
    sparse = build_state(cluster(3), [database(shards_count=3, replication=True, shards_placement="sparse")])
    assert [s.node_uid for s in sparse.shards.values()] == [1, 2, 3, 1, 2, 3]


def test_rack_aware_database_on_one_rack_cluster_is_a_clear_error() -> None:
    """A rack-aware replicated database on a cluster whose nodes share one rack names the rack."""
    with pytest.raises(PlacementError, match="every node that can hold shards is in rack az1"):
        build_state(cluster(3, racks=1, rack_aware=True), [database(replication=True, rack_aware=True)])


def test_rack_aware_database_needs_a_rack_aware_cluster() -> None:
    """A rack-aware database on a cluster that is not rack-aware is refused."""
    with pytest.raises(PlacementError, match="rack_aware but the cluster is not"):
        build_state(cluster(3), [database(replication=True, rack_aware=True)])


def test_rack_aware_pairs_span_racks() -> None:
    """With two racks, every master and replica sit in different racks."""
    state = build_state(cluster(4, racks=2, rack_aware=True), [database(shards_count=4, replication=True, rack_aware=True)])
    _check_rules(state, {1})


def test_capacity_limit_is_a_clear_error() -> None:
    """More shards than free places under max_redis_servers is refused with the numbers."""
    nodes = [{"uid": i, "max_redis_servers": 2} for i in (1, 2)]
    with pytest.raises(PlacementError, match="no room for shard pair 3 of 3"):
        build_state(cluster(nodes), [database(shards_count=3, replication=True)])


def test_replication_needs_two_data_nodes() -> None:
    """A replicated database on one shard-holding node cannot be placed."""
    nodes = [{"uid": 1}, {"uid": 2, "quorum_only": True}, {"uid": 3, "quorum_only": True}]
    with pytest.raises(PlacementError, match="replication needs two nodes"):
        build_state(cluster(nodes), [database(replication=True)])


@pytest.mark.parametrize("nodes, dbs, shards", [(4, 1, 4), (6, 3, 2), (60, 20, 50), (5, 7, 3)])
def test_sparse_spreads_masters_and_replicas_evenly(nodes: int, dbs: int, shards: int) -> None:
    """Sparse placement over many databases leaves every node with (nearly) as many masters as
    the others, and likewise replicas: not masters on some nodes and replicas on others."""
    spec = cluster([{"uid": i + 1, "max_redis_servers": 1000} for i in range(nodes)])
    state = build_state(spec, [database(d + 1, shards_count=shards, replication=True, shards_placement="sparse")
                               for d in range(dbs)])
    for role in ("master", "slave"):
        counts = [sum(1 for s in state.shards.values() if s.node_uid == n and s.role == role)
                  for n in range(1, nodes + 1)]
        assert max(counts) - min(counts) <= 1, (role, counts)
