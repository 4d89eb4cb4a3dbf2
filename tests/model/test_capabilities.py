"""Capabilities a database configuration requires (SPEC §4 table, one row per case)."""
from __future__ import annotations

from typing import Any

import pytest

from sim.model import missing_capabilities, required_capabilities
from tests.factories import database

BASE = {"eviction_policy": "noeviction"}  # needs nothing


@pytest.mark.parametrize(
    "fields, needed",
    [
        ({}, []),
        ({"replication": True}, ["failover_migrate"]),
        ({"data_persistence": "aof"}, ["persistence_aof"]),
        ({"data_persistence": "snapshot"}, ["persistence_rdb"]),
        ({"shards_count": 2}, ["clustering"]),
        ({"sharding": True}, ["clustering"]),
        ({"eviction_policy": "volatile-lru"}, ["eviction_expiry"]),
        ({"eviction_policy": "allkeys-lfu"}, ["eviction_expiry"]),
        ({"replica_sources": ["redis://other:6379"]}, ["replica_of"]),
        ({"crdt": True}, ["crdb"]),
        ({"bigstore": True}, ["flash"]),
        ({"shard_key_regex": [r"(?<tag>.*)"]}, ["hash_policy"]),
        ({"shard_key_regex": [r".*\{(?<tag>.*)\}.*", r"(?<tag>.*)"]}, []),  # the vendor default is not custom
        ({"data_internode_encryption": True}, ["intershard_tls"]),
        ({"replication": True, "data_persistence": "aof", "shards_count": 3, "eviction_policy": "volatile-lru"},
         ["failover_migrate", "persistence_aof", "clustering", "eviction_expiry"]),
    ],
)
def test_required_capabilities_follow_the_table(fields: dict[str, Any], needed: list[str]) -> None:
    """Each configuration row requires exactly its capabilities, in table order."""
    db = database(**{**BASE, **fields})
    assert required_capabilities(db) == needed


def test_default_eviction_policy_needs_eviction_expiry() -> None:
    """The vendor default `volatile-lru` is not `noeviction`, so it needs eviction_expiry."""
    assert required_capabilities(database()) == ["eviction_expiry"]


def test_missing_lists_every_missing_capability() -> None:
    """All capabilities the module lacks are reported, not only the first."""
    db = database(replication=True, data_persistence="aof", shards_count=2)
    assert missing_capabilities(db, ["types", "clustering"]) == ["failover_migrate", "persistence_aof", "eviction_expiry"]
