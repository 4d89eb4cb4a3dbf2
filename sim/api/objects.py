"""The vendor's object shapes, built from the state: the one place that shapes a database (bdb).

Field names and JSON types follow Redis Software 8.0's own bodies (checked in the tests against
one captured from a real cluster) and its Python client: `uid` an int, `shard_list` ints,
`redis_version` always a string, `memory_size` an int.
"""
from __future__ import annotations

from typing import Any

from sim.model.state import BdbState, ClusterState

__all__ = ["bdb_object"]


def bdb_object(state: ClusterState, bdb: BdbState) -> dict[str, Any]:
    """The database as `GET /v1/bdbs/{uid}` shows it (SPEC §11 shape). `action_uid` is present
    once an action ran (the real body of a database that never ran one has none)."""
    config = bdb.config
    body: dict[str, Any] = {
        "uid": bdb.uid,
        "name": bdb.name,
        "type": "redis",
        "status": bdb.status,
        "redis_version": str(bdb.redis_version),
        "version": full_redis_version(bdb.redis_version),
        "module_list": [{"module_id": e["module_id"], "module_name": e["module_name"],
                         "semantic_version": e["semantic_version"], "module_args": e["module_args"]}
                        for e in bdb.module_list],
        "shards_count": config.shards_count,
        "shard_list": sorted(uid for pair in bdb.pairs for uid in pair.shards),
        "replication": config.replication,
        "data_persistence": config.data_persistence,
        "aof_policy": config.aof_policy,
        "snapshot_policy": [{"secs": rule.secs, "writes": rule.writes} for rule in config.snapshot_policy],
        "master_persistence": config.master_persistence,
        "sharding": config.sharding if config.sharding is not None else config.shards_count > 1,
        "shards_placement": config.shards_placement,
        "rack_aware": config.rack_aware,
        "eviction_policy": config.eviction_policy,
        # the database follows the cluster's replica-HA policy (no per-database override modelled)
        "slave_ha": state.policy.slave_ha,
        # our memory limit is the dataset's size: an imported cluster's dataset is read from it
        "memory_size": int(config.dataset.bytes),
    }
    if bdb.action_uid is not None:
        body["action_uid"] = bdb.action_uid
    return body


def full_redis_version(redis_version: str) -> str:
    """The bdb's `version` (the full Redis version, `8.0.0` for `redis_version` 8.0 in the real
    body): major.minor padded with a 0 patch level [OURS: patch levels are not modelled]."""
    parts = str(redis_version).split("-")[0].split(".")
    return ".".join(parts + ["0"] * (3 - len(parts)))
