"""Hand-computed upgrade outcomes (SPEC §3, §6): each case's arithmetic is in its comment.

Timing defaults: restart 5 s, RDB load 100 MB/s, AOF load 50 MB/s, full sync 100 MB/s,
planned failover 1 s. The request is accepted at t = 10; the window is 600 s.
"""
from __future__ import annotations

import pytest

from tests.kit import GB, db1, events_of, run, scenario_data, upgrade


def test_worked_example_with_preserve_roles() -> None:
    """SPEC §6: 5 + 10 + 1 + 5 + 10 + 1 = 32 s; two 1 s failovers = 2 s down; 2 s × 1000 w/s
    = 2000 failed; roles back as they were; availability 1 - 2/600."""
    figures = db1(run(scenario_data({"replication": True}, [upgrade(preserve_roles=True)])))
    assert figures["upgrade_duration_s"] == 32.0
    assert figures["downtime_s"] == 2.0
    assert figures["failed_requests"] == 2000.0
    assert figures["longest_outage_s"] == 1.0
    assert figures["availability"] == round(1 - 2 / 600, 6) == figures["request_availability"]
    assert (figures["keys_lost"], figures["bytes_lost"], figures["writes_lost"]) == (0, 0, 0.0)
    assert figures["failovers"] == {"planned": 2, "unplanned": 0}
    assert figures["roles_preserved"] is True
    assert figures["masters_per_node"] == {"before": {"1": 1, "2": 0}, "after": {"1": 1, "2": 0}}
    assert figures["module_versions"] == {"ReJSON": "2.2.2"} and figures["status"] == "active"


def test_worked_example_without_preserve_roles() -> None:
    """Without the second failover: 31 s, 1 s down, roles swapped (the master moved to node 2)."""
    figures = db1(run(scenario_data({"replication": True})))
    assert figures["upgrade_duration_s"] == 31.0
    assert figures["downtime_s"] == 1.0 and figures["failed_requests"] == 1000.0
    assert figures["roles_preserved"] is False
    assert figures["masters_per_node"] == {"before": {"1": 1, "2": 0}, "after": {"1": 0, "2": 1}}
    assert figures["failovers"] == {"planned": 1, "unplanned": 0}


def test_non_replicated_aof_reload(tmp_path) -> None:
    """AOF, no replication: stop + restart 5 s + reload 1 GB at 50 MB/s = 20 s -> 25 s down,
    done at t = 35; reads 500/s + writes 1000/s -> 1500 × 25 = 37500 failed; a graceful
    stop loses nothing."""
    data = scenario_data({"data_persistence": "aof", "workload": {"reads_per_sec": 500, "writes_per_sec": 1000}})
    result = run(data, out=tmp_path / "aof")
    figures = db1(result)
    assert figures["upgrade_duration_s"] == 25.0
    assert figures["downtime_s"] == 25.0 and figures["longest_outage_s"] == 25.0
    assert figures["failed_requests"] == 37500.0
    assert (figures["keys_lost"], figures["writes_lost"]) == (0, 0.0)
    assert [e["seconds"] for e in events_of(result, "ShardLoadStarted")] == [20.0]


def test_non_replicated_snapshot_reload() -> None:
    """Snapshot: restart 5 s + reload 1 GB at 100 MB/s = 10 s -> 15 s down."""
    figures = db1(run(scenario_data({"data_persistence": "snapshot"})))
    assert figures["upgrade_duration_s"] == 15.0 and figures["downtime_s"] == 15.0
    assert figures["keys_lost"] == 0 and figures["writes_lost"] == 0.0


def test_discard_loses_every_key_and_byte() -> None:
    """No replication, no persistence, may_discard_data: two shards restart empty at once:
    1,000,000 keys and 1 GB lost; 5 s of restart is the whole outage."""
    data = scenario_data({"shards_count": 2}, [upgrade(may_discard_data=True)])
    figures = db1(run(data))
    assert figures["keys_lost"] == 1_000_000 and figures["bytes_lost"] == GB
    assert figures["writes_lost"] == 0.0  # the whole dataset is counted in keys_lost, not again here
    assert figures["downtime_s"] == 5.0 and figures["upgrade_duration_s"] == 5.0


def test_discard_is_refused_without_the_flag() -> None:
    """The same database without may_discard_data: 406 discard_data_required, nothing changes."""
    result = run(scenario_data({"shards_count": 2}))
    assert [(r["status"], r["error_code"]) for r in result.summary["responses"]] == [(406, "discard_data_required")]
    assert db1(result)["keys_lost"] == 0 and db1(result)["module_versions"] == {"ReJSON": "2.2.1"}


@pytest.mark.parametrize("parallel, duration", [
    # P = 0 (all): both replicas restart 10-15 and sync 15-25 (1 GB per pair); failover 25-26;
    # both old masters restart 26-31 and sync 31-41 -> 31 s.
    (0, 31.0),
    # P = 1: replica 2 10-25, replica 4 25-40; failover 40-41; master 1 41-56, master 3 56-71 -> 61 s.
    (1, 61.0),
    # P = 2 behaves like P = 0 for two pairs.
    (2, 31.0),
])
def test_parallel_shards_upgrade(parallel: int, duration: float) -> None:
    """Two replicated pairs of 1 GB each; only the failover (1 s, both pairs together) is downtime."""
    data = scenario_data({"replication": True, "shards_count": 2, "dataset": {"bytes": 2 * GB, "keys": 10}},
                         policy={"parallel_shards_upgrade": parallel})
    figures = db1(run(data))
    assert figures["upgrade_duration_s"] == duration
    assert figures["downtime_s"] == 1.0 and figures["longest_outage_s"] == 1.0


def test_second_request_is_busy_until_the_first_completes() -> None:
    """Requests at 10 (accepted), 20 (409 db_busy: the action runs until 41) and 50 (accepted:
    2.2.2 onto itself changes nothing, so it completes at once, SPEC §2 "No change, no restart")."""
    again = {"at": 50, "request": {"method": "POST", "path": "/v1/bdbs/1/modules/upgrade", "body": {
        "modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.2",
                     "new_module": "aa3648d79bd4082d414587c42ea0b234"}]}}}
    result = run(scenario_data({"replication": True}, [upgrade(), upgrade(at=20), again]))
    assert [(r["status"], r["error_code"]) for r in result.summary["responses"]] == [
        (200, None), (409, "db_busy"), (200, None)]
    assert "running" in result.summary["responses"][1]["body"]["message"]
    figures = db1(result)
    assert figures["upgrade_duration_s"] == 0.0  # of the last completed action (50 -> 50)
    assert figures["failovers"]["planned"] == 1 and figures["downtime_s"] == 1.0


def test_same_version_upgrade_restarts_every_shard_with_force_restart(tmp_path) -> None:
    """Upgrading 2.2.2 to itself is allowed (SPEC §2 row 6); with force_restart it restarts every shard."""
    again = {"at": 50, "request": {"method": "POST", "path": "/v1/bdbs/1/modules/upgrade", "body": {
        "modules": [{"current_module": "aa3648d79bd4082d414587c42ea0b234",
                     "new_module": "aa3648d79bd4082d414587c42ea0b234"}], "force_restart": True}}}
    result = run(scenario_data({"replication": True}, [upgrade(), again]), out=tmp_path / "r")
    assert [e["shard"] for e in events_of(result, "ShardRestartStarted")] == [2, 1, 1, 2]


@pytest.mark.parametrize("policy, duration", [
    # Dense placement: masters 1, 3 on node 1, replicas 2, 4 on node 2.
    # max_slave_full_syncs 1: both replicas restart 10-15; syncs into node 2 one at a time:
    # 15-25, 25-35; failover 35-36; old masters restart 36-41, syncs into node 1: 41-51, 51-61 -> 51 s.
    ({"max_slave_full_syncs": 1}, 51.0),
    # max_redis_forks 1: the masters serving both syncs sit on one node: the same serialisation -> 51 s.
    ({"max_redis_forks": 1}, 51.0),
    # Unlimited: 31 s.
    ({}, 31.0),
])
def test_full_sync_limits_serialise_syncs_on_a_node(policy, duration) -> None:
    """Two replicas on one node with a limit of one full sync at a time take twice as long."""
    data = scenario_data({"replication": True, "shards_count": 2, "dataset": {"bytes": 2 * GB, "keys": 10}},
                         policy=policy)
    figures = db1(run(data))
    assert figures["upgrade_duration_s"] == duration
    assert figures["downtime_s"] == 1.0


def test_aof_reload_beyond_max_aof_load_time_fails_the_action(tmp_path) -> None:
    """A 1 GB AOF reload takes 20 s; with max_aof_load_time 8 it stops at t = 10 + 5 + 8 = 23,
    the shard stays down to the window's end (600): down 590 s; the action fails and the
    database keeps its old module_list, status active-change-pending."""
    result = run(scenario_data({"data_persistence": "aof", "max_aof_load_time": 8}), out=tmp_path / "f")
    figures = db1(result)
    assert figures["downtime_s"] == 590.0 and figures["longest_outage_s"] == 590.0
    assert figures["upgrade_duration_s"] is None
    assert figures["module_versions"] == {"ReJSON": "2.2.1"}
    assert figures["status"] == "active-change-pending"
    failed = events_of(result, "ActionFailed")
    assert len(failed) == 1 and failed[0]["t"] == 23.0 and "max_aof_load_time" in failed[0]["reason"]


def test_module_list_changes_only_when_the_action_completes(tmp_path) -> None:
    """Until ActionCompleted the database keeps its old module_list and is active-change-pending."""
    from sim.events import apply, read_log
    from sim.model.state import ClusterState

    run(scenario_data({"replication": True}), out=tmp_path / "m")
    state, seen = ClusterState(), []
    for event in read_log(tmp_path / "m" / "events.jsonl")[1]:
        apply(state, event)
        if state.bdbs:
            seen.append((event.type, state.bdbs[1].status, state.bdbs[1].module_list[0]["semantic_version"]))
    done = next(i for i, s in enumerate(seen) if s[0] == "ActionCompleted")
    assert all(status == "active-change-pending" and version == "2.2.1"
               for kind, status, version in seen[2:done] if kind != "RequestAccepted")
    assert seen[done][1:] == ("active", "2.2.2")


def test_action_states_follow_the_state_machine(tmp_path) -> None:
    """SPEC §3: the action's `state` shows only the vendor's names (check_slaves → prepare →
    stop_forwarding → start_wd → wait_for_version → second_failover → configure_shards →
    completed); our finer phases ride beside them in `phase`; progress rises to 100."""
    result = run(scenario_data({"replication": True}, [upgrade(preserve_roles=True)]), out=tmp_path / "s")
    changes = events_of(result, "ActionStateChanged")
    assert [(e["state"], e["phase"]) for e in changes] == [
        ("check_slaves", "check_slaves"), ("prepare", "upgrade_replicas"), ("stop_forwarding", "failover"),
        ("start_wd", "failover_done"), ("wait_for_version", "upgrade_masters"),
        ("wait_for_version", "check_version"), ("second_failover", "second_failover"),
        ("configure_shards", "configure_shards")]
    vendor = {"init", "check_slaves", "prepare", "stop_forwarding", "start_wd", "wait_for_version",
              "second_failover", "configure_shards", "completed"}
    assert {e["state"] for e in changes} <= vendor
    progress = [e["progress"] for e in changes]
    assert progress == sorted(progress) and progress[-1] < 100
    assert len(events_of(result, "ActionCompleted")) == 1
    assert result.state.actions[changes[0]["action_uid"]].progress == 100


def test_workload_splits_unevenly_over_three_masters() -> None:
    """3 masters, 1000 writes/s split 334/333/333: an AOF reload of all three at once (P = 0)
    makes every slot unavailable for the same 5 + 333,333,334 B / 50 MB/s ≈ 11.67 s."""
    data = scenario_data({"data_persistence": "aof", "shards_count": 3})
    figures = db1(run(data))
    slowest = 5 + 333_333_334 / 50e6
    assert figures["upgrade_duration_s"] == round(slowest, 6)
    # slots 5462 down for the slowest, 5461 × 2 for 5 + 333,333,333 / 50e6
    other = 5 + 333_333_333 / 50e6
    expected_downtime = (5462 * slowest + 2 * 5461 * other) / 16384
    assert figures["downtime_s"] == pytest.approx(expected_downtime, abs=1e-6)
    assert figures["failed_requests"] == pytest.approx(334 * slowest + 2 * 333 * other, abs=1e-6)


def test_an_action_completing_at_the_window_end_is_inside_it() -> None:
    """The window [0, 42] is closed: the worked example's action completes at t = 42, inside."""
    figures = db1(run(scenario_data({"replication": True}, [upgrade(preserve_roles=True)], duration=42)))
    assert figures["upgrade_duration_s"] == 32.0 and figures["roles_preserved"] is True
    assert figures["status"] == "active" and figures["failovers"]["planned"] == 2


def _same_version(at: float = 10, **extra) -> dict:
    """A request naming the loaded ReJSON 2.2.1 as its own new module."""
    return {"at": at, "request": {"method": "POST", "path": "/v1/bdbs/1/modules/upgrade", "body": {
        "modules": [{"current_module": "5d2c0e51f7a340c0a1c9b1b6e8c2f111",
                     "new_module": "5d2c0e51f7a340c0a1c9b1b6e8c2f111"}], **extra}}}


def test_no_change_restarts_nothing_and_completes_at_once(tmp_path) -> None:
    """SPEC §2: every new_module already loaded and no force_restart: 200, an action that
    completes at the request's instant; no restart, no failover, no downtime."""
    result = run(scenario_data({"replication": True}, [_same_version()]), out=tmp_path / "n")
    figures = db1(result)
    assert [r["status"] for r in result.summary["responses"]] == [200]
    assert figures["failovers"] == {"planned": 0, "unplanned": 0} and figures["downtime_s"] == 0.0
    assert figures["upgrade_duration_s"] == 0.0 and figures["status"] == "active"
    assert events_of(result, "ShardRestartStarted") == []
    [action] = result.summary["actions"]
    assert (action["status"], action["accepted_at"], action["ended_at"]) == ("completed", 10.0, 10.0)


def test_force_restart_restarts_as_a_version_change_does() -> None:
    """With force_restart the same-version request runs the worked example: 32 s, 2 s down."""
    figures = db1(run(scenario_data({"replication": True}, [_same_version(force_restart=True, preserve_roles=True)])))
    assert figures["upgrade_duration_s"] == 32.0 and figures["downtime_s"] == 2.0
    assert figures["failovers"] == {"planned": 2, "unplanned": 0} and figures["roles_preserved"] is True
