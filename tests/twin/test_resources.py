"""The vendor object shapes as pure functions (sim.api.resources): each rule of the mapping from
the simulation's state to the vendor's fields, with hand-computed values."""
from __future__ import annotations

from typing import Any

import pytest

from sim.api import resources as res
from sim.model.state import ActionState, ClusterState, NodeStatus, ShardStatus, SyncStatus
from sim.scenario import scenario_from_data
from tests.twin.helpers import twin_data


def state_of(db: dict[str, Any] | None = None, **top: Any) -> ClusterState:
    data = twin_data(**top)
    data["databases"][0].update(db or {})
    return scenario_from_data(data).initial_state()


@pytest.mark.parametrize("change, expected", [
    ({}, ("active", "ok")),
    ({"paused": True}, ("active", "busy")),                       # a failover pauses it
    ({"status": ShardStatus.RESTARTING}, ("inactive", "down")),
    ({"status": ShardStatus.LOADING, "until": 30.0}, ("active", "loading")),
    ({"status": ShardStatus.DOWN}, ("inactive", "down")),
    ({"status": ShardStatus.FAILED}, ("inactive", "timeout")),     # a reload past max_aof_load_time
    ({"node_down": True}, ("inactive", "down")),
])
def test_shard_status_mapping(change: dict[str, Any], expected: tuple[str, str]) -> None:
    state = state_of()
    shard = state.shards[1]
    if change.pop("node_down", False):
        state.nodes[shard.node_uid].status = NodeStatus.DOWN
    for key, value in change.items():
        setattr(shard, key, value)
    body = res.shard_resource(state, shard, now=25.0)
    assert (body["status"], body["detailed_status"]) == expected


@pytest.mark.parametrize("db, progress", [
    # 1 GB of AOF at 50 MB/s: a 20 s load ending at 30; at 25, 15 of 20 s done → 75 %
    ({"data_persistence": "aof"}, 75.0),
    # snapshot at 100 MB/s: 10 s ending at 30; at 25, 5 of 10 s → 50 %
    ({"data_persistence": "snapshot"}, 50.0),
    # AOF capped by max_aof_load_time 8 s: at 25, 3 of 8 s → 37.5 %
    ({"data_persistence": "aof", "max_aof_load_time": 8}, 37.5),
])
def test_loading_progress(db: dict[str, Any], progress: float) -> None:
    state = state_of({"replication": False, **db})
    shard = state.shards[1]
    shard.status, shard.until = ShardStatus.LOADING, 30.0
    assert res.shard_resource(state, shard, now=25.0)["loading"] == {"status": "in_progress", "progress": progress}


def test_replicas_carry_their_sync_status_and_masters_do_not() -> None:
    state = state_of()
    state.shards[2].sync = SyncStatus.IN_PROGRESS
    assert "sync" not in res.shard_resource(state, state.shards[1], 0.0)
    assert res.shard_resource(state, state.shards[2], 0.0)["sync"] == {"status": "in_progress"}


def test_bdb_fields_follow_the_configuration() -> None:
    """Sharding defaults from shards_count; the vendor's default hashing regexes for a sharded
    database, a custom list as given; replica sources as objects; whole seconds as integers."""
    one = res.bdb_resource(state := state_of(), state.bdbs[1])
    assert (one["sharding"], one["shard_key_regex"], one["max_aof_load_time"]) == (False, [], 3600)
    two = state_of({"shards_count": 2, "replica_sources": ["redis://a:1"], "max_aof_load_time": 90.5})
    body = res.bdb_resource(two, two.bdbs[1])
    assert body["sharding"] is True and len(body["shard_key_regex"]) == 2 and body["shard_list"] == [1, 2, 3, 4]
    assert body["replica_sources"] == [{"uri": "redis://a:1"}] and body["max_aof_load_time"] == 90.5
    custom = state_of({"shards_count": 2, "shard_key_regex": ["(?<tag>.*)"]})
    assert res.bdb_resource(custom, custom.bdbs[1])["shard_key_regex"] == [{"regex": "(?<tag>.*)"}]


def test_quorum_only_nodes_accept_no_shards_and_no_rack_is_empty() -> None:
    state = state_of()
    state.nodes[3].quorum_only, state.nodes[3].rack_id = True, None
    assert [res.node_resource(state, state.nodes[u])["accept_servers"] for u in (1, 2, 3)] == [True, True, False]
    assert res.node_resource(state, state.nodes[3])["rack_id"] == ""   # as a real node without a rack


def test_a_failed_action_says_why_and_progress_is_a_float() -> None:
    action = ActionState(uid="a", bdb_uid=1, name="SMUpgradeBDB", status="failed", state="prepare", progress=15,
                         accepted_at=10, modules=[], preserve_roles=False, may_discard_data=False,
                         original_masters=[1], reason="shard 1 died with node 1 at t=20")
    body = res.action_resource(action)
    assert body["error"] == "shard 1 died with node 1 at t=20" and body["progress"] == 15.0
    assert isinstance(body["progress"], float) and body["object_name"] == "bdb:1"


def test_availability() -> None:
    """200 {} while every slot is served; 503 bdb_unavailable naming the slots of a master that
    does not serve; 503 no_quorum without quorum or in a lost cluster."""
    state = state_of()
    bdb = state.bdbs[1]
    assert res.availability(state, bdb) == (200, {})
    state.shards[1].paused = True
    status, body = res.availability(state, bdb)
    assert (status, body["error_code"]) == (503, "bdb_unavailable") and "0-16383" in body["description"]
    state.shards[1].paused, state.lost = False, True
    assert res.availability(state, bdb)[1]["error_code"] == "no_quorum"


def test_users_never_show_a_password() -> None:
    users = res.user_resources(state_of().users)
    assert [u["uid"] for u in users] == list(range(1, 8))
    assert all("password" not in u for u in users) and users[0]["email"] == "admin@example.com"
