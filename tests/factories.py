"""Small builders of clusters, databases and states shared by the tests."""
from __future__ import annotations

from typing import Any

from sim.model import ClusterSpec, DatabaseSpec, build_state
from sim.model.state import ClusterState

REJSON_221 = "5d2c0e51f7a340c0a1c9b1b6e8c2f111"
REJSON_222 = "aa3648d79bd4082d414587c42ea0b234"
REJSON_220 = "0000000000000000000000000000a220"
REJSON_2100 = "00000000000000000000000000002100"
SEARCH_240 = "5eac0000000000000000000000000240"
FULL_CAPS = ["types", "failover_migrate", "persistence_aof", "persistence_rdb", "clustering", "eviction_expiry"]


def module(uid: str, name: str, version: str, caps: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """An uploaded module entry."""
    return {"uid": uid, "module_name": name, "semantic_version": version,
            "capabilities": FULL_CAPS if caps is None else caps, **extra}


DEFAULT_MODULES = [
    module(REJSON_221, "ReJSON", "2.2.1"),
    module(REJSON_222, "ReJSON", "2.2.2"),
    module(REJSON_220, "ReJSON", "2.2.0"),
    module(REJSON_2100, "ReJSON", "2.10.0"),
    module(SEARCH_240, "search", "2.4.0"),
]


def cluster(nodes: int | list[dict[str, Any]] = 3, racks: int | None = None, **extra: Any) -> ClusterSpec:
    """A cluster of `nodes` nodes (rack i % racks) or of the given node entries, the default
    modules, and `extra` fields."""
    if isinstance(nodes, int):
        racks = racks or nodes
        nodes = [{"uid": i + 1, "rack_id": f"az{i % racks + 1}"} for i in range(nodes)]
    spec: dict[str, Any] = {"nodes": nodes, "modules": DEFAULT_MODULES}
    spec.update(extra)
    return ClusterSpec.model_validate(spec)


def database(uid: int = 1, **extra: Any) -> DatabaseSpec:
    """A database running ReJSON 2.2.1 with `extra` fields."""
    spec: dict[str, Any] = {"uid": uid, "name": "orders",
                            "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}]}
    spec.update(extra)
    return DatabaseSpec.model_validate(spec)


def state_of(databases: list[DatabaseSpec] | None = None, **cluster_extra: Any) -> ClusterState:
    """The t = 0 state of a cluster (3 nodes by default) holding `databases`."""
    nodes = cluster_extra.pop("nodes", 3)
    return build_state(cluster(nodes, **cluster_extra), databases if databases is not None else [database()])
