"""Pinned placement (SPEC §9 `shards:`): a database's real layout, checked against the rules.

An imported cluster keeps its shards where they are: each shard is given with its uid,
node, role and slots (the vendor's `assigned_slots` text). A master and the replica with
the same slots form a pair; pairs are numbered by their master's uid (the order data and
workload are split in). The placement rules of SPEC §1 must hold: bad input names the rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.errors import PlacementError
from sim.model.config import ClusterSpec, DatabaseSpec, PinnedShard
from sim.model.placement import NodeLoad
from sim.model.state import MASTER, SLAVE

__all__ = ["HASH_SLOTS", "PairLayout", "pinned_layout", "parse_slots"]

#: Hash slots of a Redis cluster, split over a database's masters.
HASH_SLOTS = 16384


@dataclass(frozen=True, slots=True)
class PairLayout:
    """Where one pair lives: its shard uids and nodes (master first) and its slots."""

    uids: tuple[int, ...]
    nodes: tuple[int, ...]
    slots_text: str
    slots: int


def parse_slots(text: str) -> list[tuple[int, int]]:
    """`"0-99,200"` → `[(0, 99), (200, 200)]`; raises ValueError for a range out of order."""
    ranges = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        start, end = int(first), int(last or first)
        if start > end:
            raise ValueError(f"slot range {part} ends before it starts")
        ranges.append((start, end))
    return ranges


def pinned_layout(db: DatabaseSpec, cluster: ClusterSpec, load: NodeLoad,
                  loc: tuple[str | int, ...]) -> list[PairLayout]:
    """The pairs of a database whose shards are pinned; counts them in `load`.

    Raises PlacementError (with `loc`) naming the broken rule.
    """
    assert db.shards is not None
    nodes = {n.uid: n for n in cluster.nodes}
    where = f"database {db.uid}"
    masters = sorted((s for s in db.shards if s.role == MASTER), key=lambda s: s.uid)
    replicas = [s for s in db.shards if s.role == SLAVE]
    _check_shards(db, nodes, where, loc)
    if len(masters) != db.shards_count:
        raise PlacementError(f"{where} pins {len(masters)} master shard(s) but shards_count is {db.shards_count}",
                             loc)
    by_slots: dict[str, PinnedShard] = {}
    for shard in replicas:
        if not db.replication:
            raise PlacementError(f"{where} has no replication but pins replica shard {shard.uid}", loc)
        if shard.slots in by_slots:
            raise PlacementError(f"{where}: replica shards {by_slots[shard.slots].uid} and {shard.uid} both hold "
                                 f"slots {shard.slots}: a master has one replica", loc)
        by_slots[shard.slots] = shard
    covered = _check_slots(masters, where, loc)
    layout = []
    for master in masters:
        replica = by_slots.pop(master.slots, None)
        if db.replication and replica is None:
            raise PlacementError(f"{where} is replicated but master shard {master.uid} (slots {master.slots}) "
                                 "has no replica with the same slots", loc)
        if replica is not None:
            _check_apart(db, cluster, master, replica, where, loc)
        pinned = (master,) if replica is None else (master, replica)
        layout.append(PairLayout(tuple(s.uid for s in pinned), tuple(s.node for s in pinned), master.slots,
                                 covered[master.uid]))
    if by_slots:
        orphan = next(iter(by_slots.values()))
        raise PlacementError(f"{where}: replica shard {orphan.uid} holds slots {orphan.slots}, which no master "
                             "of the database holds", loc)
    for shard in db.shards:
        load.add(shard.node, shard.role)
        if load.shards[shard.node] > nodes[shard.node].max_redis_servers:
            raise PlacementError(f"{where}: node {shard.node} would hold {load.shards[shard.node]} shards, more "
                                 f"than its max_redis_servers {nodes[shard.node].max_redis_servers}", loc)
    return layout


def _check_shards(db: DatabaseSpec, nodes: dict[int, Any], where: str, loc: tuple[str | int, ...]) -> None:
    seen: set[int] = set()
    for shard in db.shards or ():
        if shard.uid in seen:
            raise PlacementError(f"{where} pins shard uid {shard.uid} twice", loc)
        seen.add(shard.uid)
        node = nodes.get(shard.node)
        if node is None:
            raise PlacementError(f"{where}: shard {shard.uid} is on node {shard.node}, which is not declared in "
                                 "cluster.nodes", loc)
        if node.quorum_only:
            raise PlacementError(f"{where}: shard {shard.uid} is on quorum-only node {shard.node}, which holds no "
                                 "shards", loc)


def _check_slots(masters: list[PinnedShard], where: str, loc: tuple[str | int, ...]) -> dict[int, int]:
    """Every slot held by exactly one master; returns each master's slot count."""
    counts: dict[int, int] = {}
    ranges_all: list[tuple[tuple[int, int], int]] = []
    for master in masters:
        try:
            ranges = parse_slots(master.slots)
        except ValueError as err:
            raise PlacementError(f"{where}: shard {master.uid}: {err}", loc) from None
        if any(end >= HASH_SLOTS for _, end in ranges):
            raise PlacementError(f"{where}: shard {master.uid} holds slots {master.slots}; slots go from 0 to "
                                 f"{HASH_SLOTS - 1}", loc)
        counts[master.uid] = sum(end - start + 1 for start, end in ranges)
        ranges_all.extend((r, master.uid) for r in ranges)
    position = 0
    for (start, end), uid in sorted(ranges_all):
        if start != position:
            problem = (f"shard {uid} holds slot {start} a second time" if start < position
                       else f"slots {position}-{start - 1} are held by no master")
            raise PlacementError(f"{where}: the masters' slots must cover 0-{HASH_SLOTS - 1} once: {problem}", loc)
        position = end + 1
    if position != HASH_SLOTS:
        raise PlacementError(f"{where}: the masters' slots must cover 0-{HASH_SLOTS - 1} once: slots "
                             f"{position}-{HASH_SLOTS - 1} are held by no master", loc)
    return counts


def _check_apart(db: DatabaseSpec, cluster: ClusterSpec, master: PinnedShard, replica: PinnedShard,
                 where: str, loc: tuple[str | int, ...]) -> None:
    if master.node == replica.node:
        raise PlacementError(f"{where}: master shard {master.uid} and its replica {replica.uid} are both on node "
                             f"{master.node}: a master and its replica are never on the same node", loc)
    if db.rack_aware:
        if not cluster.rack_aware:
            raise PlacementError(f"{where} is rack_aware but the cluster is not (set cluster.rack_aware: true)", loc)
        racks = {n.uid: n.rack_id for n in cluster.nodes}
        if racks[master.node] == racks[replica.node]:
            raise PlacementError(f"{where} is rack_aware but master shard {master.uid} and its replica "
                                 f"{replica.uid} are both in rack {racks[master.node]}", loc)
