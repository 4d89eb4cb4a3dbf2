"""The mutable state of a simulated cluster: nodes, databases, shard pairs, shards, actions.

Only `sim.events.apply` changes it, one event at a time; everything else reads it.
Slotted dataclasses keep a 10,000-shard state small and fast to update.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sim.model.config import DatabaseSpec, ModuleSpec, PolicySpec, UserSpec

__all__ = [
    "NodeState", "ShardState", "PairState", "BdbState", "ActionState", "ClusterState",
    "SHARD_STATUSES", "SYNC_STATUSES",
]

#: Process status of a shard: serving its data (`ok`), restarting, reloading from
#: persistence, dead with its node (`down`), or stuck after a failed reload.
SHARD_STATUSES = ("ok", "restarting", "loading", "down", "failed")
#: Replication link of a replica (vendor `sync.status`): in sync (`idle`), full sync under
#: way (`in_progress`), or not in sync (`link_down`).
SYNC_STATUSES = ("idle", "in_progress", "link_down")


@dataclass(slots=True)
class NodeState:
    """A node: its rack, whether it is up, and how many shards it may hold."""

    uid: int
    rack_id: str | None
    status: str = "active"
    quorum_only: bool = False
    max_redis_servers: int = 100


@dataclass(slots=True)
class ShardState:
    """One Redis process of a database: its node, role, process status and data."""

    uid: int
    bdb_uid: int
    pair: int
    node_uid: int
    role: str
    status: str = "ok"
    sync: str = "idle"
    paused: bool = False
    keys: int = 0
    bytes: int = 0
    modules: dict[str, str] = field(default_factory=dict)

    @property
    def is_up(self) -> bool:
        """True when the process runs with its data loaded (it may still be paused)."""
        return self.status == "ok"


@dataclass(slots=True)
class PairState:
    """A master and its replica (or a lone master): a range of hash slots and its share of data."""

    bdb_uid: int
    index: int
    slot_start: int
    slot_end: int
    keys: int
    bytes: int
    reads_per_sec: int
    writes_per_sec: int
    shards: tuple[int, ...]

    @property
    def slots(self) -> int:
        """Number of hash slots of this pair."""
        return self.slot_end - self.slot_start + 1

    @property
    def assigned_slots(self) -> str:
        """The slot range as the REST API writes it, e.g. `0-5461`."""
        return f"{self.slot_start}-{self.slot_end}"


@dataclass(slots=True)
class BdbState:
    """A database: its configuration and the fields an upgrade changes."""

    config: DatabaseSpec
    status: str = "active"
    module_list: list[dict[str, str]] = field(default_factory=list)
    action_uid: str | None = None
    pairs: list[PairState] = field(default_factory=list)

    @property
    def uid(self) -> int:
        """The database uid."""
        return self.config.uid

    @property
    def name(self) -> str:
        """The database name."""
        return self.config.display_name


@dataclass(slots=True)
class ActionState:
    """A running or finished `SMUpgradeBDB` action, as `GET /v1/actions/{uid}` shows it."""

    uid: str
    bdb_uid: int
    name: str
    status: str
    state: str
    progress: int
    accepted_at: float
    modules: list[dict[str, Any]]
    preserve_roles: bool
    may_discard_data: bool
    original_masters: list[int]
    retry_of: str | None = None
    ended_at: float | None = None
    reason: str | None = None

    @property
    def is_running(self) -> bool:
        """True while the action is pending or active."""
        return self.status in ("pending", "active")


@dataclass(slots=True)
class ClusterState:
    """The whole cluster; built from the first event of a log, changed only by `apply`."""

    name: str = ""
    version: str = ""
    rack_aware: bool = False
    policy: PolicySpec = field(default_factory=PolicySpec)
    nodes: dict[int, NodeState] = field(default_factory=dict)
    modules: dict[str, ModuleSpec] = field(default_factory=dict)
    users: dict[str, UserSpec] = field(default_factory=dict)
    bdbs: dict[int, BdbState] = field(default_factory=dict)
    shards: dict[int, ShardState] = field(default_factory=dict)
    actions: dict[str, ActionState] = field(default_factory=dict)
    quorum: bool = True
    shards_by_node: dict[int, dict[int, None]] = field(default_factory=dict)
    #: `(database uid, pair index)` of the pairs whose availability the last applied event may
    #: have changed (set by `apply`): what the availability folds re-check, computed once
    touched: Iterable[tuple[int, int]] = ()

    def pair_of(self, shard: ShardState) -> PairState:
        """The pair a shard belongs to."""
        return self.bdbs[shard.bdb_uid].pairs[shard.pair]

    def master_of(self, pair: PairState) -> ShardState:
        """The pair's master shard (a pair always has exactly one)."""
        shards = self.shards
        for uid in pair.shards:
            shard = shards[uid]
            if shard.role == "master":
                return shard
        raise LookupError(f"pair {pair.index} of database {pair.bdb_uid} has no master")

    def partner_of(self, shard: ShardState) -> ShardState | None:
        """The other shard of a replicated pair, or None for a lone master."""
        for uid in self.pair_of(shard).shards:
            if uid != shard.uid:
                return self.shards[uid]
        return None

    def is_serving(self, shard: ShardState) -> bool:
        """True when clients reach this shard: a master, up, not paused, node up, quorum held."""
        return (
            shard.role == "master"
            and shard.status == "ok"
            and not shard.paused
            and self.quorum
            and self.nodes[shard.node_uid].status == "active"
        )

    def is_in_sync(self, shard: ShardState) -> bool:
        """True when a replica is up, on an up node, and in sync with its master."""
        return (
            shard.role == "slave"
            and shard.status == "ok"
            and shard.sync == "idle"
            and self.nodes[shard.node_uid].status == "active"
        )

    def pair_keys(self, pair: PairState) -> tuple[int, int]:
        """Keys and bytes the pair still holds: the most any of its copies holds."""
        keys = bytes_ = 0
        for uid in pair.shards:
            shard = self.shards[uid]
            if shard.keys > keys or shard.bytes > bytes_:
                keys, bytes_ = max(keys, shard.keys), max(bytes_, shard.bytes)
        return keys, bytes_

    def running_action(self, bdb_uid: int) -> ActionState | None:
        """The action running on a database, if any."""
        uid = self.bdbs[bdb_uid].action_uid
        action = self.actions.get(uid) if uid is not None else None
        return action if action is not None and action.is_running else None

    def last_action(self, bdb_uid: int) -> ActionState | None:
        """The database's most recent action (running, completed or failed), if any."""
        uid = self.bdbs[bdb_uid].action_uid
        return self.actions.get(uid) if uid is not None else None
