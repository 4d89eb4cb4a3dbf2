"""The database object (SPEC §11 shape) against a body captured from a real Redis Software 8.0
cluster (tests/api/data/real-cluster-8.0, with its attribution), and the database upgrade's 200."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.api import Accepted, ApiRequest, bdb_resource, success_body, validate
from sim.model import build_state
from tests.factories import REJSON_221, REJSON_222, cluster, database, state_of

REAL_BDB: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "real-cluster-8.0" / "bdb_single.json").read_text())

#: The fields SPEC §11 lists for a bdb.
SHAPE = {"uid", "name", "type", "status", "redis_version", "version", "module_list", "shards_count", "shard_list",
         "replication", "data_persistence", "aof_policy", "snapshot_policy", "master_persistence", "sharding",
         "shards_placement", "rack_aware", "eviction_policy", "slave_ha", "action_uid", "memory_size",
         # beyond SPEC §11's list: the configuration fields the capabilities mapping reads (SPEC §4)
         "crdt", "bigstore", "replica_sources", "data_internode_encryption", "shard_key_regex", "max_aof_load_time"}


def sharded_object(**extra: Any) -> dict[str, Any]:
    """The object of a replicated 2-shard AOF database of 3 GB on ReJSON 2.2.1, after an action ran."""
    state = state_of([database(replication=True, shards_count=2, data_persistence="aof",
                               dataset={"bytes": "3GB", "keys": 10}, **extra)])
    state.bdbs[1].action_uid = "0b1c"
    return bdb_resource(state, state.bdbs[1])


def test_field_names_and_types_are_the_real_8_0_bodys() -> None:
    """Every field we send exists in the real body with the same JSON type (bool is not int);
    module_list entries have the real entry's keys and types; shard_list holds ints."""
    ours = sharded_object()
    assert set(ours) == SHAPE
    for key, value in ours.items():
        if key == "action_uid":  # absent from a database that never ran an action; a string (vendor docs)
            assert isinstance(value, str)
            continue
        assert key in REAL_BDB, key
        assert type(value) is type(REAL_BDB[key]), (key, value, REAL_BDB[key])
    real_entry = REAL_BDB["module_list"][0]
    for entry in ours["module_list"]:
        assert set(entry) == set(real_entry)
        assert all(type(entry[k]) is type(real_entry[k]) for k in entry)
    assert all(type(uid) is int for uid in ours["shard_list"]) and all(type(u) is int for u in REAL_BDB["shard_list"])
    assert all(set(rule) == {"secs", "writes"} and all(type(v) is int for v in rule.values())
               for rule in ours["snapshot_policy"])


def test_values_come_from_the_state() -> None:
    """uid, shards, sharding, memory_size (the dataset's bytes), version (major.minor.0) and the
    module entry as loaded; no action_uid before any action."""
    ours = sharded_object(rack_aware=False, eviction_policy="noeviction")
    assert (ours["uid"], ours["name"], ours["type"], ours["status"]) == (1, "orders", "redis", "active")
    assert (ours["shards_count"], ours["shard_list"], ours["sharding"]) == (2, [1, 2, 3, 4], True)
    assert (ours["redis_version"], ours["version"], ours["memory_size"]) == ("7.2", "7.2.0", 3_000_000_000)
    assert (ours["data_persistence"], ours["eviction_policy"], ours["slave_ha"]) == ("aof", "noeviction", True)
    assert ours["module_list"] == [{"module_id": REJSON_221, "module_name": "ReJSON", "semantic_version": "2.2.1",
                                    "module_args": ""}]
    state = state_of([database(redis_version="7.10")])
    plain = bdb_resource(state, state.bdbs[1])
    assert "action_uid" not in plain and plain["version"] == "7.10.0" and plain["sharding"] is False


def test_the_database_upgrade_answers_the_database_object_with_its_action() -> None:
    """The 200 body: the object as the action is registered — active-change-pending, the new
    action_uid; redis_version and module_list still the current ones (they change at completion)."""
    spec = cluster(3, modules=[{"uid": REJSON_221, "module_name": "ReJSON", "semantic_version": "2.2.1"},
                               {"uid": REJSON_222, "module_name": "ReJSON", "semantic_version": "2.2.2",
                                "capabilities": ["failover_migrate", "eviction_expiry"]}])
    state = build_state(spec, [database(replication=True)])
    accepted = validate(ApiRequest("POST", "/v1/bdbs/1/upgrade", {"redis_version": "7.4"}), state)
    assert isinstance(accepted, Accepted)
    body = success_body(accepted, state, "act-9")
    assert body == {**bdb_resource(state, state.bdbs[1]), "status": "active-change-pending", "action_uid": "act-9"}
    assert body["redis_version"] == "7.2" and body["module_list"][0]["semantic_version"] == "2.2.1"
    assert set(body) == SHAPE
