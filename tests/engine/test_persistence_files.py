"""Who holds a persistence file, its point, and recovery from the newest file (SPEC §5), hand-computed.

Defaults: restart 5 s, AOF load 50 MB/s, RDB load and full sync 100 MB/s, planned failover
1 s. Database 1: replicated, 1 GB (a load of 20 s from AOF, 10 s from RDB; a sync of 10 s),
1,000,000 keys, 1,000 writes/s; master shard 1 on node 1, replica shard 2 on node 2.
"""
from __future__ import annotations

import pytest

from sim.events import read_log
from sim.metrics.explain import explain_lines
from tests.kit import crash, db1, events_of, recover, run, scenario_data, upgrade


AOF = {"replication": True, "data_persistence": "aof"}


@pytest.mark.parametrize("master_persistence, shard, point, lost", [
    # the vendor default: only the replica persists; its file froze complete at its graceful stop
    # at 10: the writes of 10-20 (the master served them) are lost: 10 s x 1,000 = 10,000
    (False, 2, 10.0, 10_000.0),
    # master_persistence: the master's own AOF (every-sec) froze at the crash: point 20 - 1 = 19:
    # 1 s x 1,000 = 1,000
    (True, 1, 19.0, 1_000.0),
])
def test_the_worked_example_of_spec_5(master_persistence: bool, shard: int, point: float, lost: float,
                                      tmp_path) -> None:
    """Upgrade at 10: replica 2 stops at 10, restarts until 15, syncs until 25. Node 1 (the master)
    crashes at 20 (no failover target) and is back at 80: the pair is recovered from the newest
    file on an up node; that shard restarts 80-85 and loads 1 GB of AOF 85-105 -> down 20-105 =
    85 s either way; no key is lost. The other shard then full-syncs from it 105-115."""
    data = scenario_data({**AOF, "master_persistence": master_persistence},
                         [upgrade(), crash(20, 1), recover(80, 1)])
    result = run(data, out=tmp_path / "r")
    figures = db1(result)
    assert figures["writes_lost"] == lost and figures["keys_lost"] == 0
    assert figures["downtime_s"] == 85.0 and figures["longest_outage_s"] == 85.0
    [recovered] = events_of(result, "PairRecoveryStarted")
    assert (recovered["t"], recovered["shard"], recovered["point"]) == (80.0, shard, point)
    assert [(e["t"], e["shard"]) for e in events_of(result, "ShardLoaded")] == [(105.0, shard)]
    assert [(e["t"], e["shard"]) for e in events_of(result, "ReplicaSynced")][-1] == (115.0, 3 - shard)
    assert figures["masters_per_node"]["after"] == ({"1": 0, "2": 1} if shard == 2 else {"1": 1, "2": 0})
    [failed] = events_of(result, "ActionFailed")
    assert failed["reason"] == "shard 1 died with node 1 at t=20"


def test_the_explanation_names_the_file_used_and_its_point(tmp_path) -> None:
    """`explain` says which shard's file recovered the pair, its point, and the writes lost after it."""
    data = scenario_data(AOF, [upgrade(), crash(20, 1), recover(80, 1)])
    text = "\n".join(explain_lines(read_log(run(data, out=tmp_path / "x").out / "events.jsonl")[1]))
    assert "from t=80 recovered from shard 2's persistence file (point t=10)" in text
    assert "back: shard 2 loaded its persistence file (point t=10)" in text
    assert "t=105: 10,000 acknowledged writes lost from shard 2 (pair 0): loaded shard 2's persistence " \
           "file (point t=10)" in text
    assert "root cause: node 1 crashed at t=20" in text


def test_the_promoted_replicas_file_froze_at_the_promotion(tmp_path) -> None:
    """SPEC §5's second case: replica 2 syncs 15-25 (its file live again from 25); the failover of
    25-26 promotes it: without master_persistence its file freezes at 26 - 1 = 25. Old master 1
    restarts 26-31 (no file: a master's role held none) and syncs 31-41; node 2 crashes at 35: no
    target; back at 80: shard 2 restarts 80-85 and loads its file 85-105. The writes of 25-26 were
    paused by the failover (never acknowledged): those of 26-35 are lost, 9,000. Down: the
    failover's 1 s + 35-105 = 71 s."""
    result = run(scenario_data(AOF, [upgrade(), crash(35, 2), recover(80, 2)]), out=tmp_path / "p")
    figures = db1(result)
    assert figures["writes_lost"] == 9_000.0 and figures["keys_lost"] == 0
    assert figures["downtime_s"] == 71.0
    [recovered] = events_of(result, "PairRecoveryStarted")
    assert (recovered["shard"], recovered["point"]) == (2, 25.0)


@pytest.mark.parametrize("master_persistence, shard, point, lost", [
    # master_persistence: a snapshot every 10 s from t = 0: the master's file at the crash at 22
    # holds the writes up to 20, newer than the replica's (its graceful stop at 10): 2 s x 1,000
    (True, 1, 20.0, 2_000.0),
    # the default: only the replica's file (point 10): 12 s x 1,000
    (False, 2, 10.0, 12_000.0),
])
def test_a_snapshot_file_points_at_the_last_multiple_of_secs(master_persistence, shard, point, lost,
                                                             tmp_path) -> None:
    """Snapshot persistence (secs 10), upgrade at 10, node 1 crashes at 22, back at 80: restart
    80-85, RDB load 1 GB at 100 MB/s 85-95 -> down 22-95 = 73 s."""
    db = {"replication": True, "data_persistence": "snapshot", "snapshot_policy": [{"secs": 10}],
          "master_persistence": master_persistence}
    result = run(scenario_data(db, [upgrade(), crash(22, 1), recover(80, 1)]), out=tmp_path / "s")
    figures = db1(result)
    [recovered] = events_of(result, "PairRecoveryStarted")
    assert (recovered["shard"], recovered["point"]) == (shard, point)
    assert figures["writes_lost"] == lost and figures["downtime_s"] == 73.0


def test_an_always_aof_loses_nothing_it_acknowledged(tmp_path) -> None:
    """appendfsync-always with master_persistence: the master's file point is the crash itself."""
    db = {**AOF, "aof_policy": "appendfsync-always", "master_persistence": True}
    result = run(scenario_data(db, [upgrade(), crash(20, 1), recover(80, 1)]), out=tmp_path / "a")
    [recovered] = events_of(result, "PairRecoveryStarted")
    assert (recovered["shard"], recovered["point"]) == (1, 20.0)
    assert db1(result)["writes_lost"] == 0.0


def test_a_replica_created_by_replica_ha_has_no_file_until_its_first_sync(tmp_path) -> None:
    """Replica-only persistence. Node 2 (replica 2) down at 100 for good; grace 60: shard 2 is
    re-created on node 3 at 160 (no file), restarts 160-165, syncs 165-175. Node 3 crashes at 170
    (mid-sync) and node 1 (the master, no file) at 172: no copy and no file anywhere ->
    1,000,000 keys lost at 172."""
    data = scenario_data(AOF, [crash(100, 2), crash(170, 3), crash(172, 1)], nodes=4,
                         policy={"slave_ha_grace_period": 60, "quorum_loss": "resume"})
    result = run(data, out=tmp_path / "h")
    [moved] = events_of(result, "ReplicaMigrated")
    assert (moved["t"], moved["to_node"]) == (160.0, 3)
    [lost] = events_of(result, "KeysLost")
    assert (lost["t"], lost["keys"]) == (172.0, 1_000_000)
    assert result.state.shards[2].file is None


def test_a_non_replicated_master_reloads_its_own_file(tmp_path) -> None:
    """Non-replicated AOF (every-sec): the master holds the file. Crash at 20 (point 19), back at
    50: restart 50-55, load 55-75: 1 s x 1,000 = 1,000 writes lost; down 20-75 = 55 s."""
    data = scenario_data({"data_persistence": "aof"}, [crash(20, 1), recover(50, 1)], duration=200)
    result = run(data, out=tmp_path / "n")
    [recovered] = events_of(result, "PairRecoveryStarted")
    assert (recovered["shard"], recovered["point"]) == (1, 19.0)
    assert db1(result)["writes_lost"] == 1_000.0 and db1(result)["downtime_s"] == 55.0


def test_a_pair_without_any_file_comes_back_empty(tmp_path) -> None:
    """No persistence: the crash at 20 loses the keys; back at 50 the pair is recovered empty:
    restart 50-55, serving (empty) from 55."""
    result = run(scenario_data({}, [crash(20, 1), recover(50, 1)], duration=200), out=tmp_path / "e")
    [recovered] = events_of(result, "PairRecoveryStarted")
    assert recovered["point"] is None
    assert db1(result)["keys_lost"] == 1_000_000 and db1(result)["downtime_s"] == 35.0
