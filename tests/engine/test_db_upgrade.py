"""The database upgrade (SPEC §10) run end to end: the same phases and figures as a module
upgrade, per-action parallelism, force_discard, no-change requests, busy and quorum answers,
and a retry; every figure computed by hand with the default timing profile (SPEC §6)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kit import GB, NEW, db1, events_of, run, scenario_data, upgrade


def db_upgrade(at: float = 10, **body: Any) -> dict[str, Any]:
    """A timeline step sending POST /v1/bdbs/1/upgrade with `body` at time `at`."""
    return {"at": at, "request": {"method": "POST", "path": "/v1/bdbs/1/upgrade", "body": body}}


REPLICATED = {"replication": True}
#: Two replicated pairs of 0.5 GB each (1 GB in total): a full sync takes 0.5e9 / 100e6 = 5 s.
TWO_PAIRS = {"replication": True, "shards_count": 2}


@pytest.mark.parametrize("step", [db_upgrade(preserve_roles=True), upgrade(preserve_roles=True)],
                         ids=["database upgrade", "module upgrade"])
def test_the_worked_example_gives_the_same_figures_either_way(step: dict[str, Any]) -> None:
    """SPEC §6 as a 7.2 -> 7.4 database upgrade (ReJSON moving to 2.2.2 with it): replica restart
    5 + sync 10 + failover 1 + old master restart 5 + sync 10 + second failover 1 = 32 s (t=10 -> 42);
    2 s of downtime (two 1 s failovers), 2 s x 1,000 writes/s = 2,000 failed requests."""
    out = db1(run(scenario_data(REPLICATED, [step])))
    assert out["upgrade_duration_s"] == 32 and out["downtime_s"] == 2 and out["failed_requests"] == 2000
    assert out["longest_outage_s"] == 1 and out["keys_lost"] == 0 and out["writes_lost"] == 0
    assert out["roles_preserved"] is True and out["module_versions"] == {"ReJSON": "2.2.2"}


def test_the_database_upgrade_changes_the_redis_version() -> None:
    """At completion redis_version is 7.4 (the cluster's highest); a module upgrade keeps 7.2.
    Without preserve_roles: 31 s, 1 s down, roles swapped (as SPEC §6 says)."""
    result = run(scenario_data(REPLICATED, [db_upgrade()]))
    out = db1(result)
    assert out["redis_version"] == "7.4" and out["upgrade_duration_s"] == 31 and out["downtime_s"] == 1
    assert out["roles_preserved"] is False
    assert db1(run(scenario_data(REPLICATED, [upgrade()])))["redis_version"] == "7.2"


def test_versions_change_only_when_the_action_completes() -> None:
    """With the window ending at 30 (the action completes at 41), the database still shows 7.2 and
    ReJSON 2.2.1, active-change-pending; the shards already restarted run 7.4 (the replica, t=15)."""
    result = run(scenario_data(REPLICATED, [db_upgrade()], duration=30))
    out = db1(result)
    assert (out["redis_version"], out["module_versions"], out["status"]) == ("7.2", {"ReJSON": "2.2.1"},
                                                                            "active-change-pending")
    assert result.summary["actions"][0]["status"] == "active"


def test_the_answer_is_the_database_object_holding_the_action(tmp_path: Path) -> None:
    """The 200 body is the bdb object with the action's uid; the action is SMUpgradeBDB."""
    result = run(scenario_data(REPLICATED, [db_upgrade()]), out=tmp_path / "o")
    body = result.summary["responses"][0]["body"]
    action = result.summary["actions"][0]
    assert body["action_uid"] == action["action_uid"] and action["name"] == "SMUpgradeBDB"
    assert (body["uid"], body["type"], body["status"], body["redis_version"]) == (1, "redis", "active-change-pending",
                                                                                 "7.2")
    assert events_of(result, "ActionStarted")[0]["redis_version"] == "7.4"


@pytest.mark.parametrize("policy, body_p, duration", [
    # P = 0 (all): both replicas 10 -> 15 restart, -> 20 sync; failover 20 -> 21; both old masters
    # 21 -> 26 -> 31: 21 s
    (1, 0, 21),
    # P = 1: replica 2 10 -> 20, replica 4 20 -> 30; failover 30 -> 31; master 1 31 -> 41, master 3 41 -> 51: 41 s
    (0, 1, 41),
    # no per-request value: the policy's P = 1
    (1, None, 41),
])
def test_parallel_shards_upgrade_for_this_action_only(policy: int, body_p: int | None, duration: int) -> None:
    """The request's parallel_shards_upgrade overrides the cluster policy for its action."""
    body = {} if body_p is None else {"parallel_shards_upgrade": body_p}
    data = scenario_data(TWO_PAIRS, [db_upgrade(**body)], policy={"parallel_shards_upgrade": policy})
    out = db1(run(data))
    assert out["upgrade_duration_s"] == duration and out["downtime_s"] == 1 and out["keys_lost"] == 0


def test_force_discard_restarts_every_shard_empty(tmp_path: Path) -> None:
    """A replicated cache (2 pairs), force_discard with P = 2: shards 1, 2 (pair 0) restart empty
    10 -> 15, then shards 3, 4 (pair 1) 15 -> 20: 10 s; each half of the slots down 5 s -> 5 s of
    downtime, 0 failovers; every key lost (1,000,000, 1 GB); no full sync takes time."""
    data = scenario_data({**TWO_PAIRS, "workload": {"reads_per_sec": 1000, "writes_per_sec": 1000}},
                         [db_upgrade(force_discard=True, parallel_shards_upgrade=2)])
    result = run(data, out=tmp_path / "o")
    out = db1(result)
    assert (out["upgrade_duration_s"], out["downtime_s"], out["failovers"]) == (10, 5, {"planned": 0, "unplanned": 0})
    assert (out["keys_lost"], out["bytes_lost"]) == (1_000_000, GB)
    # 2,000 requests/s split over 2 pairs, each down 5 s: 2 x 1,000 x 5
    assert out["failed_requests"] == 10_000
    starts = [(e["t"], e["shard"], e["reason"]) for e in events_of(result, "ShardRestartStarted")]
    assert starts == [(10, 1, "discard"), (10, 2, "discard"), (15, 3, "discard"), (15, 4, "discard")]
    synced = {e["shard"]: e["t"] for e in events_of(result, "ReplicaSynced")}
    started = {e["shard"]: e["t"] for e in events_of(result, "ReplicaSyncStarted")}
    assert synced == started == {2: 15, 4: 20}
    assert {e["reason"] for e in events_of(result, "KeysLost")} == {"discarded by force_discard"}


def test_force_discard_does_not_reload_a_persistent_database() -> None:
    """Non-replicated AOF: force_discard restarts the shard empty in 5 s (an upgrade would reload
    1 GB at 50 MB/s: 5 + 20 = 25 s), and every key is lost."""
    discard = db1(run(scenario_data({"data_persistence": "aof"}, [db_upgrade(force_discard=True)])))
    reload = db1(run(scenario_data({"data_persistence": "aof"}, [db_upgrade()])))
    assert (discard["upgrade_duration_s"], discard["downtime_s"], discard["keys_lost"]) == (5, 5, 1_000_000)
    assert (reload["upgrade_duration_s"], reload["downtime_s"], reload["keys_lost"]) == (25, 25, 0)


def test_nothing_to_change_completes_at_once(tmp_path: Path) -> None:
    """The current version with the loaded module kept: the action completes at t = 10, no shard
    restarts, no failover; with force_restart the shards restart (31 s, as a real upgrade)."""
    same = {"redis_version": "7.2", "latest_with_modules": False}
    result = run(scenario_data(REPLICATED, [db_upgrade(**same)]), out=tmp_path / "o")
    assert db1(result)["upgrade_duration_s"] == 0 and events_of(result, "ShardRestartStarted") == []
    assert db1(result)["failovers"] == {"planned": 0, "unplanned": 0}
    assert db1(run(scenario_data(REPLICATED, [db_upgrade(**same, force_restart=True)])))["upgrade_duration_s"] == 31


def test_busy_and_no_quorum_at_their_moments() -> None:
    """A second request while the action runs (t=20 < 41) is 409; with two of three nodes down
    (t=100) the cluster has no quorum: 503."""
    steps = [db_upgrade(), db_upgrade(at=20), {"at": 90, "node_crash": 2}, {"at": 90, "node_crash": 3},
             db_upgrade(at=100)]
    result = run(scenario_data(REPLICATED, steps, duration=120))
    answers = [(r["status"], r["error_code"]) for r in result.summary["responses"]]
    assert answers == [(200, None), (409, "db_busy"), (503, "no_quorum")]


def test_a_retry_resumes_a_failed_database_upgrade(tmp_path: Path) -> None:
    """Replicated AOF: the replica's node crashes at 20 while it syncs (restarted onto 7.4 at 15):
    the action fails. Node 2 is back at 80: the replica restarts 80 -> 85 and syncs 85 -> 95. The
    retry at 200 does not restart it again: failover 200 -> 201, old master 201 -> 206, sync
    206 -> 216: 16 s, and the database ends on 7.4."""
    steps = [db_upgrade(), {"at": 20, "node_crash": 2}, {"at": 80, "node_recover": 2}, db_upgrade(at=200)]
    result = run(scenario_data({**REPLICATED, "data_persistence": "aof"}, steps, duration=400), out=tmp_path / "o")
    out = db1(result)
    assert [a["status"] for a in result.summary["actions"]] == ["failed", "completed"]
    assert (out["upgrade_duration_s"], out["redis_version"], out["keys_lost"]) == (16, "7.4", 0)
    upgrades = [(e["t"], e["shard"]) for e in events_of(result, "ShardRestartStarted") if e["reason"] == "upgrade"]
    assert upgrades == [(10, 2), (201, 1)]
    assert events_of(result, "ShardRestarted")[-1]["modules"] == {"ReJSON": NEW}
