"""Faults during and outside upgrades (SPEC §5), hand-computed.

Defaults: detection 3 s (high sensitivity), unplanned failover 2 s, replication lag 0.1 s,
restart 5 s, full sync and RDB load 100 MB/s, AOF load 50 MB/s. Database 1: 1 GB,
1,000,000 keys, 1000 writes/s; master shard 1 on node 1, replica shard 2 on node 2.
"""
from __future__ import annotations

import pytest

from sim.events import read_log
from sim.metrics.explain import explain_lines
from tests.kit import GB, db1, events_of, run, scenario_data, upgrade


def crash(at: float, node: int) -> dict:
    return {"at": at, "node_crash": node}


def recover(at: float, node: int) -> dict:
    return {"at": at, "node_recover": node}


def test_master_crash_with_a_healthy_replica(tmp_path) -> None:
    """Crash of node 1 at 100: noticed at 103, unplanned failover 103-105 -> 5 s down;
    0.1 s × 1000 w/s = 100 writes lost; one unplanned failover; node 1 back at 200: shard 1
    restarts 200-205 and full-syncs 205-215 as a replica; no key lost."""
    result = run(scenario_data({"replication": True}, [crash(100, 1), recover(200, 1)]), out=tmp_path / "r")
    figures = db1(result)
    assert figures["downtime_s"] == 5.0 and figures["longest_outage_s"] == 5.0
    assert figures["writes_lost"] == 100.0 and figures["keys_lost"] == 0
    assert figures["failovers"] == {"planned": 0, "unplanned": 1}
    assert figures["masters_per_node"]["after"] == {"1": 0, "2": 1}
    synced = events_of(result, "ReplicaSynced")
    assert [(e["t"], e["shard"]) for e in synced] == [(215.0, 1)]
    assert [e["t"] for e in events_of(result, "NodeFailureDetected")] == [103.0]


def test_low_sensitivity_detects_later() -> None:
    """failure_detection_sensitivity low: 12 s to notice + 2 s failover = 14 s down."""
    data = scenario_data({"replication": True}, [crash(100, 1)],
                         policy={"failure_detection_sensitivity": "low"})
    assert db1(run(data))["downtime_s"] == 14.0


def test_crash_while_the_replica_syncs_for_the_upgrade_without_persistence(tmp_path) -> None:
    """Upgrade at 10: replica 2 restarts 10-15 (its memory is gone), syncs 15-25. Node 1 (the
    master) crashes at 20: no failover target, the last copy is gone -> 1,000,000 keys and
    1 GB lost at t=20; the action fails. Node 1 back at 100, shard 1 restarts empty 100-105:
    down 20-105 = 85 s. The writes of the lost keys are not counted again."""
    data = scenario_data({"replication": True}, [upgrade(), crash(20, 1), recover(100, 1)])
    result = run(data, out=tmp_path / "np")
    figures = db1(result)
    assert (figures["keys_lost"], figures["bytes_lost"], figures["writes_lost"]) == (1_000_000, GB, 0.0)
    assert figures["downtime_s"] == 85.0
    assert figures["status"] == "active-change-pending" and figures["module_versions"] == {"ReJSON": "2.2.1"}
    assert figures["failovers"] == {"planned": 0, "unplanned": 0}
    [failed] = events_of(result, "ActionFailed")
    assert failed["t"] == 20.0 and "shard 1 died with node 1" in failed["reason"]
    [lost] = events_of(result, "KeysLost")
    assert lost["t"] == 20.0 and lost["shard"] == 1


def test_the_explanation_tells_the_vulnerability_window(tmp_path) -> None:
    """`explain` says the master crashed while its replica was full-syncing for the upgrade
    (since t=15), that there was no failover target, and the keys lost, back to the crash."""
    data = scenario_data({"replication": True}, [upgrade(), crash(20, 1), recover(100, 1)])
    log = run(data, out=tmp_path / "x").out / "events.jsonl"
    text = "\n".join(explain_lines(read_log(log)[1]))
    assert ("shard 1 (master, node 1) crashed with its node while its replica shard 2 was "
            "full-syncing for the upgrade (since t=15): no failover target") in text
    assert "t=20: 1,000,000 keys (1,000,000,000 bytes) lost from shard 1" in text
    assert "root cause: node 1 crashed at t=20" in text
    assert "t=20-105 (85 s)" in text


def test_crash_while_the_replica_syncs_with_aof(tmp_path) -> None:
    """The same crash with AOF every-sec: no key lost; node 1 back at 100, shard 1 restarts
    100-105 and reloads 1 GB at 50 MB/s 105-125, losing 1 s × 1000 w/s = 1000 writes:
    down 20-125 = 105 s; replica 2 then syncs 125-135."""
    data = scenario_data({"replication": True, "data_persistence": "aof"}, [upgrade(), crash(20, 1), recover(100, 1)])
    result = run(data, out=tmp_path / "aof")
    figures = db1(result)
    assert figures["keys_lost"] == 0 and figures["writes_lost"] == 1000.0
    assert figures["downtime_s"] == 105.0
    assert [(e["t"], e["shard"]) for e in events_of(result, "ReplicaSynced")] == [(135.0, 2)]


@pytest.mark.parametrize("persistence, policy, lost", [
    ("aof", "appendfsync-always", 0.0),          # every write is on disk
    ("aof", "appendfsync-every-sec", 1000.0),    # 1 s × 1000 w/s
    ("snapshot", None, 20_000.0),                # snapshots every 3600 s from 0: crash at 20 -> 20 s × 1000
])
def test_persistence_window_of_a_crash_reload(persistence: str, policy: str | None, lost: float) -> None:
    """A non-replicated persistent shard crashing at 20 loses the writes of its persistence window."""
    db = {"data_persistence": persistence, **({"aof_policy": policy} if policy else {})}
    figures = db1(run(scenario_data(db, [crash(20, 1), recover(100, 1)])))
    assert figures["writes_lost"] == lost and figures["keys_lost"] == 0


def test_snapshot_window_counts_from_the_last_snapshot() -> None:
    """snapshot every 60 s: a crash at 150 loses the 30 s since the snapshot at 120."""
    db = {"data_persistence": "snapshot", "snapshot_policy": [{"secs": 60, "writes": 1}]}
    assert db1(run(scenario_data(db, [crash(150, 1), recover(200, 1)])))["writes_lost"] == 30_000.0


def test_quorum_loss_stops_service_and_management(tmp_path) -> None:
    """Nodes 2 and 3 crash at 100: 1 of 3 nodes up, no quorum: nothing is served (master 1 on
    node 1 included) and a request at 120 gets 503 no_quorum. Node 3 back at 150: quorum
    again. Down 100-150 = 50 s; 50 s × 1000 = 50,000 failed requests. No failover happened
    (node 2 held the replica; the master never died)."""
    data = scenario_data({"replication": True}, [crash(100, 2), crash(100, 3), upgrade(at=120), recover(150, 3)])
    result = run(data, out=tmp_path / "q")
    figures = db1(result)
    assert figures["downtime_s"] == 50.0 and figures["failed_requests"] == 50_000.0
    assert [(r["status"], r["error_code"]) for r in result.summary["responses"]] == [(503, "no_quorum")]
    assert [e["t"] for e in events_of(result, "QuorumLost")] == [100.0]
    assert [e["t"] for e in events_of(result, "QuorumRegained")] == [150.0]


def test_quorum_only_nodes_count_for_quorum() -> None:
    """3 nodes, node 3 quorum-only: losing node 2 keeps 2 of 3 up -> quorum; losing 2 and 3 does not."""
    nodes = [{"uid": 1}, {"uid": 2}, {"uid": 3, "quorum_only": True}]
    base = scenario_data({"replication": True}, [crash(100, 2)])
    base["cluster"]["nodes"] = nodes
    assert db1(run(base))["downtime_s"] == 0.0
    base["timeline"] = [crash(100, 2), crash(100, 3), recover(130, 3)]
    assert db1(run(base))["downtime_s"] == 30.0


def test_replica_ha_restores_redundancy_after_the_grace_period(tmp_path) -> None:
    """Node 2 (replica 2) crashes at 100 for good; grace period 60 s: at 160 replica HA moves
    shard 2 to node 3 (node 1 holds its master), restart 160-165, sync 165-175. No downtime.
    A later upgrade at 200 then completes in the usual 31 s."""
    data = scenario_data({"replication": True}, [crash(100, 2), upgrade(at=200)],
                         policy={"slave_ha_grace_period": 60})
    result = run(data, out=tmp_path / "ha")
    [moved] = events_of(result, "ReplicaMigrated")
    assert (moved["t"], moved["shard"], moved["from_node"], moved["to_node"]) == (160.0, 2, 2, 3)
    assert [(e["t"], e["shard"]) for e in events_of(result, "ReplicaSynced")][0] == (175.0, 2)
    figures = db1(result)
    assert figures["upgrade_duration_s"] == 31.0 and figures["module_versions"] == {"ReJSON": "2.2.2"}
    assert figures["roles_preserved"] is False  # shard 2 now lives on node 3


def test_replica_ha_off_leaves_the_pair_unprotected(tmp_path) -> None:
    """slave_ha false: no migration; an upgrade at 200 fails at check_slaves (replica down)."""
    data = scenario_data({"replication": True}, [crash(100, 2), upgrade(at=200)],
                         policy={"slave_ha": False, "slave_ha_grace_period": 60})
    result = run(data, out=tmp_path / "noha")
    assert events_of(result, "ReplicaMigrated") == []
    [failed] = events_of(result, "ActionFailed")
    assert failed["t"] == 200.0 and "down node 2" in failed["reason"]


def test_failed_action_is_retried_to_completion(tmp_path) -> None:
    """Upgrade at 10 (AOF, replicated): replica 2 restarts onto 2.2.2 10-15, syncs from 15;
    node 2 crashes at 18 -> the action fails. Node 2 back at 40: shard 2 restarts 40-45 (still
    2.2.2) and syncs 45-55. Retry at 60 resumes: shard 2 is not restarted again; failover
    60-61; shard 1 restarts 61-66 and syncs 66-76 -> done at 76, duration 16 s."""
    data = scenario_data({"replication": True, "data_persistence": "aof"},
                         [upgrade(), crash(18, 2), recover(40, 2), upgrade(at=60)])
    result = run(data, out=tmp_path / "retry")
    figures = db1(result)
    assert [r["status"] for r in result.summary["responses"]] == [200, 200]
    assert figures["upgrade_duration_s"] == 16.0
    assert figures["module_versions"] == {"ReJSON": "2.2.2"} and figures["status"] == "active"
    restarts = [(e["t"], e["shard"], e["reason"]) for e in events_of(result, "ShardRestartStarted")]
    assert restarts == [(10.0, 2, "upgrade"), (40.0, 2, "recovery"), (61.0, 1, "upgrade")]
    started = events_of(result, "ActionStarted")
    assert started[1]["retry_of"] == started[0]["action_uid"]
    assert figures["downtime_s"] == 1.0 and figures["writes_lost"] == 0.0


def test_crash_during_a_planned_failover_aborts_it(tmp_path) -> None:
    """Failover 25-26 of the upgrade; node 2 (the promoted replica) crashes at 25.5: the
    failover is aborted, shard 1 stays master and serves again at 25.5; the action fails.
    Down 25-25.5 = 0.5 s."""
    data = scenario_data({"replication": True}, [upgrade(), crash(25.5, 2)])
    result = run(data, out=tmp_path / "fo")
    assert [e["t"] for e in events_of(result, "FailoverAborted")] == [25.5]
    figures = db1(result)
    assert figures["downtime_s"] == 0.5 and figures["failovers"] == {"planned": 0, "unplanned": 0}
    assert figures["masters_per_node"]["after"] == {"1": 1, "2": 0}


def test_explanation_groups_pairs_with_the_same_story(tmp_path) -> None:
    """Pairs failed over together for the upgrade are told once, with their count."""
    data = scenario_data({"replication": True, "shards_count": 3}, [upgrade(preserve_roles=True)])
    log = run(data, out=tmp_path / "g").out / "events.jsonl"
    text = "\n".join(explain_lines(read_log(log)[1]))
    assert text.count("3 pairs (0, 1, 2): planned failover for the upgrade") == 2
    assert "pair 0:" not in text


def test_a_failed_action_never_comes_back(tmp_path) -> None:
    """Review finding: an upgrade accepted at t=10, then three quorum-only nodes crash at the same
    instant (after the action started: shard 2 began restarting at 10): quorum is lost and the
    action fails, for good. Shard 2's restart goes on (10-15, onto 2.2.2) and it re-syncs 15-25.
    Quorum is back at 100; the request at 120 resumes: shard 2 is done, failover 120-121, shard 1
    restarts 121-126 and syncs 126-136 -> 16 s; downtime 90 s without quorum + 1 s of failover."""
    nodes = [{"uid": 1}, {"uid": 2}, {"uid": 3, "quorum_only": True}, {"uid": 4, "quorum_only": True},
             {"uid": 5, "quorum_only": True}]
    data = scenario_data({"replication": True}, [upgrade(), crash(10, 3), crash(10, 4), crash(10, 5),
                                                 recover(100, 3), recover(100, 4), upgrade(at=120)], duration=200)
    data["cluster"]["nodes"] = nodes
    result = run(data, out=tmp_path / "r")
    failed = events_of(result, "ActionFailed")
    assert [(e["t"], e["reason"]) for e in failed] == [(10.0, "the cluster lost quorum")]
    first = failed[0]["action_uid"]
    assert all(e["seq"] < failed[0]["seq"] for e in events_of(result, "ActionStateChanged") if e["action_uid"] == first)
    assert [(e["t"], e["shard"]) for e in events_of(result, "ShardRestartStarted")] == [(10.0, 2), (121.0, 1)]
    figures = db1(result)
    assert [r["status"] for r in result.summary["responses"]] == [200, 200]
    assert figures["upgrade_duration_s"] == 16.0 and figures["downtime_s"] == 91.0
    assert figures["status"] == "active" and figures["module_versions"] == {"ReJSON": "2.2.2"}


def test_steps_at_one_instant_happen_in_file_order_after_what_was_due(tmp_path) -> None:
    """A crash of node 2 written at the request's instant comes after the action started (shard 2
    began restarting); a crash at t=25, the instant shard 2's sync ends, finds it in sync."""
    result = run(scenario_data({"replication": True}, [upgrade(), crash(10, 2)]), out=tmp_path / "a")
    [failed] = events_of(result, "ActionFailed")
    assert failed["t"] == 10.0 and "shard 2 died" in failed["reason"]
    assert events_of(result, "ShardRestartStarted")[0]["shard"] == 2
    late = run(scenario_data({"replication": True}, [upgrade(), crash(25, 1)]), out=tmp_path / "b")
    assert [e["t"] for e in events_of(late, "ReplicaSynced")][0] == 25.0
    assert db1(late)["keys_lost"] == 0 and db1(late)["failovers"]["unplanned"] == 1
