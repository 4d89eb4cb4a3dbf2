"""Build the initial cluster state from its configuration: placement, slots, data split."""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

from sim.errors import InputError, PlacementError
from sim.model.config import ClusterSpec, DatabaseSpec, ModuleRef, ModuleSpec
from sim.model.placement import NodeLoad, place_database
from sim.model.state import BdbState, ClusterState, NodeState, PairState, ShardState
from sim.model.versions import Version

__all__ = ["build_state", "split_evenly", "resolve_module_ref", "HASH_SLOTS", "module_entry"]

#: Hash slots of a Redis cluster, split over a database's masters.
HASH_SLOTS = 16384


def split_evenly(total: int, parts: int) -> list[int]:
    """Split an integer total over `parts`, the remainder going to the first ones."""
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def resolve_module_ref(ref: ModuleRef, modules: Sequence[ModuleSpec]) -> ModuleSpec | None:
    """The uploaded module a `module_list` entry names (names compare case-insensitively)."""
    for module in modules:
        if ref.module_id is not None:
            if module.uid.lower() == ref.module_id.lower():
                return module
        elif (module.module_name.lower() == str(ref.module_name).lower()
              and Version(module.semantic_version) == Version(str(ref.semantic_version))):
            return module
    return None


def module_entry(module: ModuleSpec, module_args: str = "") -> dict[str, str]:
    """A database `module_list` entry for an uploaded module."""
    return {
        "module_id": module.uid,
        "module_name": module.module_name,
        "semantic_version": module.semantic_version,
        "module_args": module_args,
    }


def build_state(cluster: ClusterSpec, databases: Sequence[DatabaseSpec]) -> ClusterState:
    """Place every database (in uid order) and return the state at t = 0.

    Raises InputError (with the key path in `loc`) for duplicate uids, a module that is
    not uploaded, or a placement that is impossible.
    """
    _check_unique([n.uid for n in cluster.nodes], ("cluster", "nodes"), "node uid")
    _check_unique([m.uid.lower() for m in cluster.modules], ("cluster", "modules"), "module uid")
    _check_unique([f"{m.module_name.lower()} {Version(m.semantic_version).parts}" for m in cluster.modules],
                  ("cluster", "modules"), "uploaded module (name and version)")
    _check_unique([u.name for u in cluster.users], ("cluster", "users"), "user name")
    _check_unique([d.uid for d in databases], ("databases",), "database uid")
    if cluster.rack_aware:
        for i, node in enumerate(cluster.nodes):
            if node.rack_id is None:
                raise InputError(f"the cluster is rack_aware but node {node.uid} has no rack_id",
                                 ("cluster", "nodes", i, "rack_id"))
    state = ClusterState(
        name=cluster.name, version=cluster.version, rack_aware=cluster.rack_aware, policy=cluster.policy,
        nodes={n.uid: NodeState(n.uid, n.rack_id, "active", n.quorum_only, n.max_redis_servers)
               for n in sorted(cluster.nodes, key=lambda n: n.uid)},
        modules={m.uid: m for m in cluster.modules},
        users={u.name: u for u in cluster.users},
    )
    state.shards_by_node = {uid: {} for uid in state.nodes}
    load = NodeLoad()
    next_uid = 1
    order = sorted(range(len(databases)), key=lambda i: databases[i].uid)
    for i in order:
        db = databases[i]
        entries = _resolve_module_list(db, cluster.modules, ("databases", i, "module_list"))
        try:
            placement = place_database(db, cluster.nodes, load, cluster.rack_aware)
        except PlacementError as err:
            raise PlacementError(str(err), ("databases", i)) from None
        bdb = BdbState(config=db, module_list=entries)
        modules = {e["module_name"]: e["module_id"] for e in entries}
        next_uid = _add_pairs(state, bdb, placement, modules, next_uid)
        state.bdbs[db.uid] = bdb
    return state


def _add_pairs(state: ClusterState, bdb: BdbState, placement: list[tuple[int, int | None]],
               modules: dict[str, str], next_uid: int) -> int:
    db = bdb.config
    n = len(placement)
    slots = split_evenly(HASH_SLOTS, n)
    keys, bytes_ = split_evenly(db.dataset.keys, n), split_evenly(db.dataset.bytes, n)
    reads, writes = split_evenly(db.workload.reads_per_sec, n), split_evenly(db.workload.writes_per_sec, n)
    start = 0
    for index, (master_node, replica_node) in enumerate(placement):
        uids = (next_uid,) if replica_node is None else (next_uid, next_uid + 1)
        next_uid += len(uids)
        bdb.pairs.append(PairState(db.uid, index, start, start + slots[index] - 1, keys[index], bytes_[index],
                                   reads[index], writes[index], uids))
        start += slots[index]
        for uid, node, role in zip(uids, (master_node, replica_node), ("master", "slave")):
            assert node is not None
            state.shards[uid] = ShardState(uid, db.uid, index, node, role, keys=keys[index],
                                           bytes=bytes_[index], modules=dict(modules))
            state.shards_by_node[node][uid] = None
    return next_uid


def _resolve_module_list(db: DatabaseSpec, modules: Sequence[ModuleSpec],
                         loc: tuple[str | int, ...]) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    for j, ref in enumerate(db.module_list):
        module = resolve_module_ref(ref, modules)
        if module is None:
            named = ref.module_id or f"{ref.module_name} {ref.semantic_version}"
            raise InputError(f"database {db.uid} lists module {named}, which is not uploaded to the cluster "
                             "(cluster.modules)", loc + (j,))
        if any(e["module_name"].lower() == module.module_name.lower() for e in entries):
            raise InputError(f"database {db.uid} lists module {module.module_name} twice", loc + (j,))
        entries.append(module_entry(module, ref.module_args))
    return entries


def _check_unique(values: list[Any], loc: tuple[str | int, ...], what: str) -> None:
    seen: set[Any] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise InputError(f"duplicate {what} {value}", loc + (i,))
        seen.add(value)
