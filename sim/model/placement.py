"""Deterministic shard placement (SPEC §1 "Placement": vendor rules, our algorithm).

Rules: a master and its replica never share a node (nor a rack when the database is
rack-aware); quorum-only nodes hold nothing; no node holds more than its
`max_redis_servers`. `dense` fills nodes in uid order (first fit). `sparse` puts each
shard on the least-loaded eligible node; ties go to the node with the fewest shards of
the same role (so masters spread as evenly as replicas), then to the lowest uid. A pair's
master is placed first; when no node is left for its replica, the next master candidate
is tried.
"""
from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sim.errors import PlacementError
from sim.model.config import DatabaseSpec, NodeSpec
from sim.model.state import MASTER

__all__ = ["NodeLoad", "place_database", "eligible_replica_nodes"]


@dataclass(slots=True)
class NodeLoad:
    """Shards each node already holds, in all and by role; updated as databases are placed."""

    shards: dict[int, int] = field(default_factory=dict)
    masters: dict[int, int] = field(default_factory=dict)
    replicas: dict[int, int] = field(default_factory=dict)
    #: the sparse order (`key`) of the data nodes for each role, once asked for (`orders`), kept
    #: sorted by `add` from then on: not sorted again for every database
    _orders: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict, compare=False, repr=False)
    _ordered: frozenset[int] = field(default=frozenset(), compare=False, repr=False)

    def key(self, uid: int, role: str) -> tuple[int, int, int]:
        """Sparse order of a node for a shard of `role`: (shards, shards of that role, uid)."""
        same = self.masters if role == MASTER else self.replicas
        return self.shards.get(uid, 0), same.get(uid, 0), uid

    def orders(self, uids: Iterable[int]) -> dict[str, list[tuple[int, int, int]]]:
        """The nodes `uids` by `key`, for a master and for a replica (sorted lists, kept up to date)."""
        wanted = frozenset(uids)
        if wanted != self._ordered:
            self._ordered = wanted
            self._orders = {role: sorted(self.key(uid, role) for uid in wanted) for role in ("master", "slave")}
        return self._orders

    def add(self, uid: int, role: str) -> None:
        """Count one more shard of `role` on node `uid`."""
        kept = uid in self._ordered
        if kept:
            for order_role, order in self._orders.items():
                order.remove(self.key(uid, order_role))
        same = self.masters if role == MASTER else self.replicas
        self.shards[uid] = self.shards.get(uid, 0) + 1
        same[uid] = same.get(uid, 0) + 1
        if kept:
            for order_role, order in self._orders.items():
                bisect.insort(order, self.key(uid, order_role))


def place_database(
    db: DatabaseSpec,
    nodes: Sequence[NodeSpec],
    load: NodeLoad,
    cluster_rack_aware: bool,
) -> list[tuple[int, int | None]]:
    """Return `(master_node, replica_node or None)` for each of the database's pairs.

    `load` counts the shards nodes already hold and is updated in place.
    Raises PlacementError naming why the database cannot be placed.
    """
    where = f"database {db.uid}"
    data_nodes = sorted((n for n in nodes if not n.quorum_only), key=lambda n: n.uid)
    _check_feasible(db, data_nodes, cluster_rack_aware, where)
    rack = {n.uid: n.rack_id for n in data_nodes}
    free = {n.uid: n.max_redis_servers - load.shards.get(n.uid, 0) for n in data_nodes}
    sparse = db.shards_placement == "sparse"
    # dense: nodes in uid order; sparse: one order per role, kept sorted as shards are placed
    orders = load.orders(n.uid for n in data_nodes) if sparse else \
        dict.fromkeys(("master", "slave"), [(0, 0, n.uid) for n in data_nodes])

    def candidates(role: str) -> Callable[[], Iterator[int]]:
        return lambda: (uid for _, _, uid in orders[role] if free[uid] > 0)

    placed: list[tuple[int, int | None]] = []
    for index in range(db.shards_count):
        choice = _place_pair(db, candidates("master"), candidates("slave"), rack)
        if choice is None:
            total = sum(max(v, 0) for v in free.values())
            need = (db.shards_count - index) * (2 if db.replication else 1)
            raise PlacementError(
                f"{where}: no room for shard pair {index + 1} of {db.shards_count}: "
                f"{need} more shard(s) needed, {total} free place(s) left under max_redis_servers"
                + (" with master and replica on different racks" if db.rack_aware else
                   " with master and replica on different nodes" if db.replication else "")
            )
        for uid, role in zip(choice, ("master", "slave")):
            if uid is None:
                continue
            free[uid] -= 1
            load.add(uid, role)
        placed.append(choice)
    return placed


def eligible_replica_nodes(
    master_node: int,
    nodes: Iterable[tuple[int, str | None, bool, int]],
    rack_aware: bool,
) -> list[int]:
    """Nodes that may hold a new replica of a master on `master_node`, least loaded first.

    `nodes` yields `(uid, rack_id, can_hold, shards_held)`; used by replica HA.
    """
    racks = {uid: rack for uid, rack, _, _ in nodes}
    candidates = [
        (held, uid) for uid, rack, can_hold, held in nodes
        if can_hold and uid != master_node and not (rack_aware and rack == racks.get(master_node))
    ]
    return [uid for _, uid in sorted(candidates)]


def _check_feasible(db: DatabaseSpec, data_nodes: list[NodeSpec], cluster_rack_aware: bool, where: str) -> None:
    if db.rack_aware and not cluster_rack_aware:
        raise PlacementError(f"{where} is rack_aware but the cluster is not (set cluster.rack_aware: true)")
    if not data_nodes:
        raise PlacementError(f"{where}: every node is quorum_only, none can hold shards")
    if db.replication and len(data_nodes) < 2:
        raise PlacementError(
            f"{where}: replication needs two nodes that can hold shards, the cluster has {len(data_nodes)}"
        )
    if db.rack_aware and db.replication:
        racks = sorted({str(n.rack_id) for n in data_nodes})
        if len(racks) < 2:
            raise PlacementError(
                f"{where} is rack_aware and replicated but every node that can hold shards is in rack {racks[0]}: "
                "a master and its replica must be in different racks"
            )


def _place_pair(
    db: DatabaseSpec,
    masters: Callable[[], Iterator[int]],
    replicas: Callable[[], Iterator[int]],
    rack: dict[int, str | None],
) -> tuple[int, int | None] | None:
    for master in masters():
        if not db.replication:
            return master, None
        for replica in replicas():
            if replica != master and not (db.rack_aware and rack[replica] == rack[master]):
                return master, replica
    return None
