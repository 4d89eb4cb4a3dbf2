"""The model's side of `--verify`: the same cases as the real servers, as scenario documents
run through the public API (`scenario_from_data`, `run_scenario`) with the calibrated profile.

The database is the real pair: one replicated shard without persistence, its dataset the
bytes and keys the real master held, its workload the writer's rate. Three nodes, so that
losing one leaves a quorum (as the real pair, which has no quorum to lose).
"""
from __future__ import annotations

from typing import Any

from sim.run import run_scenario
from sim.scenario import scenario_from_data

__all__ = ["upgrade_document", "crash_document", "simulate"]

_OLD, _NEW = "5d2c0e51f7a340c0a1c9b1b6e8c2f111", "aa3648d79bd4082d414587c42ea0b234"
_CAPABILITIES = ["types", "failover_migrate", "persistence_aof", "clustering", "eviction_expiry"]
#: When the simulated request or crash happens (seconds into the window).
START_S = 10.0


def _document(name: str, timing: dict[str, float], dataset_bytes: int, keys: int, write_rate: int,
              timeline: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "description": "built by upgrade-sim calibrate --verify: the real pair's case, with the calibrated profile",
        "seed": 1,
        "cluster": {
            "version": "7.4.2-54",
            "nodes": [{"uid": 1}, {"uid": 2}, {"uid": 3}],
            "modules": [{"uid": uid, "module_name": "ReJSON", "semantic_version": version,
                         "capabilities": _CAPABILITIES} for uid, version in ((_OLD, "2.2.1"), (_NEW, "2.2.2"))],
        },
        "databases": [{"uid": 1, "name": "verify", "redis_version": "7.2", "shards_count": 1, "replication": True,
                       "dataset": {"bytes": dataset_bytes, "keys": keys},
                       "workload": {"reads_per_sec": 0, "writes_per_sec": write_rate},
                       "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}]}],
        "timing": dict(timing),
        "timeline": timeline,
    }


def upgrade_document(timing: dict[str, float], dataset_bytes: int, keys: int, write_rate: int) -> dict[str, Any]:
    """A module upgrade of the pair with `preserve_roles` (what the real rolling upgrade does)."""
    request = {"method": "POST", "path": "/v1/bdbs/1/modules/upgrade",
               "body": {"modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1",
                                     "new_module": _NEW}], "preserve_roles": True}}
    return _document("calibrate-verify-upgrade", timing, dataset_bytes, keys, write_rate,
                     [{"at": START_S, "request": request}])


def crash_document(timing: dict[str, float], dataset_bytes: int, keys: int, write_rate: int) -> dict[str, Any]:
    """The master's node crashes; the replica is promoted by an unplanned failover."""
    return _document("calibrate-verify-crash", timing, dataset_bytes, keys, write_rate,
                     [{"at": START_S, "node_crash": 1}])


def simulate(document: dict[str, Any]) -> dict[str, Any]:
    """Run a document; the database's figures from the summary (SPEC §7)."""
    result = run_scenario(scenario_from_data(document), out=None, plots=False, check_invariants=True)
    figures: dict[str, Any] = result.summary["databases"]["1"]
    return figures
