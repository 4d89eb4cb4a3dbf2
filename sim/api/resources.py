"""The vendor's object shapes (REST GET bodies) built from the live state: cluster, node,
shard, module, bdb, action, user, and the availability answer (SPEC §11).

Pure: each function reads the state and returns plain JSON data with the vendor's field names
and types, as a real Redis Software 8.0 cluster sends them and the vendor's client decodes them
(`tests/twin/data/real-cluster-8.0/`): uids are integers except a shard's `uid` and `node_uid`
(strings); `shard_list` holds integers; sizes are integers; `progress` is a float. Made-up
values a real cluster has but the simulation does not (addresses, memory) are marked [OURS].
"""
from __future__ import annotations

from typing import Any

from sim.model.capabilities import DEFAULT_SHARD_KEY_REGEX
from sim.model.config import ModuleSpec, UserSpec
from sim.model.files import load_seconds
from sim.model.state import (
    MASTER, ActionState, ActionStatus, BdbState, ClusterState, NodeState, NodeStatus, ShardState, ShardStatus,
)

__all__ = [
    "cluster_resource", "node_resource", "shard_resource", "module_resource", "bdb_resource", "action_resource",
    "actions_resource", "user_resources", "availability", "NODE_TOTAL_MEMORY", "policy_resource", "full_redis_version",
]

#: `total_memory` of every node [OURS: the simulation does not model memory]: 64 GiB.
NODE_TOTAL_MEMORY = 64 * 2**30

#: The vendor's default hashing policy of a sharded database (its `shard_key_regex`).
_DEFAULT_SHARD_KEY_REGEX = tuple({"regex": regex} for regex in DEFAULT_SHARD_KEY_REGEX)


def _int_if_whole(value: float) -> int | float:
    """A whole number as an int: the vendor sends seconds and sizes as integers."""
    return int(value) if float(value).is_integer() else value


def _replica_ha(state: ClusterState) -> dict[str, Any]:
    """The replica-HA fields, which the cluster object and its policy both carry."""
    policy = state.policy
    return {"slave_ha": policy.slave_ha, "slave_ha_grace_period": _int_if_whole(policy.slave_ha_grace_period),
            "slave_ha_cooldown_period": _int_if_whole(policy.slave_ha_cooldown_period),
            "slave_ha_bdb_cooldown_period": _int_if_whole(policy.slave_ha_bdb_cooldown_period)}


def cluster_resource(state: ClusterState) -> dict[str, Any]:
    """`GET /v1/cluster`: the cluster's name and the replica-HA policy it runs."""
    return {"name": state.name, "rack_aware": state.rack_aware, **_replica_ha(state)}


def policy_resource(state: ClusterState) -> dict[str, Any]:
    """`GET /v1/cluster/policy`: the policy fields SPEC §1 models, by the vendor's names
    (`parallel_shards_upgrade` 0 means all; `quorum_loss` is ours and not served)."""
    policy = state.policy
    return {"rack_aware": state.rack_aware, "parallel_shards_upgrade": policy.parallel_shards_upgrade,
            "failure_detection_sensitivity": policy.failure_detection_sensitivity,
            "max_slave_full_syncs": policy.max_slave_full_syncs, "max_redis_forks": policy.max_redis_forks,
            **_replica_ha(state)}


def node_resource(state: ClusterState, node: NodeState) -> dict[str, Any]:
    """`GET /v1/nodes/{uid}`: status, rack, the shards it holds, the software it runs."""
    shards = sorted(state.shards_by_node.get(node.uid, ()))
    uid = node.uid
    return {
        "uid": uid, "status": str(node.status), "rack_id": node.rack_id or "",
        "addr": f"10.{(uid >> 16) & 255}.{(uid >> 8) & 255}.{uid & 255}",  # [OURS] made up
        "accept_servers": not node.quorum_only, "max_redis_servers": node.max_redis_servers,
        "shard_count": len(shards), "shard_list": shards, "software_version": state.version,
        "total_memory": NODE_TOTAL_MEMORY,
        "supported_database_versions": [{"db_type": "redis", "major": True, "redis_version": version}
                                        for version in state.redis_versions],
    }


def _status(state: ClusterState, shard: ShardState) -> tuple[str, str]:
    """A shard's vendor `status` and `detailed_status` [OURS mapping of our process states]."""
    if state.nodes[shard.node_uid].status == NodeStatus.DOWN or shard.status == ShardStatus.DOWN:
        return "inactive", "down"
    if shard.status == ShardStatus.OK:
        return "active", "busy" if shard.paused else "ok"
    if shard.status == ShardStatus.LOADING:
        return "active", "loading"
    if shard.status == ShardStatus.FAILED:  # an AOF reload that ran past max_aof_load_time
        return "inactive", "timeout"
    return "inactive", "down"  # restarting: the process does not answer yet


def _loading(state: ClusterState, shard: ShardState, now: float) -> dict[str, Any]:
    """`loading`: idle, or in progress with the share of the file loaded (from the load's end
    and its length, shard bytes ÷ the load rate, as the engine computed it)."""
    if shard.status != ShardStatus.LOADING or shard.until is None:
        return {"status": "idle"}
    seconds = load_seconds(state.bdbs[shard.bdb_uid].config, state.timing, shard.bytes)
    done = 1.0 if seconds <= 0 else max(0.0, min(1.0, 1 - (shard.until - now) / seconds))
    return {"status": "in_progress", "progress": round(100 * done, 2)}


def shard_resource(state: ClusterState, shard: ShardState, now: float) -> dict[str, Any]:
    """`GET /v1/shards/{uid}`: where it runs, its role and state, its slots; `module_list` and
    `redis_version` (what this process runs, so a rolling upgrade can be followed) are ours."""
    status, detailed = _status(state, shard)
    body: dict[str, Any] = {
        "uid": str(shard.uid), "bdb_uid": shard.bdb_uid, "node_uid": str(shard.node_uid), "role": shard.role,
        "status": status, "detailed_status": detailed, "assigned_slots": state.pair_of(shard).assigned_slots,
        "loading": _loading(state, shard, now), "redis_info": {},
    }
    if shard.role != MASTER:
        body["sync"] = {"status": str(shard.sync)}
    modules = state.modules
    body["module_list"] = [{"module_id": uid, "module_name": name, "semantic_version": modules[uid].semantic_version}
                           for name, uid in sorted(shard.modules.items()) if uid in modules]
    body["redis_version"] = shard.redis_version
    return body


def module_resource(module: ModuleSpec) -> dict[str, Any]:
    """`GET /v1/modules/{uid}`: an uploaded module version."""
    return {
        "uid": module.uid, "module_name": module.module_name, "display_name": module.module_name,
        "semantic_version": module.semantic_version, "version": module.version,
        "capabilities": list(module.capabilities), "min_redis_version": module.min_redis_version,
        "min_redis_pack_version": module.min_redis_pack_version,
        "compatible_redis_version": module.compatible_redis_version or "",
    }


def bdb_resource(state: ClusterState, bdb: BdbState) -> dict[str, Any]:
    """`GET /v1/bdbs/{uid}`: the database's configuration, status, modules, shards and action."""
    config = bdb.config
    sharding = config.sharding if config.sharding is not None else config.shards_count > 1
    regex = [{"regex": r} for r in config.shard_key_regex] if config.shard_key_regex is not None else \
        list(_DEFAULT_SHARD_KEY_REGEX) if sharding else []
    body: dict[str, Any] = {
        "uid": bdb.uid, "name": bdb.name, "type": "redis", "status": bdb.status,
        "redis_version": str(bdb.redis_version), "version": full_redis_version(bdb.redis_version),
        "module_list": [dict(entry) for entry in bdb.module_list],
        "shards_count": config.shards_count,
        "shard_list": sorted(uid for pair in bdb.pairs for uid in pair.shards),
        "replication": config.replication, "data_persistence": config.data_persistence,
        "aof_policy": config.aof_policy,
        "snapshot_policy": [{"secs": rule.secs, "writes": rule.writes} for rule in config.snapshot_policy],
        "master_persistence": config.master_persistence, "sharding": sharding,
        "shards_placement": config.shards_placement, "rack_aware": config.rack_aware,
        "eviction_policy": config.eviction_policy, "slave_ha": state.policy.slave_ha,
        "crdt": config.crdt, "bigstore": config.bigstore,
        "replica_sources": [{"uri": uri} for uri in config.replica_sources],
        "data_internode_encryption": config.data_internode_encryption, "shard_key_regex": regex,
        "max_aof_load_time": _int_if_whole(config.max_aof_load_time),
        "memory_size": int(config.dataset.bytes),  # [OURS] the dataset's size stands for the memory limit
    }
    if bdb.action_uid is not None:  # a database that never ran an action has none (as in the real body)
        body["action_uid"] = bdb.action_uid
    return body


def full_redis_version(redis_version: str) -> str:
    """The bdb's `version` (the full Redis version, `8.0.0` for `redis_version` 8.0 in the real
    body): major.minor padded with a 0 patch level [OURS: patch levels are not modelled]."""
    parts = str(redis_version).split("-")[0].split(".")
    return ".".join(parts + ["0"] * (3 - len(parts)))


def action_resource(action: ActionState) -> dict[str, Any]:
    """`GET /v1/actions/{uid}`: a state machine's status, vendor state and progress; `error`
    says why a failed action failed."""
    body: dict[str, Any] = {
        "action_uid": action.uid, "name": action.name, "object_name": f"bdb:{action.bdb_uid}",
        "status": str(action.status), "state": action.state, "progress": float(action.progress), "pending_ops": {},
    }
    if action.status == ActionStatus.FAILED:
        body["error"] = action.reason or "failed"
    return body


def actions_resource(state: ClusterState) -> dict[str, Any]:
    """`GET /v1/actions`: no task-style actions here; every state machine, oldest first."""
    return {"actions": [], "state-machines": [action_resource(a) for a in state.actions.values()]}


def user_resources(users: dict[str, UserSpec]) -> list[dict[str, Any]]:
    """`GET /v1/users`: the declared users, numbered from 1 in declaration order [OURS], never
    with their password."""
    return [{"uid": uid, "name": user.name, "email": user.email or "", "role": user.role, "status": "active",
             "auth_method": "regular", "email_alerts": False}
            for uid, user in enumerate(users.values(), start=1)]


def availability(state: ClusterState, bdb: BdbState) -> tuple[int, dict[str, Any]]:
    """`GET /v1/bdbs/{uid}/availability`: 200 `{}` while every slot is served, else 503 with
    `error_code` and `description` (the availability API's own field name) [codes OURS]."""
    if not state.accepts_management():
        return 503, {"error_code": "no_quorum", "description": "the cluster has no quorum, or lost it and "
                                                               "needs a cluster recovery: nothing is served"}
    down = [pair.assigned_slots for pair in bdb.pairs if not state.is_serving(state.master_of(pair))]
    if not down:
        return 200, {}
    return 503, {"error_code": "bdb_unavailable",
                 "description": f"database {bdb.uid}: no serving master for slots {', '.join(down)}"}
