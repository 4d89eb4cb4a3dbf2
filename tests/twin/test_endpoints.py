"""Every vendor endpoint of the twin over real HTTP: the fields SPEC §11 names, with the types a
real Redis Software 8.0 cluster sends (its captured bodies in tests/twin/data), and values read
from the live simulation."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.kit import CAPS, NEW, OLD
from tests.twin.helpers import Served, real, serve, twin_data


def type_mismatches(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Fields present in both bodies (non-null) whose JSON types differ, recursively (lists: by
    their first items; an int where the real body has a float counts as a mismatch too)."""
    if ours is None or theirs is None:
        return []
    if type(ours) is not type(theirs):
        return [f"{where or 'body'}: ours {type(ours).__name__} {ours!r}, real {type(theirs).__name__} {theirs!r}"]
    if isinstance(ours, dict):
        return [m for key in ours.keys() & theirs.keys() for m in type_mismatches(ours[key], theirs[key], f"{where}.{key}")]
    if isinstance(ours, list) and ours and theirs:
        return type_mismatches(ours[0], theirs[0], f"{where}[0]")
    return []


def test_the_type_checker_catches_a_float_size_and_a_string_shard_uid() -> None:
    """The check itself can fail: the mistakes the vendor client refuses are caught."""
    assert type_mismatches({"memory_size": 1.5e9}, {"memory_size": 1073741824})
    assert type_mismatches({"shard_list": ["1"]}, {"shard_list": [1]})
    assert type_mismatches({"loading": {"status": 1}}, {"loading": {"status": "idle"}})
    assert type_mismatches({"uid": 1, "extra": 2.5}, {"uid": 2}) == []


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """The served scenario after an accepted upgrade at t=10, at t=20 (replicas syncing)."""
    data = twin_data()
    data["cluster"]["modules"][1].update(min_redis_version="7.2", min_redis_pack_version="7.4.2",
                                         compatible_redis_version="7.2")
    with serve(data) as s:
        s.advance(to=10)
        assert s.upgrade().status_code == 200
        s.advance(to=20)
        yield s


def get(served: Served, path: str, status: int = 200) -> Any:
    answer = served.client.get(path)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    return answer.json()


SPEC_FIELDS = {
    "bdb": {"uid": int, "name": str, "type": str, "status": str, "redis_version": str, "version": str,
            "module_list": list, "shards_count": int, "shard_list": list, "replication": bool, "data_persistence": str,
            "aof_policy": str, "snapshot_policy": list, "master_persistence": bool, "sharding": bool,
            "shards_placement": str, "rack_aware": bool, "eviction_policy": str, "slave_ha": bool,
            "action_uid": str, "memory_size": int},
    "node": {"uid": int, "status": str, "rack_id": str, "addr": str, "shard_count": int, "shard_list": list,
             "software_version": str, "total_memory": int},
    "shard": {"uid": str, "bdb_uid": int, "node_uid": str, "role": str, "status": str, "detailed_status": str,
              "assigned_slots": str},
    "module": {"uid": str, "module_name": str, "semantic_version": str, "version": int, "capabilities": list,
               "min_redis_version": str, "min_redis_pack_version": str},
    "cluster": {"name": str},
    "action": {"action_uid": str, "name": str, "object_name": str, "status": str, "state": str, "progress": float},
}


def spec_problems(kind: str, body: dict[str, Any]) -> list[str]:
    return [f"{kind}.{k}: {type(body.get(k)).__name__}" for k, t in SPEC_FIELDS[kind].items()
            if not isinstance(body.get(k), t) or (t is int and isinstance(body.get(k), bool))]


def test_databases(served: Served) -> None:
    """GET /v1/bdbs and /v1/bdbs/1: the SPEC's fields, the real body's types, live values."""
    listed, one = get(served, "/v1/bdbs"), get(served, "/v1/bdbs/1")
    assert listed == [one]
    assert spec_problems("bdb", one) == []
    assert type_mismatches(one, real("bdb_single")) == [] and type_mismatches(listed, real("bdbs_list")) == []
    assert len(one.keys() & real("bdb_single").keys()) >= 25   # the comparison is not vacuous
    action = served.twin.session.state.bdbs[1].action_uid
    assert (one["status"], one["action_uid"], one["type"]) == ("active-change-pending", action, "redis")
    # 1 pair replicated: shards 1 and 2; the module list changes only when the action completes
    assert one["shard_list"] == [1, 2] and one["module_list"][0]["module_id"] == OLD
    assert (one["memory_size"], one["redis_version"], one["version"]) == (10**9, "7.2", "7.2.0")


def test_nodes(served: Served) -> None:
    nodes = get(served, "/v1/nodes")
    assert [n["uid"] for n in nodes] == [1, 2, 3]
    assert all(spec_problems("node", n) == [] for n in nodes)
    assert type_mismatches(nodes, real("nodes_list")) == []
    assert nodes[0].keys() <= real("nodes_list")[0].keys()      # every field we send, a real node sends
    assert get(served, "/v1/nodes/2") == nodes[1]
    # dense placement: master (shard 1) on node 1, replica (shard 2) on node 2
    assert [(n["shard_list"], n["shard_count"], n["rack_id"]) for n in nodes] == \
        [([1], 1, "az1"), ([2], 1, "az2"), ([], 0, "az3")]
    assert {v["redis_version"] for v in nodes[0]["supported_database_versions"]} == {"6.2", "7.2", "7.4"}


def test_shards_while_the_replica_syncs(served: Served) -> None:
    """At t=20 the replica (restarted 10-15) full-syncs 1 GB at 100 MB/s until 25."""
    shards = get(served, "/v1/shards")
    assert [s["uid"] for s in shards] == ["1", "2"]
    assert all(spec_problems("shard", s) == [] for s in shards)
    assert type_mismatches(shards, real("shards_list")) == []
    master, replica = shards
    assert (master["role"], master["status"], master["detailed_status"], master["assigned_slots"]) == \
        ("master", "active", "ok", "0-16383")
    assert (replica["role"], replica["node_uid"], replica["sync"]) == ("slave", "2", {"status": "in_progress"})
    assert replica["module_list"][0]["module_id"] == NEW and master["module_list"][0]["module_id"] == OLD
    assert get(served, "/v1/shards/2") == replica
    assert get(served, "/v1/bdbs/1/shards") == shards


def test_modules(served: Served) -> None:
    modules = get(served, "/v1/modules")
    assert [m["uid"] for m in modules] == [OLD, NEW]
    assert all(spec_problems("module", m) == [] for m in modules[1:])
    assert type_mismatches(modules, real("modules_list")) == []
    assert (modules[1]["version"], modules[1]["compatible_redis_version"]) == (20202, "7.2")
    assert (modules[0]["min_redis_version"], modules[0]["compatible_redis_version"]) == (None, "")
    assert get(served, f"/v1/modules/{NEW.upper()}") == modules[1]
    assert [m["capabilities"] for m in modules] == [CAPS, CAPS]   # as uploaded (cluster.modules)


def test_cluster_and_users(served: Served) -> None:
    cluster = get(served, "/v1/cluster")
    assert spec_problems("cluster", cluster) == [] and type_mismatches(cluster, real("cluster")) == []
    assert (cluster["name"], cluster["slave_ha_grace_period"]) == ("cluster", 600)
    policy = get(served, "/v1/cluster/policy")
    assert type_mismatches(policy, real("cluster")) == []  # the fields the real cluster object also carries
    assert (policy["parallel_shards_upgrade"], policy["failure_detection_sensitivity"]) == (0, "high")
    users = get(served, "/v1/users")
    assert type_mismatches(users, real("users_list")) == []
    assert [(u["uid"], u["name"], u["email"]) for u in users[:3]] == \
        [(1, "admin", "admin@example.com"), (2, "ops", "ops@example.com"), (3, "cm", "")]
    assert all("password" not in u for u in users)
    assert get(served, "/v1/users/2") == users[1]


def test_actions(served: Served) -> None:
    """The running action as GET /v1/actions/{uid}, in the state machines list and per database."""
    uid = served.twin.session.state.bdbs[1].action_uid
    action = get(served, f"/v1/actions/{uid}")
    assert spec_problems("action", action) == []
    assert type_mismatches(get(served, "/v1/actions"), real("actions_list")) == []
    assert (action["status"], action["state"], action["name"], action["object_name"]) == \
        ("active", "prepare", "SMUpgradeBDB", "bdb:1")
    assert "error" not in action
    assert get(served, "/v1/actions") == {"actions": [], "state-machines": [action]}
    assert get(served, "/v1/actions/bdb/1") == [action]


def test_availability_and_not_found(served: Served) -> None:
    """The master serves at t=20: 200 {}; unknown objects are 404 with their own error code."""
    assert get(served, "/v1/bdbs/1/availability") == {}
    for path, code in [("/v1/bdbs/9", "bdb_not_found"), ("/v1/bdbs/x", "bdb_not_found"),
                       ("/v1/bdbs/9/shards", "bdb_not_found"), ("/v1/bdbs/9/availability", "bdb_not_found"),
                       ("/v1/nodes/9", "node_not_found"), ("/v1/shards/99", "shard_not_found"),
                       ("/v1/modules/nope", "module_not_found"), ("/v1/actions/nope", "action_not_found"),
                       ("/v1/actions/bdb/9", "bdb_not_found"), ("/v1/users/99", "user_not_found")]:
        body = get(served, path, 404)
        assert body["error_code"] == code and body["message"], path


def test_availability_503_while_a_master_is_down() -> None:
    """Node 1 (master) crashes at 5: its slots have no serving master until the failover (detected
    at 8, 2 s) ends at 10 → 503 with error_code and description; 200 {} after."""
    with serve() as s:
        s.advance(to=5)
        assert s.client.post("/sim/nodes/1/crash").json() == {"t": 5.0}
        s.advance(to=9)
        answer = s.client.get("/v1/bdbs/1/availability")
        assert answer.status_code == 503
        assert answer.json()["error_code"] == "bdb_unavailable" and "0-16383" in answer.json()["description"]
        s.advance(to=10)
        assert s.client.get("/v1/bdbs/1/availability").json() == {}
        shard = s.client.get("/v1/shards/1").json()
        assert (shard["role"], shard["status"], shard["detailed_status"]) == ("slave", "inactive", "down")
        assert s.client.get("/v1/nodes/1").json()["status"] == "down"


def test_a_read_serialises_the_live_state_once_per_instant(served: Served) -> None:
    """Two reads at one instant give the same bytes from the cache; an event in between (a new
    request, answered at the same simulated time) is seen at once."""
    first = served.client.get("/v1/bdbs/1").content
    assert served.client.get("/v1/bdbs/1").content == first
    assert served.twin._cache  # noqa: SLF001 - the cache holds this instant's bodies
    assert served.upgrade().status_code == 409   # db_busy: recorded as an event at t=20
    assert served.client.get("/v1/bdbs/1").content == first  # a rejection changes no object…
    assert len(served.client.get("/sim/events", params={"since": 0}).text.splitlines()) == \
        len(served.twin.session.lines)                           # …but the log grew, and is served


def test_a_crash_at_the_instant_of_a_cached_read_is_seen_by_the_next_read() -> None:
    """The read cache is per instant *and* per event: a node crashed at the same simulated time as
    a read is down in the next read."""
    with serve() as served:
        before = {n["uid"]: n["status"] for n in get(served, "/v1/nodes")}
        assert served.client.post("/sim/nodes/1/crash").status_code == 200
        after = {n["uid"]: n["status"] for n in get(served, "/v1/nodes")}
    assert before[1] == "active" and after[1] != "active" and after[2] == before[2]
