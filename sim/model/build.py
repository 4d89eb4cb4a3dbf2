"""Build the initial cluster state from its configuration: placement, slots, data split."""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

from sim.errors import InputError, PlacementError
from sim.model.config import ClusterSpec, DatabaseSpec, ModuleRef, ModuleSpec
from sim.model.files import initial_file
from sim.model.pinned import HASH_SLOTS, PairLayout, pinned_layout
from sim.model.placement import NodeLoad, place_database
from sim.model.state import MASTER, SLAVE, BdbState, ClusterState, NodeState, NodeStatus, PairState, ShardState
from sim.model.versions import Version

__all__ = ["build_state", "split_evenly", "resolve_module_ref", "HASH_SLOTS", "module_entry"]


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
    """Place every database (pinned ones as given, the others in uid order) and return the
    state at t = 0.

    Raises InputError (with the key path in `loc`) for duplicate uids, a module that is
    not uploaded, a pinned placement that breaks a rule, or a placement that is impossible.
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
        name=cluster.name, version=cluster.version, rack_aware=cluster.rack_aware,
        redis_versions=tuple(cluster.redis_versions), policy=cluster.policy,
        nodes={n.uid: NodeState(n.uid, n.rack_id, NodeStatus.ACTIVE, n.quorum_only, n.max_redis_servers)
               for n in sorted(cluster.nodes, key=lambda n: n.uid)},
        modules={m.uid: m for m in cluster.modules},
        users={u.name: u for u in cluster.users},
    )
    state.shards_by_node = {uid: {} for uid in state.nodes}
    load = NodeLoad()
    order = sorted(range(len(databases)), key=lambda i: databases[i].uid)
    layouts: dict[int, list[PairLayout]] = {}
    for i in order:  # pinned layouts first: they take their nodes and uids before anything is placed
        if databases[i].shards is not None:
            layouts[i] = pinned_layout(databases[i], cluster, load, ("databases", i, "shards"))
    taken = {uid for layout in layouts.values() for pair in layout for uid in pair.uids}
    next_uid = 1
    for i in order:
        db = databases[i]
        entries = _resolve_module_list(db, cluster.modules, ("databases", i, "module_list"))
        if i not in layouts:
            try:
                placement = place_database(db, cluster.nodes, load, cluster.rack_aware)
            except PlacementError as err:
                raise PlacementError(str(err), ("databases", i)) from None
            layouts[i], next_uid = _even_layout(placement, next_uid, taken)
        bdb = BdbState(config=db, module_list=entries, redis_version=db.redis_version)
        _add_pairs(state, bdb, layouts[i], {e["module_name"]: e["module_id"] for e in entries})
        state.bdbs[db.uid] = bdb
    return state


def _even_layout(placement: list[tuple[int, int | None]], next_uid: int,
                 taken: set[int]) -> tuple[list[PairLayout], int]:
    """Uids (the next ones not pinned elsewhere) and an even slot split for placed pairs."""
    slots = split_evenly(HASH_SLOTS, len(placement))
    layout, start = [], 0
    for count, (master, replica) in zip(slots, placement):
        nodes = (master,) if replica is None else (master, replica)
        uids = []
        for _ in nodes:
            while next_uid in taken:
                next_uid += 1
            uids.append(next_uid)
            next_uid += 1
        layout.append(PairLayout(tuple(uids), nodes, f"{start}-{start + count - 1}", count))
        start += count
    return layout, next_uid


def _add_pairs(state: ClusterState, bdb: BdbState, layout: list[PairLayout], modules: dict[str, str]) -> None:
    db = bdb.config
    n = len(layout)
    keys, bytes_ = split_evenly(db.dataset.keys, n), split_evenly(db.dataset.bytes, n)
    reads, writes = split_evenly(db.workload.reads_per_sec, n), split_evenly(db.workload.writes_per_sec, n)
    for index, pair in enumerate(layout):
        bdb.pairs.append(PairState(db.uid, index, pair.slots_text, pair.slots, keys[index], bytes_[index],
                                   reads[index], writes[index], pair.uids))
        for uid, node, role in zip(pair.uids, pair.nodes, (MASTER, SLAVE)):
            file, live = initial_file(db, role)
            state.shards[uid] = ShardState(uid, db.uid, index, node, role, keys=keys[index], bytes=bytes_[index],
                                           modules=dict(modules), redis_version=db.redis_version, file=file,
                                           file_live=live)
            state.shards_by_node[node][uid] = None


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
