"""SPEC §3 and §5 rules at their edges, each with a hand-computed outcome (timing defaults, §6:
restart 5 s, AOF load 50 MB/s, full sync 100 MB/s, planned failover 1 s, detection 3 s, unplanned
failover 2 s, lag 0.1 s; 1 GB and 1,000 writes/s per database, tests.kit). A mutation audit found
each of these rules broken by a one-line change with every other test still passing."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.run import run_scenario
from sim.scenario import load_scenario
from tests.kit import crash, db1, events_of, recover, run, scenario_data, upgrade


def at(result: Any, kind: str) -> list[float]:
    return [e["t"] for e in events_of(result, kind)]


def test_an_aof_reload_of_exactly_max_aof_load_time_goes_on(tmp_path: Path) -> None:
    """§3: a reload that would *exceed* `max_aof_load_time` stops; 1 GB at 50 MB/s is exactly the
    limit of 20 s: restart 10 → 15, load 15 → 35, the action completes (25 s, all of it down)."""
    result = run(scenario_data({"data_persistence": "aof", "max_aof_load_time": 20}, [upgrade()], duration=200),
                 out=tmp_path)
    assert at(result, "ShardLoaded") == [35.0] and at(result, "ActionCompleted") == [35.0]
    assert (db1(result)["status"], db1(result)["upgrade_duration_s"], db1(result)["downtime_s"]) == ("active", 25, 25)


def test_a_failover_waits_for_the_detection_even_when_quorum_comes_back_sooner(tmp_path: Path) -> None:
    """§5 with `quorum_loss: resume`: nodes 1 (the master's) and 3 crash at 10 (no quorum), node 3
    is back at 11 (quorum again), but node 1's failure is noticed only at 13 (3 s): the failover
    runs 13 → 15; 5 s down, 100 writes lost (0.1 s of lag × 1,000/s)."""
    result = run(scenario_data({"replication": True}, [crash(10, 1), crash(10, 3), recover(11, 3)],
                               policy={"quorum_loss": "resume"}, duration=100), out=tmp_path)
    assert at(result, "QuorumRegained") == [11.0]
    assert at(result, "FailoverStarted") == [13.0] and at(result, "FailoverCompleted") == [15.0]
    assert (db1(result)["downtime_s"], db1(result)["writes_lost"]) == (5, 100)
    # §7: masters per node at t=0 and at the window's end, over the nodes holding a shard
    assert db1(result)["masters_per_node"] == {"before": {"1": 1, "2": 0}, "after": {"1": 0, "2": 1}}


def test_a_recovery_between_equal_files_loads_the_original_masters(tmp_path: Path) -> None:
    """§5: both shards persist (`master_persistence`) and both nodes crash at 100, so both files end
    at 99 (AOF fsync each second); the tie goes to the shard that was master at t=0 (shard 1).
    Node 2 is back at 110, node 1 at 120: shard 1 restarts 120 → 125, loads 125 → 145 (1,000
    writes after its point lost), shard 2 syncs from it 145 → 155; roles as before, 45 s down."""
    data = scenario_data({"replication": True, "data_persistence": "aof", "master_persistence": True},
                         [crash(100, 1), crash(100, 2), recover(110, 2), recover(120, 1)], nodes=5, duration=300)
    result = run(data, out=tmp_path)
    [recovery] = events_of(result, "PairRecoveryStarted")
    assert (recovery["t"], recovery["shard"], recovery["point"]) == (120.0, 1, 99.0)
    assert [(e["t"], e["shard"], e["source"]) for e in events_of(result, "ReplicaSynced")] == [(155.0, 2, 1)]
    figures = db1(result)
    assert (figures["roles_preserved"], figures["downtime_s"], figures["writes_lost"]) == (True, 45, 1000)


def test_a_lost_pair_is_recovered_when_its_masters_node_returns_not_another(tmp_path: Path) -> None:
    """§5: the master (node 1) dies at 20 while its replica is still syncing after its upgrade
    restart: the pair is lost. Node 4 (no shard of it) crashes at 21 and is back at 30 — that
    recovers nothing; node 1 is back at 80: the replica's file (point 10, its stop) is loaded
    80 → 85 → 105, 10,000 writes (10 → 20) lost, 85 s down (20 → 105)."""
    data = scenario_data({"replication": True, "data_persistence": "aof"},
                         [upgrade(), crash(20, 1), crash(21, 4), recover(30, 4), recover(80, 1)], nodes=5, duration=200)
    result = run(data, out=tmp_path)
    [recovery] = events_of(result, "PairRecoveryStarted")
    assert (recovery["t"], recovery["shard"], recovery["point"]) == (80.0, 2, 10.0)
    assert at(result, "ShardLoaded") == [105.0]
    assert (db1(result)["downtime_s"], db1(result)["writes_lost"]) == (85, 10_000)


def _ha_data(nodes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    data = scenario_data({"replication": True, **extra}, [crash(10, 2)], policy={"slave_ha_grace_period": 60},
                         duration=300)
    data["cluster"]["nodes"] = nodes
    return data


def test_replica_ha_never_places_on_a_quorum_only_node(tmp_path: Path) -> None:
    """§1/§5: the replica's node 2 crashes at 10; after the 60 s grace period (70) replica HA moves
    it — not to node 3 (quorum only: holds no shard), to node 4; restart 70 → 75, sync → 85."""
    result = run(_ha_data([{"uid": 1}, {"uid": 2}, {"uid": 3, "quorum_only": True}, {"uid": 4}, {"uid": 5}]),
                 out=tmp_path)
    assert [(e["t"], e["shard"], e["to_node"]) for e in events_of(result, "ReplicaMigrated")] == [(70.0, 2, 4)]
    assert at(result, "ReplicaSynced") == [85.0]
    # §7: roles are preserved only on the same node with the same role; the replica moved
    assert db1(result)["roles_preserved"] is False


def test_replica_ha_never_places_on_a_full_node(tmp_path: Path) -> None:
    """§1/§5: node 3 holds `max_redis_servers: 1` shard already (database 2's, placed sparse), so
    the migrated replica goes to node 4 (room for 2), not onto the full node 3."""
    data = _ha_data([{"uid": 1}, {"uid": 2}, {"uid": 3, "max_redis_servers": 1}, {"uid": 4, "max_redis_servers": 2}],
                    shards_placement="sparse")
    cache = dict(data["databases"][0], uid=2, name="cache", replication=False, shards_count=3, sharding=True)
    data["databases"].append(cache)
    result = run(data, out=tmp_path)
    assert [(e["shard"], e["to_node"]) for e in events_of(result, "ReplicaMigrated")] == [(2, 4)]
    held = {node: [s for s in result.state.shards.values() if s.node_uid == node] for node in (3, 4)}
    assert len(held[3]) == 1 and len(held[4]) <= 2


def test_after_a_discard_the_master_persists_again(tmp_path: Path) -> None:
    """§5 (a non-replicated persistent database: the master holds the file): `force_discard` at 10
    restarts it empty (1,000,000 keys lost) and back at 15 it writes its file again; node 1 dies
    at 100 and is back at 150: the file (point 99) is loaded and only the last second of writes
    (1,000) is lost — not every write since the discard."""
    discard = {"at": 10, "request": {"method": "POST", "path": "/v1/bdbs/1/upgrade", "body": {"force_discard": True}}}
    result = run(scenario_data({"data_persistence": "aof"}, [discard, crash(100, 1), recover(150, 1)], duration=300),
                 out=tmp_path)
    [recovery] = events_of(result, "PairRecoveryStarted")
    assert (recovery["t"], recovery["point"]) == (150.0, 99.0)
    assert (db1(result)["keys_lost"], db1(result)["writes_lost"]) == (1_000_000, 1000)


def test_a_reloaded_master_persists_again(tmp_path: Path) -> None:
    """§5: the upgrade restarts the AOF master (10 → 15) and it reloads its file (15 → 35), after
    which its file is live again; node 1 dies at 100, is back at 150: the file's point is 99, so
    1,000 writes are lost (not the 65,000 since the reload)."""
    result = run(scenario_data({"data_persistence": "aof"}, [upgrade(), crash(100, 1), recover(150, 1)], duration=300),
                 out=tmp_path)
    [recovery] = events_of(result, "PairRecoveryStarted")
    assert (recovery["t"], recovery["point"]) == (150.0, 99.0)
    assert at(result, "ShardLoaded") == [35.0, 175.0] and db1(result)["writes_lost"] == 1000


def test_a_retry_does_not_fail_over_a_pair_whose_master_is_upgraded(tmp_path: Path) -> None:
    """§3 (a retry skips what is on the target): the first upgrade failed over at 25 → 26 (shard 2,
    upgraded, is master) and died at 28 with shard 1's node; the retry at 60 restarts only shard 1
    (now the replica, 60 → 65), syncs it (→ 75) and has no pair to fail over: 15 s, no failover."""
    data = scenario_data({"replication": True, "data_persistence": "aof"},
                         [upgrade(), crash(28, 1), recover(40, 1), upgrade(at=60)], duration=200)
    result = run(data, out=tmp_path)
    assert at(result, "FailoverStarted") == [25.0]
    assert [(e["t"], e["shard"]) for e in events_of(result, "ShardRestartStarted") if e["t"] >= 60] == [(60.0, 1)]
    assert at(result, "ActionCompleted") == [75.0] and db1(result)["upgrade_duration_s"] == 15


def test_syncs_held_back_by_the_limit_start_in_shard_uid_order(tmp_path: Path) -> None:
    """Our choice (sim/engine/syncs.py): with `max_slave_full_syncs: 1`, replicas waiting for a
    sync slot start one after the other in ascending shard uid."""
    data = scenario_data({"replication": True, "shards_count": 3, "sharding": True,
                          "dataset": {"bytes": 3 * 10**9, "keys": 3000}},
                         [upgrade()], nodes=2, policy={"max_slave_full_syncs": 1}, duration=300)
    result = run(data, out=tmp_path)
    first = [e["shard"] for e in events_of(result, "ReplicaSyncStarted")][:3]  # the replicas' phase
    assert first == sorted(first) and len(set(first)) == 3


def test_masters_per_node_counts_each_master_where_it_is_at_the_end() -> None:
    """§7 (scenarios/replica-ha.yaml): the master is on node 1, its replica on node 2; node 2 dies
    at 100, replica HA re-creates the replica on node 3 (160), and the upgrade at 200 (no
    preserve_roles) fails over to it: after = one master on node 3, none on node 2 where that
    shard was at t=0; and roles are not preserved."""
    figures = run_scenario(load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "replica-ha.yaml"),
                           plots=False).summary["databases"]["1"]
    assert figures["masters_per_node"] == {"before": {"1": 1, "2": 0, "3": 0}, "after": {"1": 0, "2": 0, "3": 1}}
    assert figures["roles_preserved"] is False
