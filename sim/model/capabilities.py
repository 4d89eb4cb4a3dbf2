"""Module capabilities and the ones a database configuration requires (SPEC §4)."""
from __future__ import annotations

from typing import Any

__all__ = ["CAPABILITIES", "DEFAULT_SHARD_KEY_REGEX", "required_capabilities", "missing_capabilities"]

#: Capability names a module declares (vendor names).
CAPABILITIES: tuple[str, ...] = (
    "types", "no_multi_key", "replica_of", "backup_restore", "eviction_expiry",
    "reshard_rebalance", "failover_migrate", "persistence_aof", "persistence_rdb",
    "hash_policy", "flash", "crdb", "clustering", "intershard_tls", "ipv6",
)

#: The vendor's default hashing policy; any other list is a custom `shard_key_regex`.
DEFAULT_SHARD_KEY_REGEX: tuple[str, ...] = (r".*\{(?<tag>.*)\}.*", r"(?<tag>.*)")


def required_capabilities(db: Any) -> list[str]:
    """The capabilities a database's configuration needs, in the order of SPEC §4's table.

    `db` is any object with the bdb configuration fields (a `DatabaseSpec`).
    """
    needed: list[str] = []
    if db.replication:
        needed.append("failover_migrate")
    if db.data_persistence == "aof":
        needed.append("persistence_aof")
    if db.data_persistence == "snapshot":
        needed.append("persistence_rdb")
    if db.shards_count > 1 or db.sharding:
        needed.append("clustering")
    if db.eviction_policy != "noeviction":
        needed.append("eviction_expiry")
    if db.replica_sources:
        needed.append("replica_of")
    if db.crdt:
        needed.append("crdb")
    if db.bigstore:
        needed.append("flash")
    if db.shard_key_regex is not None and tuple(db.shard_key_regex) != DEFAULT_SHARD_KEY_REGEX:
        needed.append("hash_policy")
    if db.data_internode_encryption:
        needed.append("intershard_tls")
    return needed


def missing_capabilities(db: Any, capabilities: list[str] | tuple[str, ...]) -> list[str]:
    """The capabilities `db` needs that `capabilities` lacks, in SPEC §4 order."""
    have = set(capabilities)
    return [cap for cap in required_capabilities(db) if cap not in have]
