"""Replica HA (SPEC §5): the target, the two cooldowns, and no migration while a pair lost both shards.

Five or seven nodes (quorum holds through every crash), grace 60 s, restart 5 s, a 1 GB sync of 10 s. Database 1: master 1 on
node 1, replica 2 on node 2.
"""
from __future__ import annotations

from tests.kit import crash, events_of, recover, run, scenario_data


def _data(policy: dict, timeline: list[dict], nodes: int = 5, **top) -> dict:
    return scenario_data({"replication": True}, timeline, nodes=nodes,
                         policy={"slave_ha_grace_period": 60, **policy}, duration=1000, **top)


def test_the_cluster_cooldown_holds_back_another_nodes_migration(tmp_path) -> None:
    """Node 2 down at 100: at 160 shard 2 moves to node 3 (least loaded: nodes 3-5 hold
    nothing; lowest uid). Node 3 down at 200: its HA is due at 260, within the cluster cooldown
    (3600 s from 160) caused by node 2's failure: deferred to 3760, past the window."""
    result = run(_data({}, [crash(100, 2), crash(200, 3)]), out=tmp_path / "c")
    assert [(e["t"], e["to_node"]) for e in events_of(result, "ReplicaMigrated")] == [(160.0, 3)]
    [deferred] = events_of(result, "ReplicaMigrationDeferred")
    assert (deferred["t"], deferred["node"], deferred["until"]) == (260.0, 3, 3760.0)


def test_without_cooldowns_the_second_migration_happens(tmp_path) -> None:
    """Cooldowns 0: at 260 shard 2 moves again, to node 4 (nodes 2 and 3 down, node 1 holds its master)."""
    policy = {"slave_ha_cooldown_period": 0, "slave_ha_bdb_cooldown_period": 0}
    result = run(_data(policy, [crash(100, 2), crash(200, 3)]), out=tmp_path / "n")
    assert [(e["t"], e["to_node"]) for e in events_of(result, "ReplicaMigrated")] == [(160.0, 3), (260.0, 4)]


def test_a_deferred_migration_happens_when_the_cooldown_ends(tmp_path) -> None:
    """Cluster cooldown 300 s, database cooldown 0: node 3's HA, due at 260, happens at 160 + 300 = 460."""
    policy = {"slave_ha_cooldown_period": 300, "slave_ha_bdb_cooldown_period": 0}
    result = run(_data(policy, [crash(100, 2), crash(200, 3)]), out=tmp_path / "d")
    assert [(e["t"], e["to_node"]) for e in events_of(result, "ReplicaMigrated")] == [(160.0, 3), (460.0, 4)]


def test_the_database_cooldown_holds_back_its_own_replicas(tmp_path) -> None:
    """Cluster cooldown 0, database cooldown 500: the second migration waits until 160 + 500 = 660."""
    policy = {"slave_ha_cooldown_period": 0, "slave_ha_bdb_cooldown_period": 500}
    result = run(_data(policy, [crash(100, 2), crash(200, 3)]), out=tmp_path / "b")
    assert [(e["t"], e["to_node"]) for e in events_of(result, "ReplicaMigrated")] == [(160.0, 3), (660.0, 4)]


def test_no_migration_while_some_pair_lost_both_its_shards(tmp_path) -> None:
    """Seven nodes; database 2 pinned on nodes 3 (master 3) and 4 (replica 4). Nodes 3 and 4 down at
    90: database 2's pair lost both shards. Node 2 down at 100: its HA, due at 160, waits. Node 3
    back at 200: database 2's pair is recovered empty (no persistence), shard 3 restarts 200-205
    and is live again: at 205 shard 2 moves to node 5 (least loaded: nodes 5-7 hold nothing)."""
    policy = {"slave_ha_cooldown_period": 0, "slave_ha_bdb_cooldown_period": 0}
    data = _data(policy, [crash(90, 3), crash(90, 4), crash(100, 2), recover(200, 3)], nodes=7)
    data["databases"].append({
        "uid": 2, "replication": True, "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}],
        "shards": [{"uid": 3, "node": 3, "role": "master", "slots": "0-16383"},
                   {"uid": 4, "node": 4, "role": "slave", "slots": "0-16383"}]})
    result = run(data, out=tmp_path / "l")
    moved = [(e["t"], e["shard"], e["to_node"]) for e in events_of(result, "ReplicaMigrated")]
    assert moved[0] == (205.0, 2, 5)
    waits = [(e["t"], e["node"], e["until"]) for e in events_of(result, "ReplicaMigrationDeferred")]
    assert (160.0, 2, None) in waits
