"""The benchmark's workload as scenario data: a rack-aware fleet whose every database gets a
`preserve_roles` module upgrade, requests one second apart (a dict for `scenario_from_data`).

Run as a script to print the scenario as YAML (`python -m benchmarks.fleet 100 50`); large
generated files are not kept in the repository.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

__all__ = ["Fleet", "LARGE", "MANY_SMALL", "EMPTY", "OLD_MODULE", "NEW_MODULE", "PAIR_BYTES", "FIRST_REQUEST_AT",
           "STAGGER_S", "fleet_data"]

OLD_MODULE = "5d2c0e51f7a340c0a1c9b1b6e8c2f111"  # ReJSON 2.2.1
NEW_MODULE = "aa3648d79bd4082d414587c42ea0b234"  # ReJSON 2.2.2
CAPABILITIES = ["types", "failover_migrate", "persistence_aof", "persistence_rdb", "clustering", "eviction_expiry"]
#: Data per shard pair: 1 GB, so a full sync takes 10 s at the default 100 MB/s.
PAIR_BYTES = 10**9
PAIR_KEYS = 1_000_000
FIRST_REQUEST_AT = 10.0
#: Seconds between two databases' upgrade requests.
STAGGER_S = 1.0
#: Shards a node may hold in the issue's large cluster.
NODE_CAPACITY = 300


@dataclass(frozen=True, slots=True)
class Fleet:
    """A benchmark input's shape: databases × replicated pairs on `nodes` nodes in `racks` racks."""

    databases: int
    pairs: int
    nodes: int = 60
    racks: int = 3

    @property
    def shards(self) -> int:
        """Shards in the cluster (a master and a replica per pair)."""
        return 2 * self.databases * self.pairs

    @property
    def max_redis_servers(self) -> int:
        """300 (the issue's figure), raised in hundreds when the fleet needs more room per node."""
        needed = math.ceil(self.shards * 1.2 / self.nodes / 100) * 100  # 20 % headroom for placement
        return max(NODE_CAPACITY, needed)

    def request_at(self, database: int) -> float:
        """When database `database` (0-based) is asked to upgrade."""
        return FIRST_REQUEST_AT + STAGGER_S * database


#: The issue's large cluster: 100 databases × 50 pairs = 10,000 shards on 60 nodes in 3 racks.
LARGE = Fleet(databases=100, pairs=50)
#: The same number of shards as many small databases: per-database and per-request costs dominate.
MANY_SMALL = Fleet(databases=1000, pairs=5)
#: The smallest input (1 database of 1 pair): its time is each program's start-up cost.
EMPTY = Fleet(databases=1, pairs=1)


def fleet_data(fleet: Fleet) -> dict[str, Any]:
    """Scenario data: AOF, replicated, rack-aware databases with a workload, all upgraded."""
    return {
        "name": f"bench-{fleet.databases}x{fleet.pairs}",
        "description": f"{fleet.databases} databases x {fleet.pairs} pairs, module upgrade with preserve_roles",
        "seed": 1,
        "cluster": _cluster(fleet),
        "databases": [_database(uid, fleet.pairs) for uid in range(1, fleet.databases + 1)],
        "timeline": [_upgrade(uid, fleet.request_at(uid - 1)) for uid in range(1, fleet.databases + 1)],
    }


def _cluster(fleet: Fleet) -> dict[str, Any]:
    nodes = [{"uid": i + 1, "rack_id": f"rack{i % fleet.racks + 1}", "max_redis_servers": fleet.max_redis_servers}
             for i in range(fleet.nodes)]
    modules = [{"uid": uid, "module_name": "ReJSON", "semantic_version": version, "capabilities": CAPABILITIES}
               for uid, version in ((OLD_MODULE, "2.2.1"), (NEW_MODULE, "2.2.2"))]
    return {"name": "bench.example.com", "version": "7.4.2-54", "rack_aware": True, "nodes": nodes,
            "modules": modules}


def _database(uid: int, pairs: int) -> dict[str, Any]:
    return {"uid": uid, "name": f"db{uid}", "redis_version": "7.2", "replication": True,
            "data_persistence": "aof", "shards_count": pairs, "shards_placement": "sparse", "rack_aware": True,
            "dataset": {"bytes": pairs * PAIR_BYTES, "keys": pairs * PAIR_KEYS},
            "workload": {"reads_per_sec": pairs * 1000, "writes_per_sec": pairs * 500},
            "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}]}


def _upgrade(uid: int, at: float) -> dict[str, Any]:
    body = {"modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1", "new_module": NEW_MODULE}],
            "preserve_roles": True}
    return {"at": at, "request": {"method": "POST", "path": f"/v1/bdbs/{uid}/modules/upgrade", "body": body}}


def main(argv: list[str]) -> int:
    """Print the scenario of `DATABASES PAIRS` (default: the large cluster) as YAML."""
    import yaml

    fleet = Fleet(int(argv[0]), int(argv[1])) if len(argv) >= 2 else LARGE
    yaml.safe_dump(fleet_data(fleet), sys.stdout, sort_keys=False, width=120)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
