"""A multi-node cluster in the vendor's shapes: import -> run keeps the real layout (pinned placement), the
policy, and the configuration; the mapping's choices, case by case."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sim.importer import import_bodies, read_folder
from sim.model import required_capabilities
from sim.run import run_scenario
from sim.scenario import parse_scenario, scenario_from_data
from tests.importer.helpers import changed, lay_out, three_bodies, uncomment_example


def imported_from(tmp_path: Path, bodies: dict[str, Any]):
    """Import `bodies` from a folder under tmp_path."""
    return import_bodies(read_folder(lay_out(tmp_path / "saved", bodies)))


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory):
    """The three-rack cluster, imported."""
    return import_bodies(read_folder(lay_out(tmp_path_factory.mktemp("three"), three_bodies())))


def test_run_keeps_the_saved_layout(three) -> None:
    """masters_per_node.before is the saved layout: orders has its three masters on node 3 (shards 4, 6, 8),
    sessions its one shard on node 2."""
    result = run_scenario(three.scenario, check_invariants=True)
    databases = result.summary["databases"]
    assert databases["1"]["masters_per_node"]["before"] == {"1": 0, "2": 0, "3": 3}
    assert databases["2"]["masters_per_node"]["before"] == {"2": 1}
    state = three.scenario.initial_state()
    assert {uid: (s.node_uid, s.role) for uid, s in state.shards.items()} == {
        4: (3, "master"), 5: (1, "slave"), 6: (3, "master"), 7: (2, "slave"), 8: (3, "master"), 9: (1, "slave"),
        12: (2, "master")}
    # slots as saved: 0-5461 is 5462 slots, 5462-10922 and 10923-16383 are 5461 each
    assert [p.slots for p in state.bdbs[1].pairs] == [5462, 5461, 5461]


def test_the_placement_algorithm_would_not_choose_that_layout(three) -> None:
    """Without `shards:`, dense placement puts orders' masters elsewhere: the pinned layout is not a default."""
    data = three.scenario.model_dump(mode="json")
    for db in data["databases"]:
        db["shards"] = None
    result = run_scenario(scenario_from_data(data))
    assert result.summary["databases"]["1"]["masters_per_node"]["before"] != {"1": 0, "2": 0, "3": 3}


def test_policy_and_cluster_fields(three) -> None:
    """parallel_shards_upgrade from the policy body; slave_ha_grace_period (900) from the cluster object, the
    policy body lacking it; rack awareness, racks, Redis versions (memcached left out), version."""
    cluster = three.scenario.cluster
    assert cluster.policy.parallel_shards_upgrade == 1
    assert cluster.policy.slave_ha_grace_period == 900
    assert cluster.rack_aware is True
    assert [(n.uid, n.rack_id) for n in cluster.nodes] == [(1, "az-a"), (2, "az-b"), (3, "az-c")]
    assert cluster.redis_versions == ("6.2", "7.2", "7.4")
    assert cluster.version == "7.8.6-60"


def test_database_configuration(three) -> None:
    """orders: replicated AOF, sharded, rack-aware, the vendor's default shard_key_regex not custom (no
    hash_policy needed); sessions: snapshot with its two rules, sparse, allkeys-lru."""
    orders, sessions = three.scenario.databases
    assert (orders.replication, orders.data_persistence, orders.aof_policy) == (True, "aof", "appendfsync-every-sec")
    assert (orders.sharding, orders.shards_count, orders.rack_aware) == (True, 3, True)
    assert orders.shard_key_regex is None
    assert required_capabilities(orders) == ["failover_migrate", "persistence_aof", "clustering", "eviction_expiry"]
    assert (sessions.replication, sessions.data_persistence, sessions.shards_placement) == (False, "snapshot", "sparse")
    assert [(r.secs, r.writes) for r in sessions.snapshot_policy] == [(900, 1), (3600, 100)]
    assert sessions.eviction_policy == "allkeys-lru"
    assert sessions.dataset.bytes == 536870912  # memory_size, 512 MiB


def test_the_example_upgrades_each_database(three) -> None:
    """Uncommented, the example moves orders' ReJSON 2.8.4 to 2.8.10 (search 2.10.17 has no newer version) with
    preserve_roles, and restarts sessions (bf 2.8.7, nothing newer) with force_restart: both accepted and done."""
    scenario = parse_scenario(uncomment_example(three.text))
    bodies = [step.request.body for step in scenario.timeline]
    assert bodies[0]["preserve_roles"] is True and "force_restart" not in bodies[0]
    assert bodies[1]["force_restart"] is True and "may_discard_data" not in bodies[1]  # snapshot: persistent
    result = run_scenario(scenario, check_invariants=True)
    assert [r["status"] for r in result.summary["responses"]] == [200, 200]
    orders = result.summary["databases"]["1"]
    assert orders["module_versions"] == {"ReJSON": "2.8.10", "search": "2.10.17"}
    assert orders["roles_preserved"] is True and orders["keys_lost"] == 0
    assert [a["status"] for a in result.summary["actions"]] == ["completed", "completed"]


def test_a_node_that_accepts_no_shards_and_holds_none_is_quorum_only(tmp_path: Path) -> None:
    """A fourth node with accept_servers false and no shard: quorum_only (it counts for quorum only)."""
    def add_node(b: dict[str, Any]) -> None:
        node = copy.deepcopy(b["nodes.json"][0])
        node.update(uid=4, accept_servers=False, rack_id="az-d", shard_list=[])
        b["nodes.json"].append(node)
    nodes = imported_from(tmp_path, changed(three_bodies(), add_node)).scenario.cluster.nodes
    assert [(n.uid, n.quorum_only) for n in nodes] == [(1, False), (2, False), (3, False), (4, True)]


def test_a_node_that_accepts_no_new_shards_but_holds_some_stays_a_data_node(tmp_path: Path) -> None:
    """accept_servers false on node 3 (it holds orders' masters): kept as a data node, with a note."""
    def drain(b: dict[str, Any]) -> None:
        b["nodes.json"][2]["accept_servers"] = False
    result = imported_from(tmp_path, changed(three_bodies(), drain))
    assert not result.scenario.cluster.nodes[2].quorum_only
    assert any("node 3 accepts no new shards but holds 3" in note for note in result.notes)


def test_custom_hashing_and_capability_fields_are_kept(tmp_path: Path) -> None:
    """A custom shard_key_regex is written (and needs hash_policy); replica_sources become placeholders (their
    URIs may hold passwords); crdt and data_internode_encryption are kept."""
    def customise(b: dict[str, Any]) -> None:
        b["bdbs.json"][0].update(shard_key_regex=[{"regex": "user:(?<tag>[^:]+)"}],
                                 replica_sources=[{"uri": "redis://:s3cret@10.9.9.9:12000", "status": "in-sync"}],
                                 crdt=True, data_internode_encryption=True)
    result = imported_from(tmp_path, changed(three_bodies(), customise))
    orders = result.scenario.databases[0]
    assert orders.shard_key_regex == ("user:(?<tag>[^:]+)",)
    assert orders.replica_sources == ("source-1",) and "s3cret" not in result.text
    assert {"hash_policy", "replica_of", "crdb", "intershard_tls"} <= set(required_capabilities(orders))


def test_memcached_databases_and_their_shards_are_left_out(tmp_path: Path) -> None:
    """A memcached database (type memcached) is noted and left out, with its shard."""
    def add_memcached(b: dict[str, Any]) -> None:
        b["bdbs.json"].append({"uid": 3, "type": "memcached", "name": "cache", "shard_list": [20]})
        b["shards.json"].append({"uid": "20", "bdb_uid": 3, "node_uid": "1", "role": "master",
                                 "assigned_slots": "0-16383"})
    result = imported_from(tmp_path, changed(three_bodies(), add_memcached))
    assert [db.uid for db in result.scenario.databases] == [1, 2]
    assert any("database(s) 3 (not Redis" in note for note in result.notes)


@pytest.mark.parametrize("versions, expected", [
    (("7.8.6-60", "7.8.6-60", "7.8.6-60"), "7.8.6-60"),
    (("7.8.6-60", "7.4.2-54", "7.8.6-60"), "7.4.2-54"),     # mid-upgrade: the lowest
    (("7.4.10-1", "7.4.2-54", "7.4.10-1"), "7.4.2-54"),     # numeric, not text, order
])
def test_the_cluster_version_is_the_lowest_software_version(tmp_path: Path, versions: tuple, expected: str) -> None:
    """A cluster in the middle of its own upgrade runs with its lowest node's version."""
    def set_versions(b: dict[str, Any]) -> None:
        for node, version in zip(b["nodes.json"], versions):
            node["software_version"] = version
    assert imported_from(tmp_path, changed(three_bodies(), set_versions)).scenario.cluster.version == expected


@pytest.mark.parametrize("policy, nodes, expected", [
    ({"watchdog_profile": "cloud"}, {}, {"failure_detection_sensitivity": "low"}),   # the field's old name
    ({"parallel_shards_upgrade": "all"}, {}, {"parallel_shards_upgrade": 0}),
    ({"max_redis_forks": -1}, {"max_redis_forks": 2}, {"max_redis_forks": 0}),        # the policy first; -1 = none
    ({}, {"max_redis_forks": 2, "max_slave_full_syncs": 3}, {"max_redis_forks": 2, "max_slave_full_syncs": 3}),
    ({"slave_ha_grace_period": 300}, {}, {"slave_ha_grace_period": 300}),             # policy before cluster
])
def test_policy_sources(tmp_path: Path, policy: dict, nodes: dict, expected: dict) -> None:
    """Each policy field from the policy body, else the cluster object, else the nodes (lowest positive)."""
    def edit(b: dict[str, Any]) -> None:
        b["cluster_policy.json"] = {k: v for k, v in b["cluster_policy.json"].items()
                                    if k not in ("parallel_shards_upgrade", "failure_detection_sensitivity")}
        b["cluster_policy.json"].update(policy)
        for node in b["nodes.json"]:
            node.update(nodes)
    got = imported_from(tmp_path, changed(three_bodies(), edit)).scenario.cluster.policy.model_dump()
    assert {k: got[k] for k in expected} == expected
