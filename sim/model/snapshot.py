"""Whole-state snapshots as plain JSON data, and back (the first event of every log)."""
from __future__ import annotations

from typing import Any

from sim.model.config import DatabaseSpec, ModuleSpec, PolicySpec, UserSpec
from sim.model.state import ActionState, BdbState, ClusterState, NodeState, PairState, ShardState

__all__ = ["to_snapshot", "from_snapshot"]

_PAIR_FIELDS = ("index", "slot_start", "slot_end", "keys", "bytes", "reads_per_sec", "writes_per_sec", "shards")
_ACTION_FIELDS = ("uid", "bdb_uid", "name", "status", "state", "progress", "accepted_at", "modules",
                  "preserve_roles", "may_discard_data", "original_masters", "retry_of", "ended_at", "reason")


def to_snapshot(state: ClusterState) -> dict[str, Any]:
    """The whole state as JSON-compatible data (deterministic key and list order)."""
    return {
        "cluster": {"name": state.name, "version": state.version, "rack_aware": state.rack_aware,
                    "policy": state.policy.model_dump(mode="json"), "quorum": state.quorum},
        "nodes": [{"uid": n.uid, "rack_id": n.rack_id, "status": n.status, "quorum_only": n.quorum_only,
                   "max_redis_servers": n.max_redis_servers} for n in state.nodes.values()],
        "modules": [m.model_dump(mode="json") for m in state.modules.values()],
        "users": [u.model_dump(mode="json") for u in state.users.values()],
        "bdbs": [{"config": b.config.model_dump(mode="json"), "status": b.status,
                  "module_list": b.module_list, "action_uid": b.action_uid,
                  "pairs": [{f: _plain(getattr(p, f)) for f in _PAIR_FIELDS} for p in b.pairs]}
                 for b in state.bdbs.values()],
        # written out field by field: this runs over every shard of the cluster
        "shards": [{"uid": s.uid, "bdb_uid": s.bdb_uid, "pair": s.pair, "node_uid": s.node_uid, "role": s.role,
                    "status": s.status, "sync": s.sync, "paused": s.paused, "keys": s.keys, "bytes": s.bytes,
                    "modules": dict(s.modules)} for s in state.shards.values()],
        "actions": [{f: getattr(a, f) for f in _ACTION_FIELDS} for a in state.actions.values()],
    }


def from_snapshot(data: dict[str, Any]) -> ClusterState:
    """Rebuild a state from `to_snapshot` data."""
    cluster = data["cluster"]
    state = ClusterState(
        name=cluster["name"], version=cluster["version"], rack_aware=cluster["rack_aware"],
        policy=PolicySpec.model_validate(cluster["policy"]), quorum=cluster["quorum"],
        nodes={n["uid"]: NodeState(**n) for n in data["nodes"]},
        modules={m["uid"]: ModuleSpec.model_validate(m) for m in data["modules"]},
        users={u["name"]: UserSpec.model_validate(u) for u in data["users"]},
    )
    for b in data["bdbs"]:
        config = DatabaseSpec.model_validate(b["config"])
        pairs = [PairState(config.uid, **{**p, "shards": tuple(p["shards"])}) for p in b["pairs"]]
        state.bdbs[config.uid] = BdbState(config, b["status"], [dict(e) for e in b["module_list"]],
                                          b["action_uid"], pairs)
    state.shards_by_node = {uid: {} for uid in state.nodes}
    for s in data["shards"]:
        shard = ShardState(**{**s, "modules": dict(s["modules"])})
        state.shards[shard.uid] = shard
        state.shards_by_node[shard.node_uid][shard.uid] = None
    for a in data["actions"]:
        state.actions[a["uid"]] = ActionState(**a)
    return state


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
