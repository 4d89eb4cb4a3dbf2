"""Quorum loss is a lost cluster (SPEC §5 "Quorum", §1 `quorum_loss`), hand-computed.

Database 1: replicated, 1 GB, 1,000,000 keys, 1,000 writes/s; master 1 on node 1, replica 2
on node 2; three nodes. Restart 5 s, AOF load 50 MB/s (20 s for 1 GB), full sync 10 s.
"""
from __future__ import annotations

import pytest

from tests.kit import crash, db1, events_of, recover, run, scenario_data, upgrade


def cluster_recover(at: float) -> dict:
    return {"at": at, "cluster_recover": True}


def test_by_default_service_does_not_resume_when_quorum_returns(tmp_path) -> None:
    """Nodes 2 and 3 down at 100 (1 of 3 up): the cluster is lost. Node 3 back at 150: quorum,
    but nothing is served and a request at 160 still gets 503 no_quorum: down 100-600 = 500 s."""
    data = scenario_data({"replication": True}, [crash(100, 2), crash(100, 3), recover(150, 3), upgrade(at=160)])
    result = run(data, out=tmp_path / "q")
    assert db1(result)["downtime_s"] == 500.0
    assert [(r["status"], r["error_code"]) for r in result.summary["responses"]] == [(503, "no_quorum")]
    assert "needs a cluster recovery" in result.summary["responses"][0]["body"]["message"]
    assert [e["t"] for e in events_of(result, "QuorumRegained")] == [150.0]


def test_a_cluster_recovery_restarts_everything_and_memory_does_not_survive(tmp_path) -> None:
    """As above, then cluster_recover at 200: no persistence, so every key is lost at 200 (the
    master's memory does not survive); shard 1 restarts empty 200-205 and serves. Down 100-205."""
    data = scenario_data({"replication": True}, [crash(100, 2), crash(100, 3), recover(150, 3),
                                                 cluster_recover(200)])
    result = run(data, out=tmp_path / "r")
    figures = db1(result)
    assert figures["downtime_s"] == 105.0 and figures["keys_lost"] == 1_000_000
    [requested] = events_of(result, "ClusterRecoverRequested")
    assert (requested["t"], requested["outcome"]) == (200.0, "started")
    [lost] = events_of(result, "KeysLost")
    assert lost["t"] == 200.0 and "cluster recovery" in lost["reason"]


def test_a_cluster_recovery_waits_for_the_node_holding_the_file(tmp_path) -> None:
    """AOF, replica-only persistence. Nodes 2 and 3 down at 100: replica 2's file froze at 99.
    Node 3 back at 150 (quorum, still lost). cluster_recover at 200: the master restarts (its
    memory, not in any file, is gone) but the only file is on node 2, down: the pair waits. Node 2
    back at 300: shard 2 restarts 300-305, loads 305-325 and serves: the writes of 99-100 are lost
    (1,000); no key. Down 100-325 = 225 s. Shard 1 then syncs from it 325-335."""
    data = scenario_data({"replication": True, "data_persistence": "aof"},
                         [crash(100, 2), crash(100, 3), recover(150, 3), cluster_recover(200), recover(300, 2)])
    result = run(data, out=tmp_path / "w")
    figures = db1(result)
    assert figures["keys_lost"] == 0 and figures["writes_lost"] == 1_000.0
    assert figures["downtime_s"] == 225.0
    assert [e["t"] for e in events_of(result, "PairRecoveryDeferred")] == [200.0]
    [recovered] = events_of(result, "PairRecoveryStarted")
    assert (recovered["t"], recovered["shard"], recovered["point"]) == (300.0, 2, 99.0)
    assert [(e["t"], e["shard"]) for e in events_of(result, "ReplicaSynced")] == [(335.0, 1)]


@pytest.mark.parametrize("steps, outcome", [
    ([crash(100, 2), crash(100, 3), cluster_recover(120)], "refused"),  # no quorum: refused, nothing changes
    ([cluster_recover(120)], "noop"),                                   # not lost: a recorded no-op
])
def test_a_cluster_recovery_needs_quorum_and_a_lost_cluster(steps, outcome, tmp_path) -> None:
    result = run(scenario_data({"replication": True}, steps), out=tmp_path / outcome)
    [requested] = events_of(result, "ClusterRecoverRequested")
    assert requested["outcome"] == outcome
    assert events_of(result, "ShardRestartStarted") == []


def test_quorum_loss_resume_keeps_the_old_behaviour() -> None:
    """quorum_loss: resume: service resumes when node 3 is back at 150: down 100-150 = 50 s."""
    data = scenario_data({"replication": True}, [crash(100, 2), crash(100, 3), recover(150, 3)],
                         policy={"quorum_loss": "resume"})
    assert db1(run(data))["downtime_s"] == 50.0
