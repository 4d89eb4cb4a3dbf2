"""Faults during and outside upgrades (SPEC §5), hand-computed.

Defaults: detection 3 s (high sensitivity), unplanned failover 2 s, replication lag 0.1 s,
restart 5 s, full sync and RDB load 100 MB/s, AOF load 50 MB/s. Database 1: 1 GB,
1,000,000 keys, 1000 writes/s; master shard 1 on node 1, replica shard 2 on node 2.
"""
from __future__ import annotations

import pytest

from sim.events import read_log
from sim.metrics.explain import _number, explain_lines
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


RESUME = {"quorum_loss": "resume"}


def test_quorum_loss_stops_service_and_management(tmp_path) -> None:
    """quorum_loss resume: nodes 2 and 3 crash at 100: 1 of 3 nodes up, no quorum: nothing is
    served (master 1 on node 1 included) and a request at 120 gets 503 no_quorum. Node 3 back at
    150: quorum again, service resumes. Down 100-150 = 50 s; 50 s × 1000 = 50,000 failed
    requests. No failover happened (node 2 held the replica; the master never died)."""
    data = scenario_data({"replication": True}, [crash(100, 2), crash(100, 3), upgrade(at=120), recover(150, 3)],
                         policy=RESUME)
    result = run(data, out=tmp_path / "q")
    figures = db1(result)
    assert figures["downtime_s"] == 50.0 and figures["failed_requests"] == 50_000.0
    assert [(r["status"], r["error_code"]) for r in result.summary["responses"]] == [(503, "no_quorum")]
    assert [e["t"] for e in events_of(result, "QuorumLost")] == [100.0]
    assert [e["t"] for e in events_of(result, "QuorumRegained")] == [150.0]


def test_quorum_only_nodes_count_for_quorum() -> None:
    """3 nodes, node 3 quorum-only: losing node 2 keeps 2 of 3 up -> quorum; losing 2 and 3 does not."""
    nodes = [{"uid": 1}, {"uid": 2}, {"uid": 3, "quorum_only": True}]
    base = scenario_data({"replication": True}, [crash(100, 2)], policy=RESUME)
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
                                                 recover(100, 3), recover(100, 4), upgrade(at=120)], duration=200,
                         policy=RESUME)
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


# --- review findings: what a crashed master serves, and which writes count as lost ----------

LOW = {"failure_detection_sensitivity": "low"}


@pytest.mark.parametrize("persistence", ["disabled", "aof"])
def test_a_master_back_before_its_crash_is_noticed_waits_for_the_failover(persistence, tmp_path) -> None:
    """Low sensitivity (12 s). Node 1 crashes at 20 and is back at 21; shard 1 restarts 21-26 but
    its replica is in sync, so it does not serve (it would serve empty or stale data): the crash
    is noticed at 32, the failover runs 32-34 (14 s down), shard 1 rejoins as a replica and
    syncs 34-44. Only the 0.1 s of replication lag is lost: 100 writes; no reload loss."""
    data = scenario_data({"replication": True, "data_persistence": persistence}, [crash(20, 1), recover(21, 1)],
                         policy=LOW, duration=200)
    result = run(data, out=tmp_path / persistence)
    figures = db1(result)
    assert figures["downtime_s"] == 14.0 and figures["writes_lost"] == 100.0 and figures["keys_lost"] == 0
    assert figures["failovers"] == {"planned": 0, "unplanned": 1}
    assert events_of(result, "ShardLoadStarted") == []
    assert [(e["t"], e["shard"]) for e in events_of(result, "ReplicaSynced")] == [(44.0, 1)]


@pytest.mark.parametrize("steps, persistence, lost, downtime", [
    # upgrade at 10 stops shard 1 gracefully (everything on disk), reload 15-35; crash at 20 while
    # it loads: it had accepted nothing since 10 -> 0 lost; back at 50: restart 50-55, reload 55-75.
    ([upgrade(), crash(20, 1), recover(50, 1)], "aof", 0.0, 65.0),
    # crash at 20 (1 s of writes unpersisted), back at 50, reload 55-75 cut by a crash at 60, back at
    # 100, reload 105-125: the writes of 19-20 are lost once -> 1000; down 20-125.
    ([crash(20, 1), recover(50, 1), crash(60, 1), recover(100, 1)], "aof", 1000.0, 105.0),
    # snapshot: upgrade at 10 (graceful), reload 15-25 leaves the data wholly on disk at 25; crash
    # at 100 loses the writes of 25-100 (the 3600 s snapshot never came): 75 s x 1000 = 75,000.
    ([upgrade(), crash(100, 1), recover(110, 1)], "snapshot", 75_000.0, 15.0 + 25.0),
])
def test_only_acknowledged_unpersisted_writes_are_lost(steps, persistence, lost, downtime) -> None:
    """Lost writes count only writes the master accepted after its last persistence point."""
    figures = db1(run(scenario_data({"data_persistence": persistence}, steps, duration=200)))
    assert figures["writes_lost"] == lost and figures["downtime_s"] == downtime


def test_no_lag_loss_for_a_master_paused_by_a_failover(tmp_path) -> None:
    """Node 1 crashes at 25.5, half-way through the planned failover (25-26) that paused master
    1: the failover aborts, the unplanned one runs 28.5-30.5; shard 1 accepted no write in its
    last 0.1 s -> nothing lost."""
    result = run(scenario_data({"replication": True}, [upgrade(), crash(25.5, 1)]), out=tmp_path / "p")
    figures = db1(result)
    assert figures["writes_lost"] == 0.0 and figures["failovers"]["unplanned"] == 1
    assert figures["downtime_s"] == 5.5


def test_no_lag_loss_without_quorum_and_the_cause_is_the_crash(tmp_path) -> None:
    """Quorum-only nodes 3-5 crash at 10 (no quorum: nothing served), node 1 crashes at 20, quorum
    is back at 30: the deferred failover (30-32) loses no write; its WritesLost-free run still
    traces the failover back to the quorum's return."""
    nodes = [{"uid": 1}, {"uid": 2}, {"uid": 3, "quorum_only": True}, {"uid": 4, "quorum_only": True},
             {"uid": 5, "quorum_only": True}]
    data = scenario_data({"replication": True}, [crash(10, 3), crash(10, 4), crash(10, 5), crash(20, 1),
                                                 recover(30, 3), recover(30, 4)], duration=200, policy=RESUME)
    data["cluster"]["nodes"] = nodes
    result = run(data, out=tmp_path / "q")
    assert db1(result)["writes_lost"] == 0.0 and db1(result)["downtime_s"] == 22.0
    assert [e["t"] for e in events_of(result, "FailoverCompleted")] == [32.0]


def test_lag_loss_is_traced_to_the_crash(tmp_path) -> None:
    """WritesLost of an unplanned failover names the crash as its cause."""
    result = run(scenario_data({"replication": True}, [crash(100, 1)]), out=tmp_path / "c")
    [lost] = events_of(result, "WritesLost")
    [crashed] = events_of(result, "NodeCrashed")
    assert lost["cause"] == crashed["seq"] and lost["writes"] == 100.0


@pytest.mark.parametrize("retry_at, done_at", [
    # shard 2 (on 2.2.2 since the first attempt) re-syncs 45-55 after node 2's return; the retry
    # joins that sync: failover 55-56, shard 1 56-61-71, second failover 71-72 -> 72
    (50, 72.0),
    # the retry arrives while shard 2 restarts (40-45): it waits for the restart and sync too -> 72
    (42, 72.0),
])
def test_a_retry_joins_the_work_under_way(retry_at: float, done_at: float, tmp_path) -> None:
    """Review finding: a retry neither starts a second sync of a syncing replica nor fails because
    the replica is still restarting."""
    data = scenario_data({"replication": True, "data_persistence": "aof"},
                         [upgrade(preserve_roles=True), crash(18, 2), recover(40, 2),
                          upgrade(at=retry_at, preserve_roles=True)], duration=200)
    result = run(data, out=tmp_path / str(retry_at))
    figures = db1(result)
    assert figures["upgrade_duration_s"] == done_at - retry_at
    assert [e["t"] for e in events_of(result, "ReplicaSyncStarted")] == [15.0, 45.0, 61.0]
    assert figures["status"] == "active" and figures["roles_preserved"] is True


def test_a_retry_joins_a_reload_under_way(tmp_path) -> None:
    """Non-replicated AOF: upgrade at 10 (shard 1 onto 2.2.2, reload 15-35), crash at 20, back at
    50: restart 50-55, reload 55-75. The retry at 60 does not restart the upgraded shard: it joins
    the reload -> completed at 75 (15 s); down 10-75 = 65 s."""
    data = scenario_data({"data_persistence": "aof"}, [upgrade(), crash(20, 1), recover(50, 1), upgrade(at=60)],
                         duration=200)
    result = run(data, out=tmp_path / "r")
    figures = db1(result)
    assert figures["upgrade_duration_s"] == 15.0 and figures["downtime_s"] == 65.0
    assert [(e["t"], e["reason"]) for e in events_of(result, "ShardRestartStarted")] == [
        (10.0, "upgrade"), (50.0, "recovery")]


def test_replica_ha_waits_for_quorum(tmp_path) -> None:
    """Grace 60 s: node 2 (replica 2) down at 10, node 3 down 65-80 (no quorum from 65): at 70
    the grace period is over but there is no quorum; at 80 quorum returns and replica 2 is
    re-created on node 3: restart 80-85, sync 85-95."""
    data = scenario_data({"replication": True}, [crash(10, 2), crash(65, 3), recover(80, 3)],
                         policy={"slave_ha_grace_period": 60, **RESUME}, duration=300)
    result = run(data, out=tmp_path / "h")
    [moved] = events_of(result, "ReplicaMigrated")
    assert (moved["t"], moved["to_node"]) == (80.0, 3)
    assert [e["t"] for e in events_of(result, "ReplicaSynced")] == [95.0]


def test_the_explanation_mentions_a_crash_during_an_outage(tmp_path) -> None:
    """A shard down for its upgrade reload, then crashed: the story says both."""
    data = scenario_data({"data_persistence": "aof"}, [upgrade(), crash(20, 1), recover(50, 1)], duration=200)
    log = run(data, out=tmp_path / "e").out / "events.jsonl"
    text = "\n".join(explain_lines(read_log(log)[1]))
    assert ("restarting for the upgrade; then node 1 crashed at t=20; then from t=50 recovered from shard 1's "
            "persistence file (point t=10); back: shard 1 loaded its persistence file (point t=10)") in text


def test_a_quorum_loss_during_an_outage_is_noted_once(tmp_path) -> None:
    """Master 1's node crashes at 100 (outage); node 3 at 101 takes quorum away: the outage's
    story says so once (QuorumLost touches both shards of the pair, which must not count twice)."""
    data = scenario_data({"replication": True}, [crash(100, 1), crash(101, 3)], duration=300)
    log = run(data, out=tmp_path / "q").out / "events.jsonl"
    text = "\n".join(explain_lines(read_log(log)[1]))
    assert text.count("then the cluster lost quorum at t=101") == 1


@pytest.mark.parametrize(("writes", "text"), [
    (10000.0, "10,000"), (3.0, "3"), (1234.5, "1,234.5"), (0.25, "0.25"), (3.001, "3"), (2.999, "3"),
    (1000.0004, "1,000"), (0.0001, "0.0001"), (0.004, "0.004"),
])
def test_the_explanation_writes_lost_writes_without_a_dangling_point(writes: float, text: str) -> None:
    """Lost writes are a rate × seconds, so fractional: at most two decimals, never `3.` and never
    `0` for a loss that is not nothing."""
    assert _number(writes) == text
