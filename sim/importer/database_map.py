"""Map the vendor's bdb and shard objects (`/v1/bdbs`, `/v1/shards`) to the scenario's databases.

Each database keeps its configuration and its real layout, pinned (`shards:`, SPEC §9).
Real values read right (SPEC §12): `snapshot_policy` matters only for a snapshot database
(`[]` elsewhere is normal); the vendor's default `shard_key_regex` (or `[]`) is not custom;
a configuration field that is missing takes the vendor's default (SPEC §1). Replica-of
source URIs are not copied (they may hold passwords): placeholders keep their number.
The dataset is `memory_size` (the database's memory limit) with no keys: set the real
figures by hand. Non-Redis (memcached) databases and their shards are left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sim.importer.context import ImportContext
from sim.importer.fields import REQUIRED, DataError, Item, show
from sim.model.capabilities import DEFAULT_SHARD_KEY_REGEX
from sim.model.config import EVICTION_POLICIES
from sim.scenario.yamlwrite import Commented

__all__ = ["ShardRecord", "read_bdbs", "read_shards", "database_entry"]

#: The vendor's `assigned_slots` text: ranges and single slots, separated by commas.
_SLOTS = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")


@dataclass(frozen=True, slots=True)
class ShardRecord:
    """What the import keeps of one shard object."""

    uid: int
    bdb_uid: int
    node: int
    role: str
    slots: str
    item: Item


def read_bdbs(ctx: ImportContext) -> list[Item]:
    """The Redis databases of `/v1/bdbs` (uids checked unique); memcached ones are noted and left out."""
    kept: dict[int, Item] = {}
    skipped: list[int] = []
    for item in ctx.items(ctx.bodies.bdbs, "database"):
        uid = item.uid("uid")
        if uid in kept or uid in skipped:
            raise item.fail("uid", f"{uid} is the uid of another database too")
        if item.text("type", "redis") != "redis":
            skipped.append(uid)
            continue
        kept[uid] = item
    if skipped:
        ctx.notes.append(f"left out: database(s) {', '.join(map(str, skipped))} (not Redis: the simulator "
                         "models Redis databases) and their shards")
    ctx.skipped_bdbs.update(skipped)
    return list(kept.values())


def read_shards(ctx: ImportContext, node_uids: set[int], bdbs: list[Item]) -> dict[int, list[ShardRecord]]:
    """The shards of each kept database, by database uid; DataError for a reference to nothing."""
    by_bdb: dict[int, list[ShardRecord]] = {item.uid("uid"): [] for item in bdbs}
    skipped = ctx.skipped_bdbs
    seen: set[int] = set()
    for item in ctx.items(ctx.bodies.shards, "shard"):
        uid, bdb_uid = item.uid("uid"), item.uid("bdb_uid")
        if uid in seen:
            raise item.fail("uid", f"{uid} is the uid of another shard too")
        seen.add(uid)
        if bdb_uid in skipped:
            continue
        if bdb_uid not in by_bdb:
            raise item.fail("bdb_uid", f"{bdb_uid} names no database of {ctx.bodies.bdbs.origin}")
        node = item.uid("node_uid")
        if node not in node_uids:
            raise item.fail("node_uid", f"{show(item.raw('node_uid'))} names no node of {ctx.bodies.nodes.origin}")
        role = item.choice("role", ("master", "slave"))
        slots = item.text("assigned_slots", "" if role == "slave" else REQUIRED).replace(" ", "")
        if slots and not _SLOTS.match(slots):
            raise item.fail("assigned_slots", f"expected hash slots such as 0-8191 or 0-99,200-299, got {show(slots)}")
        by_bdb[bdb_uid].append(ShardRecord(uid, bdb_uid, node, role, slots, item))
    return by_bdb


def database_entry(ctx: ImportContext, item: Item, index: int, modules: list[dict[str, Any]],
                   shards: list[ShardRecord]) -> Commented:
    """One `databases:` entry; records where its parts came from in `ctx.origins`."""
    uid = item.uid("uid")
    loc = ("databases", index)
    ctx.origins[loc] = f"{item.origin}: {item.path} (database {uid})"
    db = Commented({"uid": uid})
    name = item.text("name", None)
    if name:
        db["name"] = name
    db["redis_version"] = item.version("redis_version")
    db["replication"] = item.boolean("replication", False)
    db["data_persistence"] = item.choice("data_persistence", ("disabled", "aof", "snapshot"), "disabled")
    aof_policy = item.choice("aof_policy", ("appendfsync-every-sec", "appendfsync-always"), "appendfsync-every-sec")
    snapshot_policy = _snapshot_policy(item)
    if db["data_persistence"] == "aof":
        db["aof_policy"] = aof_policy
        max_load = item.number("max_aof_load_time", 3600)
        if max_load != 3600:
            db["max_aof_load_time"] = max_load
    if db["data_persistence"] == "snapshot":
        db["snapshot_policy"] = snapshot_policy
    db["master_persistence"] = item.boolean("master_persistence", False)
    sharding = item.boolean("sharding", None)  # missing: true when shards_count > 1 (SPEC §1)
    if sharding is not None:
        db["sharding"] = sharding
    db["shards_count"] = item.integer("shards_count", 1, minimum=1)
    db["shards_placement"] = item.choice("shards_placement", ("dense", "sparse"), "dense")
    db["rack_aware"] = item.boolean("rack_aware", False)
    db["eviction_policy"] = item.choice("eviction_policy", EVICTION_POLICIES, "volatile-lru")
    _capability_fields(item, db)
    db["module_list"] = _module_list(ctx, item, loc, modules)
    db["shards"] = _shards(ctx, item, uid, loc, shards)
    size = item.integer("memory_size", minimum=0)
    db["dataset"] = {"bytes": size, "keys": 0}
    db.note("dataset", inline=f"memory_size ({_human(size)}), the memory limit: set the real data size and "
                              "key count", after=["workload: {reads_per_sec: 0, writes_per_sec: 0}   # none imported: "
                                                  "set your traffic"])
    status = item.text("status", "active")
    if status != "active":
        ctx.notes.append(f"database {uid} was {status} when read; the scenario starts with it active")
    return db


def _snapshot_policy(item: Item) -> list[dict[str, int]]:
    rules = []
    for i in range(len(item.items("snapshot_policy", []))):
        rule = item.child("snapshot_policy", i, "snapshot rule")
        rules.append({"secs": rule.integer("secs", minimum=1), "writes": rule.integer("writes", 1, minimum=0)})
    return rules


def _capability_fields(item: Item, db: Commented) -> None:
    """The fields that only change which module capabilities the database needs (SPEC §4)."""
    for key in ("crdt", "bigstore", "data_internode_encryption"):
        if item.boolean(key, False):
            db[key] = True
    sources = item.items("replica_sources", [])
    if sources:
        db["replica_sources"] = [f"source-{i + 1}" for i in range(len(sources))]
        db.note("replica_sources", inline="placeholders: the sources' URIs are not copied")
    regexes = []
    for i, entry in enumerate(item.items("shard_key_regex", [])):
        text = entry.get("regex") if isinstance(entry, dict) else entry
        if not isinstance(text, str):
            raise item.fail(f"shard_key_regex[{i}]", f"expected {{\"regex\": TEXT}}, got {show(entry)}")
        regexes.append(text)
    if regexes and tuple(regexes) != DEFAULT_SHARD_KEY_REGEX:
        db["shard_key_regex"] = regexes
        db.note("shard_key_regex", inline="custom hashing (the vendor's default is not written)")


def _module_list(ctx: ImportContext, item: Item, loc: tuple, modules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_uid = {m["uid"].lower(): m for m in modules}
    entries = []
    for j in range(len(item.items("module_list", []))):
        ref = item.child("module_list", j, "module_list entry")
        module_id = ref.text("module_id", None)
        if module_id is not None:
            module = by_uid.get(module_id.lower())
            if module is None:
                raise ref.fail("module_id", f"{show(module_id)} is not an uploaded module (no such uid in "
                                            f"{ctx.bodies.modules.origin})")
        else:
            name, version = ref.text("module_name"), ref.version("semantic_version")
            module = next((m for m in modules if m["module_name"].lower() == name.lower()
                           and m["semantic_version"] == version), None)
            if module is None:
                raise ref.fail("module_name", f"{name} {version} is not an uploaded module (not in "
                                              f"{ctx.bodies.modules.origin})")
        entry = {"module_id": module["uid"], "module_name": module["module_name"],
                 "semantic_version": module["semantic_version"]}
        args = ref.text("module_args", "")
        if args:
            entry["module_args"] = args
        ctx.origins[loc + ("module_list", j)] = f"{ref.origin}: {ref.path}"
        entries.append(entry)
    return entries


def _shards(ctx: ImportContext, item: Item, uid: int, loc: tuple, shards: list[ShardRecord]) -> list[dict[str, Any]]:
    if not shards:
        raise DataError(f"{ctx.bodies.shards.origin}: no shard has bdb_uid {uid} (database {uid} of "
                        f"{item.origin}: {item.path})")
    listed = item.items("shard_list", None)
    if listed is not None:
        held = {s.uid for s in shards}
        for i in range(len(listed)):
            shard_uid = _list_uid(item, listed, i)
            if shard_uid not in held:
                raise item.fail(f"shard_list[{i}]", f"shard {shard_uid} is not a shard of database {uid} in "
                                                    f"{ctx.bodies.shards.origin}")
    ctx.origins[loc + ("shards",)] = ctx.bodies.shards.origin  # the messages of the layout rules name the database
    ordered = sorted(shards, key=lambda s: s.uid)
    masters = [s for s in ordered if s.role == "master"]
    entries = []
    for k, shard in enumerate(ordered):
        ctx.origins[loc + ("shards", k)] = f"{shard.item.origin}: {shard.item.path} (shard {shard.uid})"
        entries.append({"uid": shard.uid, "node": shard.node, "role": shard.role,
                        "slots": shard.slots or _replica_slots(ctx, shard, masters)})
    return entries


def _replica_slots(ctx: ImportContext, replica: ShardRecord, masters: list[ShardRecord]) -> str:
    """A replica listed without slots: its master's, when the database has one master (else ambiguous)."""
    if len(masters) != 1:
        raise replica.item.fail("assigned_slots", f"empty on a replica of database {replica.bdb_uid}, which has "
                                                  f"{len(masters)} masters: which one it copies cannot be told")
    ctx.notes.append(f"shard {replica.uid} (a replica) lists no assigned_slots: it takes its master's "
                     f"({masters[0].slots})")
    return masters[0].slots


def _list_uid(item: Item, listed: list[Any], i: int) -> int:
    value = listed[i]
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise item.fail(f"shard_list[{i}]", f"expected a shard uid, got {show(listed[i])}")
    return value


def _human(size: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:.4g} {unit}"
    return f"{size} bytes"
