"""Map the vendor's cluster, policy and node objects to the scenario's `cluster` section.

The cluster's `version` is the nodes' `software_version` (the lowest, when a rolling
upgrade of the cluster left them apart: a module's `min_redis_pack_version` must suit
every node); `redis_versions` are the Redis entries of the nodes'
`supported_database_versions` that every node lists. A node that accepts no shards
(`accept_servers: false`, or `max_redis_servers` 0) and holds none is quorum-only.
Policy fields come from `/v1/cluster/policy`, else from the cluster object (which carries
`slave_ha*` and `rack_aware`), else from the nodes (`max_redis_forks`,
`max_slave_full_syncs`: their lowest positive value); what none of them gives keeps the
vendor's default.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.importer.context import ImportContext
from sim.importer.fields import DataError, Item
from sim.model.versions import Version
from sim.scenario.yamlwrite import Commented

__all__ = ["NodeRecord", "read_nodes", "cluster_section"]


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """What the import keeps of one node object."""

    uid: int
    origin: str
    rack_id: str | None
    max_redis_servers: int
    accepts_shards: bool
    software_version: str
    redis_versions: tuple[str, ...] | None
    status: str
    max_redis_forks: int | None
    max_slave_full_syncs: int | None


def read_nodes(ctx: ImportContext) -> list[NodeRecord]:
    """Every node of `/v1/nodes`; DataError for a bad field or a uid given twice."""
    records: dict[int, NodeRecord] = {}
    for item in ctx.items(ctx.bodies.nodes, "node"):
        uid = item.uid("uid")
        if uid in records:
            raise item.fail("uid", f"{uid} is the uid of another node too ({records[uid].origin})")
        records[uid] = NodeRecord(
            uid=uid, origin=f"{item.origin}: {item.path}", rack_id=item.text("rack_id", "").strip() or None,
            max_redis_servers=item.integer("max_redis_servers", 100),
            accepts_shards=item.boolean("accept_servers", True),
            software_version=item.version("software_version"), redis_versions=_redis_versions(item),
            status=item.text("status", "active"), max_redis_forks=item.integer("max_redis_forks", None),
            max_slave_full_syncs=item.integer("max_slave_full_syncs", None))
    if not records:
        raise DataError(f"{ctx.bodies.nodes.origin}: the body lists no node (a cluster has at least one)")
    return sorted(records.values(), key=lambda n: n.uid)


def _redis_versions(item: Item) -> tuple[str, ...] | None:
    entries = item.items("supported_database_versions", None)
    if entries is None:
        return None
    found: list[str] = []
    for i in range(len(entries)):
        entry = item.child("supported_database_versions", i, "supported database version")
        if entry.text("db_type", "redis") != "redis":
            continue  # memcached
        version = entry.version("redis_version", None) or entry.version("version")
        major_minor = ".".join(version.split("-")[0].split(".")[:2])
        if major_minor not in found:
            found.append(major_minor)
    return tuple(found)


def cluster_section(ctx: ImportContext, nodes: list[NodeRecord], modules: list[dict[str, Any]],
                    shards_per_node: dict[int, int]) -> Commented:
    """The scenario's `cluster:` mapping, with comments saying where each value came from."""
    item = Item(ctx.bodies.cluster.data, ctx.bodies.cluster.origin, "", "cluster", ctx.usage)
    policy_item = None if ctx.bodies.policy.data is None else Item(
        ctx.bodies.policy.data, ctx.bodies.policy.origin, "", "policy", ctx.usage)
    sources = [s for s in (policy_item, item) if s is not None]
    section = Commented({"name": item.text("name", "").strip() or "cluster",
                         "version": _cluster_version(ctx, nodes)})
    section.note("version", inline="the nodes' software_version" + (" (the lowest)" if len(
        {Version(n.software_version) for n in nodes}) > 1 else ""))
    redis_versions = _cluster_redis_versions(ctx, nodes)
    if redis_versions:
        section["redis_versions"] = list(redis_versions)
        section.note("redis_versions", inline="the Redis entries of the nodes' supported_database_versions")
    for other in sources:
        other.raw("rack_aware", None)  # consulted, in order (see read_policy)
    rack_source = next((s for s in sources if s.has("rack_aware")), item)
    section["rack_aware"] = rack_source.boolean("rack_aware", False)
    policy = read_policy(sources, nodes, ctx)
    if policy:
        section["policy"] = policy
    section["nodes"] = [_node_entry(ctx, node, shards_per_node.get(node.uid, 0)) for node in nodes]
    section["modules"] = modules
    for i, node in enumerate(nodes):
        ctx.origins[("cluster", "nodes", i)] = node.origin
    ctx.origins[("cluster", "policy")] = " / ".join(s.origin for s in sources)
    return section


def _cluster_version(ctx: ImportContext, nodes: list[NodeRecord]) -> str:
    lowest = min(nodes, key=lambda n: Version(n.software_version))
    others = sorted({n.software_version for n in nodes} - {lowest.software_version}, key=Version)
    if others:
        ctx.notes.append(f"the nodes run different Redis Software versions ({lowest.software_version}, "
                         f"{', '.join(others)}): the cluster's version is the lowest")
    return lowest.software_version


def _cluster_redis_versions(ctx: ImportContext, nodes: list[NodeRecord]) -> list[str]:
    lists = [n.redis_versions for n in nodes if n.redis_versions is not None]
    if not lists:
        ctx.notes.append("no node lists supported_database_versions: redis_versions keeps the simulator's default")
        return []
    common = [v for v in lists[0] if all(v in other for other in lists[1:])]
    if any(set(other) != set(common) for other in lists):
        ctx.notes.append("the nodes support different Redis versions: redis_versions lists those every node "
                         "supports")
    return sorted(common, key=Version)


def read_policy(sources: list[Item], nodes: list[NodeRecord], ctx: ImportContext) -> dict[str, Any]:
    """The policy fields SPEC §1 knows, from the first source that has each (see the module doc)."""
    policy: dict[str, Any] = {}
    for key, read in _POLICY_READERS.items():
        for other in sources:  # consulted, in order: a field the first source gives is not "ignored" elsewhere
            other.raw(key, None)
        source = next((s for s in sources if s.has(key)), None)
        if source is not None:
            policy[key] = read(source, key)
        elif key == "failure_detection_sensitivity":
            legacy = next((s for s in sources if s.has("watchdog_profile")), None)
            if legacy is not None:  # the field's name before 6.4 (DOC: "previously watchdog_profile")
                profile = legacy.choice("watchdog_profile", ("local-network", "cloud"))
                policy[key] = "high" if profile == "local-network" else "low"
    for key in ("max_redis_forks", "max_slave_full_syncs"):
        per_node = sorted({v for n in nodes if (v := getattr(n, key)) is not None and v > 0})
        if key not in policy and per_node:
            policy[key] = per_node[0]
            if len(per_node) > 1:
                ctx.notes.append(f"the nodes' {key} differ ({', '.join(map(str, per_node))}): the simulator has "
                                 f"one cluster-wide value, the lowest ({per_node[0]})")
    return policy


def _parallel(item: Item, key: str) -> int:
    return 0 if item.raw(key) == "all" else item.integer(key, minimum=0)


def _limit(item: Item, key: str) -> int:
    return max(item.integer(key), 0)  # the vendor writes -1 or 0 for "no limit"


_POLICY_READERS = {
    "parallel_shards_upgrade": _parallel,
    "failure_detection_sensitivity": lambda item, key: item.choice(key, ("high", "low")),
    "max_slave_full_syncs": _limit,
    "max_redis_forks": _limit,
    "slave_ha": lambda item, key: item.boolean(key),
    "slave_ha_grace_period": lambda item, key: item.number(key),
    "slave_ha_cooldown_period": lambda item, key: item.number(key),
    "slave_ha_bdb_cooldown_period": lambda item, key: item.number(key),
}


def _node_entry(ctx: ImportContext, node: NodeRecord, holds: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"uid": node.uid}
    if node.rack_id is not None:
        entry["rack_id"] = node.rack_id
    takes_none = not node.accepts_shards or node.max_redis_servers <= 0
    if takes_none and holds == 0:
        entry["quorum_only"] = True
    elif takes_none:
        ctx.notes.append(f"node {node.uid} accepts no new shards but holds {holds}: kept as a node that holds "
                         "shards")
    if node.max_redis_servers > 0:
        entry["max_redis_servers"] = node.max_redis_servers
    elif holds:
        entry["max_redis_servers"] = holds
    if node.status != "active":
        ctx.notes.append(f"node {node.uid} was {node.status} when read; the scenario starts with every node up "
                         f"(add a timeline step {{at: 0, node_crash: {node.uid}}} to start without it)")
    return entry
