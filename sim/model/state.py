"""The mutable state of a simulated cluster: nodes, databases, shard pairs, shards, actions.

Only `sim.events.apply` changes it, one event at a time; everything else reads it. Every
fact the engine decides on lives here (SPEC §8, and so a run resumes from a prefix of its
log): what a shard is doing and until when, its persistence file, which node failures were
noticed, which pairs await a failover or a recovery, replica-HA cooldowns, random faults'
next times. Slotted dataclasses keep a 10,000-shard state small and fast to update.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sim.model.config import DatabaseSpec, ModuleSpec, PolicySpec, UserSpec
from sim.model.timing import Timing

__all__ = [
    "Role", "ShardStatus", "SyncStatus", "NodeStatus", "ActionStatus", "Recovery",
    "NodeState", "ShardState", "PairState", "FailoverRun", "BdbState", "ActionState", "ClusterState",
    "SHARD_STATUSES", "SYNC_STATUSES", "MASTER", "SLAVE",
]


class Role(StrEnum):
    """A shard's role (vendor names)."""

    MASTER = "master"
    SLAVE = "slave"


class ShardStatus(StrEnum):
    """Process status of a shard: serving its data (`ok`), restarting, reloading from its
    persistence file, dead with its node (`down`), or stuck after a failed reload."""

    OK = "ok"
    RESTARTING = "restarting"
    LOADING = "loading"
    DOWN = "down"
    FAILED = "failed"


class SyncStatus(StrEnum):
    """Replication link of a replica (vendor `sync.status`): in sync (`idle`), full sync under
    way (`in_progress`), or not in sync (`link_down`)."""

    IDLE = "idle"
    IN_PROGRESS = "in_progress"
    LINK_DOWN = "link_down"


class NodeStatus(StrEnum):
    """Whether a node is up."""

    ACTIVE = "active"
    DOWN = "down"


class ActionStatus(StrEnum):
    """An action's status (vendor names)."""

    PENDING = "pending"
    ACTIVE = "active"
    COMPLETED = "completed"
    FAILED = "failed"


class Recovery(StrEnum):
    """Why a pair is not served by a live master (None: it is, or nothing is pending) [OURS]:
    its master died and a live, in-sync replica awaits the unplanned failover (`failover`);
    every live copy is gone and the pair awaits its master's node (`lost`); a cluster recovery
    found its only files on down nodes (`waiting`); a shard is reloading a file (`recovering`)."""

    FAILOVER = "failover"
    LOST = "lost"
    WAITING = "waiting"
    RECOVERING = "recovering"


MASTER, SLAVE = Role.MASTER, Role.SLAVE
SHARD_STATUSES = tuple(ShardStatus)
SYNC_STATUSES = tuple(SyncStatus)


@dataclass(slots=True)
class NodeState:
    """A node: its rack, whether it is up, how many shards it may hold, and its failures."""

    uid: int
    rack_id: str | None
    status: str = NodeStatus.ACTIVE
    quorum_only: bool = False
    max_redis_servers: int = 100
    #: time and seq of its last crash (the seq keys its detection and replica-HA timers)
    crashed_at: float | None = None
    crash_seq: int | None = None
    #: the cluster noticed its last crash
    detected: bool = False
    #: when its replica HA is due (None: none pending) and the seq of the event that set it,
    #: and whether it waits for a condition instead
    ha_due: float | None = None
    ha_key: int = 0
    ha_waiting: bool = False
    #: random faults: the next one (`crash` or `recover`) and when; draws made from its stream
    fault_kind: str | None = None
    fault_at: float | None = None
    fault_key: int = 0
    fault_draws: int = 0


@dataclass(slots=True)
class ShardState:
    """One Redis process of a database: its node, role, process status, data and file."""

    uid: int
    bdb_uid: int
    pair: int
    node_uid: int
    role: str
    status: str = ShardStatus.OK
    sync: str = SyncStatus.IDLE
    paused: bool = False
    keys: int = 0
    bytes: int = 0
    modules: dict[str, str] = field(default_factory=dict)
    redis_version: str = ""
    #: its persistence file: None = no file; else the file's point if frozen, or (when
    #: `file_live`) the base its live point never goes below (SPEC §5)
    file: float | None = None
    file_live: bool = False
    #: when its current restart, load or full sync ends (None: nothing timed is under way),
    #: and the seq of the event that started it (the order of wake-ups at one instant)
    until: float | None = None
    key: int = 0
    #: the action whose restart it is in (its target modules apply when it is back)
    action: str | None = None
    #: the shard it full-syncs from (while `sync` is in_progress)
    source: int | None = None


@dataclass(frozen=True, slots=True)
class FailoverRun:
    """A failover under way on a pair: who becomes master, until when, planned or not."""

    master: int
    replica: int
    planned: bool
    until: float
    key: int


@dataclass(slots=True)
class PairState:
    """A master and its replica (or a lone master): hash slots and its share of data."""

    bdb_uid: int
    index: int
    assigned_slots: str
    slots: int
    keys: int
    bytes: int
    reads_per_sec: int
    writes_per_sec: int
    shards: tuple[int, ...]
    #: see `Recovery`; since when its master is down (for the lag loss of a failover), and the
    #: seq of the event that took it down (what its losses are traced back to)
    recovery: str | None = None
    down_since: float | None = None
    down_cause: int | None = None
    #: acknowledged writes up to this instant were already counted lost (never twice)
    lost_until: float = 0.0
    failover: FailoverRun | None = None


@dataclass(slots=True)
class BdbState:
    """A database: its configuration and the fields an upgrade changes."""

    config: DatabaseSpec
    status: str = "active"
    module_list: list[dict[str, str]] = field(default_factory=list)
    action_uid: str | None = None
    pairs: list[PairState] = field(default_factory=list)
    redis_version: str = ""
    #: replica HA migrates none of its replicas before this time (`slave_ha_bdb_cooldown_period`)
    ha_cooldown_until: float | None = None

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
    """A running or finished `SMUpgradeBDB` action, as `GET /v1/actions/{uid}` shows it.

    `state` is the vendor's state name, `phase` ours (SPEC §3). `modules` are the module moves
    (`module_name`, `from_uid`, `to_uid`, `new_module_args`); `redis_version` the target of a
    database upgrade (None: unchanged); `restart` False completes at once (nothing changes)."""

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
    phase: str = "init"
    redis_version: str | None = None
    force_discard: bool = False
    parallel: int | None = None
    restart: bool = True
    #: shards this action stopped, in order (a dict for constant-time membership)
    restarted: dict[int, None] = field(default_factory=dict)

    @property
    def is_running(self) -> bool:
        """True while the action is pending or active."""
        return self.status in (ActionStatus.PENDING, ActionStatus.ACTIVE)

    @property
    def target(self) -> dict[str, str]:
        """`{module_name: new module uid}` of the modules the action moves."""
        return {m["module_name"]: m["to_uid"] for m in self.modules}


@dataclass(slots=True)
class ClusterState:
    """The whole cluster; built from the first event of a log, changed only by `apply`."""

    name: str = ""
    version: str = ""
    rack_aware: bool = False
    redis_versions: tuple[str, ...] = ()
    policy: PolicySpec = field(default_factory=PolicySpec)
    nodes: dict[int, NodeState] = field(default_factory=dict)
    modules: dict[str, ModuleSpec] = field(default_factory=dict)
    users: dict[str, UserSpec] = field(default_factory=dict)
    bdbs: dict[int, BdbState] = field(default_factory=dict)
    shards: dict[int, ShardState] = field(default_factory=dict)
    actions: dict[str, ActionState] = field(default_factory=dict)
    quorum: bool = True
    #: quorum was lost under `quorum_loss: requires_recovery`: nothing serves until recovered
    lost: bool = False
    #: replica HA: no migration for another node's failure before this time (cluster cooldown)
    ha_cooldown_until: float | None = None
    ha_cooldown_node: int | None = None
    #: the timing profile of the run (from its first event): apply derives the end of timed work
    timing: Timing = field(default_factory=Timing)
    shards_by_node: dict[int, dict[int, None]] = field(default_factory=dict)
    #: `(database uid, pair index, serving master's uid or None)` of the pairs whose availability
    #: the last applied event may have changed (set by `apply`): what the availability folds
    #: read, computed once
    touched: Iterable[tuple[int, int, int | None]] = ()

    def pair_of(self, shard: ShardState) -> PairState:
        """The pair a shard belongs to."""
        return self.bdbs[shard.bdb_uid].pairs[shard.pair]

    def master_of(self, pair: PairState) -> ShardState:
        """The pair's master shard (a pair always has exactly one)."""
        shards = self.shards
        for uid in pair.shards:
            shard = shards[uid]
            if shard.role == MASTER:
                return shard
        raise LookupError(f"pair {pair.index} of database {pair.bdb_uid} has no master")

    def partner_of(self, shard: ShardState) -> ShardState | None:
        """The other shard of a replicated pair, or None for a lone master."""
        for uid in self.pair_of(shard).shards:
            if uid != shard.uid:
                return self.shards[uid]
        return None

    def is_serving(self, shard: ShardState) -> bool:
        """True when clients reach this shard: a master, up, not paused, node up, quorum held
        (and the cluster not lost)."""
        return (
            shard.role == MASTER
            and shard.status == ShardStatus.OK
            and not shard.paused
            and self.quorum
            and not self.lost
            and self.nodes[shard.node_uid].status == NodeStatus.ACTIVE
        )

    def is_in_sync(self, shard: ShardState) -> bool:
        """True when a replica is up, on an up node, and in sync with its master."""
        return (
            shard.role == SLAVE
            and shard.status == ShardStatus.OK
            and shard.sync == SyncStatus.IDLE
            and self.nodes[shard.node_uid].status == NodeStatus.ACTIVE
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

    def accepts_management(self) -> bool:
        """True when management requests are served: quorum held and the cluster not lost."""
        return self.quorum and not self.lost
