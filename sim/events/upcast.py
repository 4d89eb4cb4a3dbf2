"""Upcasters: records of older log format versions rewritten as the current version's.

1 → 2: the initial snapshot's shard and pair tables from rows to columns.
2 → 3 (persistence files, the vendor's state names, pinned slots): the snapshot gains the
state's new fields; a persistent replicated database of a version-2 log persisted on every
shard (what that simulator modelled), so it reads as `master_persistence: true`; quorum loss
resumed by itself (`quorum_loss: resume`); `ActionStateChanged.state` was our phase name
(now `phase`, beside the vendor's state); new payload fields get their neutral values.
The columns each old version wrote are frozen here: the current ones may grow.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.model.snapshot import rows_to_columns

__all__ = ["UPCASTERS", "V2_SHARD_COLUMNS", "V2_PAIR_COLUMNS", "V3_SHARD_COLUMNS", "V3_PAIR_COLUMNS"]

#: The shard and pair columns of format versions 1 and 2 (frozen).
V2_SHARD_COLUMNS = ("uid", "bdb_uid", "pair", "node_uid", "role", "status", "sync", "paused", "keys", "bytes",
                    "modules")
V2_PAIR_COLUMNS = ("index", "slot_start", "slot_end", "keys", "bytes", "reads_per_sec", "writes_per_sec", "shards")
#: The shard and pair columns of format version 3, the current one (frozen: a new column needs
#: version 4 and an upcaster from 3).
V3_SHARD_COLUMNS = ("uid", "bdb_uid", "pair", "node_uid", "role", "status", "sync", "paused", "keys", "bytes",
                    "modules", "redis_version", "file", "file_live", "until", "key", "action", "source")
V3_PAIR_COLUMNS = ("index", "assigned_slots", "slots", "keys", "bytes", "reads_per_sec", "writes_per_sec", "shards",
                   "recovery", "down_since", "down_cause", "lost_until", "failover")

#: Our phase names of format version 2 -> the vendor's state name shown since version 3.
_VENDOR_STATE = {"check_slaves": "check_slaves", "prepare": "prepare", "upgrade_replicas": "prepare",
                 "failover": "stop_forwarding", "upgrade_masters": "wait_for_version",
                 "restart_shards": "wait_for_version", "wait_for_version": "wait_for_version",
                 "second_failover": "second_failover"}
#: Payload fields added in version 3, with the value that means "as before".
_ADDED: dict[str, dict[str, Any]] = {
    "ActionStarted": {"redis_version": None, "force_discard": False, "parallel": None, "restart": True},
    "ShardRestartStarted": {"action": None},
    "ShardRestarted": {"redis_version": None},
    "ShardLoadStarted": {"redis_version": None},
}


def _columnar_snapshot(record: dict[str, Any]) -> dict[str, Any]:
    """Version 1 → 2: the initial snapshot's shard and pair tables from rows to columns."""
    if record.get("type") != "SimulationStarted":
        return record
    initial = record["initial"]
    initial = {**initial, "shards": rows_to_columns(initial["shards"], V2_SHARD_COLUMNS),
               "bdbs": [{**b, "pairs": rows_to_columns(b["pairs"], V2_PAIR_COLUMNS)} for b in initial["bdbs"]]}
    return {**record, "initial": initial}


def _files_and_vendor_states(record: dict[str, Any]) -> dict[str, Any]:
    """Version 2 → 3 (see the module docstring)."""
    kind = record.get("type")
    if kind == "SimulationStarted":
        return {**record, "initial": _snapshot_v3(record["initial"])}
    if kind == "ActionStateChanged":
        return {**record, "state": _VENDOR_STATE.get(record["state"], record["state"]), "phase": record["state"]}
    if kind == "WritesLost":
        return {**record, "since": record["t"], "until": record["t"]}
    added = _ADDED.get(str(kind))
    return {**record, **added} if added else record


def _snapshot_v3(initial: dict[str, Any]) -> dict[str, Any]:
    cluster = {**initial["cluster"], "redis_versions": ["6.2", "7.2", "7.4"], "lost": False,
               "ha_cooldown_until": None, "ha_cooldown_node": None,
               "policy": {**initial["cluster"]["policy"], "quorum_loss": "resume"}}
    bdbs, configs = [], {}
    for b in initial["bdbs"]:
        config = dict(b["config"])
        if config.get("replication") and config.get("data_persistence", "disabled") != "disabled":
            config["master_persistence"] = True
        configs[config["uid"]] = config
        pairs = dict(b["pairs"])
        starts, ends = pairs.pop("slot_start"), pairs.pop("slot_end")
        pairs["assigned_slots"] = [f"{s}-{e}" for s, e in zip(starts, ends)]
        pairs["slots"] = [e - s + 1 for s, e in zip(starts, ends)]
        bdbs.append({**b, "config": config, "pairs": pairs, "redis_version": config.get("redis_version", "7.2"),
                     "ha_cooldown_until": None})
    shards = dict(initial["shards"])
    persistent = {uid: c.get("data_persistence", "disabled") != "disabled" for uid, c in configs.items()}
    shards["redis_version"] = [configs[b].get("redis_version", "7.2") for b in shards["bdb_uid"]]
    shards["file"] = [0.0 if persistent[b] else None for b in shards["bdb_uid"]]
    shards["file_live"] = [persistent[b] for b in shards["bdb_uid"]]
    actions = [{**a, "restarted": a.get("restarted", [])} for a in initial.get("actions", [])]
    return {**initial, "cluster": cluster, "bdbs": bdbs, "shards": shards, "actions": actions}


#: Upcasters from an older format version to the next one: `version -> f(record) -> record`
#: (the header is upcast with `type` "header").
UPCASTERS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _columnar_snapshot,
                                                                   2: _files_and_vendor_states}
