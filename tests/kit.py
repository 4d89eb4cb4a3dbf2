"""Build scenario data compactly and run it, for tests that compute expectations by hand."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from sim.run import RunResult, run_scenario
from sim.scenario import Scenario, scenario_from_data

OLD = "5d2c0e51f7a340c0a1c9b1b6e8c2f111"   # ReJSON 2.2.1
NEW = "aa3648d79bd4082d414587c42ea0b234"   # ReJSON 2.2.2
CAPS = ["types", "failover_migrate", "persistence_aof", "persistence_rdb", "clustering", "eviction_expiry"]
GB = 10**9


def upgrade(at: float = 10, **body: Any) -> dict[str, Any]:
    """A timeline step upgrading database 1 from ReJSON 2.2.1 to 2.2.2 at time `at`."""
    return {"at": at, "request": {"method": "POST", "path": "/v1/bdbs/1/modules/upgrade", "body": {
        "modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1", "new_module": NEW}], **body}}}


def crash(at: float, node: int) -> dict[str, Any]:
    """A timeline step crashing `node` at time `at`."""
    return {"at": at, "node_crash": node}


def recover(at: float, node: int) -> dict[str, Any]:
    """A timeline step bringing `node` back at time `at`."""
    return {"at": at, "node_recover": node}


def scenario_data(db: dict[str, Any] | None = None, timeline: list[dict[str, Any]] | None = None,
                  nodes: int = 3, policy: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """A 3-node cluster with ReJSON 2.2.1 and 2.2.2 uploaded and one database (uid 1) on 2.2.1."""
    database = {"uid": 1, "name": "orders", "redis_version": "7.2", "dataset": {"bytes": GB, "keys": 1_000_000},
                "workload": {"reads_per_sec": 0, "writes_per_sec": 1000},
                "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}]}
    database.update(db or {})
    data: dict[str, Any] = {
        "name": "test", "seed": 7, "duration": 600,
        "cluster": {"version": "7.4.2-54", "policy": policy or {},
                    "nodes": [{"uid": i + 1, "rack_id": f"az{i + 1}"} for i in range(nodes)],
                    "modules": [{"uid": OLD, "module_name": "ReJSON", "semantic_version": "2.2.1", "capabilities": CAPS},
                                {"uid": NEW, "module_name": "ReJSON", "semantic_version": "2.2.2", "capabilities": CAPS}]},
        "databases": [database],
        "timeline": timeline if timeline is not None else [upgrade()],
    }
    data.update(top)
    return data


def run(data: dict[str, Any], out: Path | None = None, seed: int | None = None) -> RunResult:
    """Validate and run scenario data with invariants checked on every event."""
    return run_scenario(scenario_from_data(copy.deepcopy(data)), seed=seed, out=out, plots=False,
                        check_invariants=True)


def db1(result: RunResult) -> dict[str, Any]:
    """The outcome figures of database 1."""
    return result.summary["databases"]["1"]


def events_of(result: RunResult, kind: str) -> list[dict[str, Any]]:
    """The events of one type from a run's log (requires the run to have an `out` folder)."""
    import json

    assert result.out is not None
    lines = (result.out / "events.jsonl").read_text().splitlines()[1:]
    return [e for e in map(json.loads, lines) if e["type"] == kind]


def load(data: dict[str, Any]) -> Scenario:
    """Validate scenario data."""
    return scenario_from_data(copy.deepcopy(data))
