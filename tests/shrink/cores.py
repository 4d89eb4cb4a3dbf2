"""Scenarios with a known minimal core hidden among noise: a crash of the node holding database 1's
master while its replica full-syncs for the upgrade (SPEC §5's window of vulnerability), among
other databases, nodes, requests, explicit noise faults and random faults.

The noise never touches database 1: its shards are pinned on nodes 7 (master) and 13 (replica),
and the noise faults (explicit and random) fall only on nodes 15-20, which hold only the noise
databases' shards. So the only way database 1 fails is the core.
"""
from __future__ import annotations

import copy
from typing import Any

from tests.kit import GB, NEW, scenario_data, upgrade

MASTER_NODE, REPLICA_NODE = 7, 13
NOISE_NODES = [15, 16, 17, 18, 19, 20]


def _noise_db(uid: int, first: int) -> dict[str, Any]:
    """A replicated noise database with two pairs pinned on noise nodes (first.. first+3)."""
    nodes = [NOISE_NODES[(first + i) % len(NOISE_NODES)] for i in range(4)]
    shards = [{"uid": 10 * uid + 1, "node": nodes[0], "role": "master", "slots": "0-8191"},
              {"uid": 10 * uid + 2, "node": nodes[1], "role": "slave", "slots": "0-8191"},
              {"uid": 10 * uid + 3, "node": nodes[2], "role": "master", "slots": "8192-16383"},
              {"uid": 10 * uid + 4, "node": nodes[3], "role": "slave", "slots": "8192-16383"}]
    return {"uid": uid, "name": f"noise{uid}", "replication": True, "data_persistence": "aof",
            "shards_count": 2, "shards": shards, "dataset": {"bytes": GB // 2, "keys": 500_000},
            "workload": {"reads_per_sec": 300, "writes_per_sec": 700},
            "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}]}


def hidden_core(persistence: str = "aof", recover: bool = True) -> dict[str, Any]:
    """20 nodes, 5 databases, random faults on nodes 15-20, noise steps, and the core.

    Database 1 (replicated, `persistence`, 1 GB, 1,000 writes/s) is upgraded at t=10: its
    replica stops at 10, restarts 10-15 and full-syncs 15-25 (SPEC §5's worked example); node 7
    (its master) crashes at 20 and, with `recover`, returns at 80.
    """
    db1 = {"uid": 1, "name": "orders", "replication": True, "data_persistence": persistence,
           "shards": [{"uid": 1, "node": MASTER_NODE, "role": "master", "slots": "0-16383"},
                      {"uid": 2, "node": REPLICA_NODE, "role": "slave", "slots": "0-16383"}],
           "dataset": {"bytes": GB, "keys": 1_000_000}, "workload": {"reads_per_sec": 500, "writes_per_sec": 1000},
           "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}]}
    noise_requests = [_upgrade(uid, at) for uid, at in ((2, 5), (3, 30), (4, 45.5), (5, 61))]
    noise_faults = [{"at": 33.25, "node_crash": 16}, {"at": 95, "node_recover": 16},
                    {"at": 120, "node_crash": 19}, {"at": 150.75, "node_recover": 19}]
    core = [upgrade(10), {"at": 20, "node_crash": MASTER_NODE}]
    if recover:
        core.append({"at": 80, "node_recover": MASTER_NODE})
    timeline = sorted(noise_requests + noise_faults + core, key=lambda step: step["at"])
    data = scenario_data(db1, timeline, nodes=20, policy={"slave_ha_grace_period": 300}, duration=400, seed=5)
    data["databases"] += [_noise_db(uid, uid) for uid in range(2, 6)]
    data["faults"] = {"random": {"mtbf_s": 500, "mttr_s": 40, "nodes": NOISE_NODES}}
    data["timing"] = {"replication_lag_s": 0.1, "shard_restart_s": 5}
    data["expect"] = {"responses": [{"status": 200}] * 5,
                      "databases": {uid: {"availability_min": 0.5} for uid in range(1, 6)}}
    return data


def _upgrade(uid: int, at: float) -> dict[str, Any]:
    step = copy.deepcopy(upgrade(at))
    step["request"]["path"] = f"/v1/bdbs/{uid}/modules/upgrade"
    step["request"]["body"]["preserve_roles"] = True
    return step


__all__ = ["hidden_core", "MASTER_NODE", "REPLICA_NODE", "NOISE_NODES", "NEW"]
