"""The pure domain: cluster, nodes, modules, databases, shards, placement, capabilities.

No clock, no randomness, no I/O: every rule here is tested with tables of cases.
"""
from __future__ import annotations

from sim.model.build import HASH_SLOTS, build_state, module_entry, resolve_module_ref, split_evenly
from sim.model.files import file_point, holds_file, live_point
from sim.model.capabilities import CAPABILITIES, missing_capabilities, required_capabilities
from sim.model.config import (
    ClusterSpec, Dataset, DatabaseSpec, ModuleRef, ModuleSpec, NodeSpec, PolicySpec, SnapshotRule,
    PinnedShard, UserSpec, Workload,
)
from sim.model.placement import NodeLoad, eligible_replica_nodes, place_database
from sim.model.sizes import parse_size
from sim.model.snapshot import from_snapshot, to_snapshot
from sim.model.state import (
    MASTER, SLAVE, ActionState, ActionStatus, BdbState, ClusterState, FailoverRun, NodeState, NodeStatus, PairState,
    Recovery, Role, ShardState, ShardStatus, SyncStatus,
)
from sim.model.timing import DetectionDelays, Timing
from sim.model.topology import has_quorum, topology_graph
from sim.model.users import EDIT_BDB_MODULE, ROLES, role_has_permission
from sim.model.versions import Version, is_version, parse_version

__all__ = [
    "HASH_SLOTS", "build_state", "module_entry", "resolve_module_ref", "split_evenly",
    "file_point", "holds_file", "live_point",
    "CAPABILITIES", "missing_capabilities", "required_capabilities",
    "ClusterSpec", "Dataset", "DatabaseSpec", "ModuleRef", "ModuleSpec", "NodeSpec", "PolicySpec",
    "SnapshotRule", "UserSpec", "Workload", "PinnedShard",
    "NodeLoad", "eligible_replica_nodes", "place_database", "parse_size", "from_snapshot", "to_snapshot",
    "MASTER", "SLAVE", "ActionState", "ActionStatus", "BdbState", "ClusterState", "FailoverRun", "NodeState",
    "NodeStatus", "PairState", "Recovery", "Role", "ShardState", "ShardStatus", "SyncStatus",
    "DetectionDelays", "Timing", "has_quorum", "topology_graph",
    "EDIT_BDB_MODULE", "ROLES", "role_has_permission", "Version", "is_version", "parse_version",
]
