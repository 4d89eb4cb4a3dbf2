"""Shard placement while shrinking: pin every database where the placement put it (so removing
another database or a node moves nothing else), move pinned shards off removed nodes within
the placement rules, keep some pairs of a database (its slots split again), renumber.

Pinned shards are SPEC §9's `shards: [{uid, node, role, slots}]`; the placement rules are
SPEC §1's: a master and its replica never on one node (nor rack, for a rack-aware database),
nothing on a quorum-only node, at most `max_redis_servers` shards on a node.
"""
from __future__ import annotations

import copy
from typing import Any

from sim.model.build import split_evenly
from sim.model.pinned import HASH_SLOTS
from sim.model.state import ClusterState

__all__ = ["pin_all", "move_off", "keep_pairs", "pairs_of", "renumber_nodes", "renumber_shards"]

Data = dict[str, Any]


def pin_all(data: Data, initial: ClusterState) -> Data:
    """`data` with every database's placement at t = 0 written as pinned shards."""
    data = copy.deepcopy(data)
    for db in data.get("databases") or []:
        if db.get("shards") is not None:
            continue
        shards = []
        for pair in initial.bdbs[int(db["uid"])].pairs:
            for uid in pair.shards:
                shard = initial.shards[uid]
                shards.append({"uid": uid, "node": shard.node_uid, "role": str(shard.role),
                               "slots": pair.assigned_slots})
        db["shards"] = shards
    return data


def pairs_of(db: Data) -> list[list[Data]]:
    """A pinned database's pairs (master first), in master uid order."""
    shards = db.get("shards") or []
    masters = sorted((s for s in shards if s["role"] == "master"), key=lambda s: int(s["uid"]))
    return [[m] + [s for s in shards if s["role"] == "slave" and s["slots"] == m["slots"]] for m in masters]


def keep_pairs(data: Data, index: int, keep: list[int]) -> Data:
    """`data` where pinned database `index` keeps only the pairs `keep` (positions in master uid
    order); their slots are split again evenly, the remainder to the first (SPEC §1)."""
    data = copy.deepcopy(data)
    db = data["databases"][index]
    pairs = [pairs_of(db)[i] for i in keep]
    start, shards = 0, []
    for count, pair in zip(split_evenly(HASH_SLOTS, len(pairs)), pairs):
        for shard in pair:
            shards.append({**shard, "slots": f"{start}-{start + count - 1}"})
        start += count
    db["shards"], db["shards_count"] = shards, len(pairs)
    return data


def move_off(data: Data, gone: set[int]) -> Data | None:
    """`data` with every pinned shard on a node of `gone` moved to the lowest-uid remaining node
    the rules allow; None when some shard has nowhere to go."""
    data = copy.deepcopy(data)
    nodes = {int(n["uid"]): n for n in data["cluster"]["nodes"] if int(n["uid"]) not in gone}
    load = {uid: 0 for uid in nodes}
    for db in data.get("databases") or []:
        for shard in db.get("shards") or []:
            if int(shard["node"]) in load:
                load[int(shard["node"])] += 1
    for db in data.get("databases") or []:
        for pair in pairs_of(db):
            for shard in pair:
                if int(shard["node"]) not in gone:
                    continue
                target = _free_node(data, db, pair, shard, nodes, load)
                if target is None:
                    return None
                shard["node"] = target
                load[target] += 1
    return data


def _free_node(data: Data, db: Data, pair: list[Data], shard: Data, nodes: dict[int, Data],
               load: dict[int, int]) -> int | None:
    partners = [int(s["node"]) for s in pair if s is not shard]
    racks = {nodes[p].get("rack_id") for p in partners if p in nodes}
    rack_rule = bool(db.get("rack_aware")) and bool(data["cluster"].get("rack_aware"))
    for uid in sorted(nodes):
        node = nodes[uid]
        if node.get("quorum_only") or uid in partners or load[uid] >= int(node.get("max_redis_servers", 100)):
            continue
        if rack_rule and node.get("rack_id") in racks:
            continue
        return uid
    return None


def renumber_nodes(data: Data) -> Data:
    """`data` with node uids 1, 2, … in the order of the old ones (placement, ties and every
    rule that goes by uid order are unchanged), everywhere a node is named."""
    data = copy.deepcopy(data)
    mapping = {old: new for new, old in enumerate(sorted(int(n["uid"]) for n in data["cluster"]["nodes"]), 1)}
    for node in data["cluster"]["nodes"]:
        node["uid"] = mapping[int(node["uid"])]
    for db in data.get("databases") or []:
        for shard in db.get("shards") or []:
            shard["node"] = mapping[int(shard["node"])]
    for step in data.get("timeline") or []:
        for kind in ("node_crash", "node_recover"):
            if kind in step:
                step[kind] = mapping.get(int(step[kind]), step[kind])
    random = (data.get("faults") or {}).get("random")
    if random and random.get("nodes"):
        random["nodes"] = [mapping[int(n)] for n in random["nodes"]]
    return data


def renumber_shards(data: Data) -> Data:
    """`data` with pinned shard uids 1, 2, … in the order of the old ones."""
    data = copy.deepcopy(data)
    shards = [s for db in data.get("databases") or [] for s in db.get("shards") or []]
    mapping = {old: new for new, old in enumerate(sorted(int(s["uid"]) for s in shards), 1)}
    for shard in shards:
        shard["uid"] = mapping[int(shard["uid"])]
    return data
