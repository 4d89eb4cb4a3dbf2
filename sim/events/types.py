"""Event types: immutable, past-tense facts with `seq`, `t`, `cause` and a payload (SPEC §8).

Every state change of a run is one of these. `docs/events.md` is generated from this
module (each class's docstring and fields) and a test keeps it in step.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

__all__ = ["Event", "EVENT_TYPES", "payload_fields"]


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all events: position in the log, simulated time, and the event that caused it."""

    seq: int
    t: float
    cause: int | None

    type: ClassVar[str] = "Event"


EVENT_TYPES: dict[str, type[Event]] = {}
_PAYLOAD: dict[type[Event], tuple[str, ...]] = {}


def event(cls: type) -> type[Event]:
    """Register a frozen, slotted event class under its name."""
    made: Any = dataclass(frozen=True, slots=True)(cls)
    made.type = made.__name__
    names = tuple(f.name for f in fields(made))
    made.__init__ = _fast_init(made, names)
    EVENT_TYPES[made.__name__] = made
    _PAYLOAD[made] = names[3:]
    registered: type[Event] = made
    return registered


def _fast_init(cls: type, names: tuple[str, ...]) -> Any:
    """An `__init__` that fills the slots through their descriptors: still frozen (assignment
    after construction raises), but half the cost of the dataclass's `object.__setattr__`
    calls. Events are built by the ten thousand: this is on the hot path."""
    setters = {f"_set_{name}": getattr(cls, name).__set__ for name in names}
    body = "".join(f"    _set_{name}(self, {name})\n" for name in names)
    source = f"def __init__(self, {', '.join(names)}):\n{body}"
    exec(compile(source, f"<__init__ of {cls.__name__}>", "exec"), setters)  # noqa: S102 - generated above
    init = setters["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def payload_fields(cls: type[Event]) -> tuple[str, ...]:
    """Names of an event type's payload fields, in log order."""
    return _PAYLOAD[cls]


# --- the run -----------------------------------------------------------------------------

@event
class SimulationStarted(Event):
    """The whole initial state, the timing profile and the window: a log alone replays.
    `window.end` is null when the scenario gave no duration: the window then ends
    `window.default_margin_s` after the last action or timeline step (see SimulationEnded)."""

    initial: dict[str, Any]
    timing: dict[str, Any]
    window: dict[str, Any]


@event
class SimulationEnded(Event):
    """The end of the observation window (its `t` is the window's end)."""


# --- requests and actions ----------------------------------------------------------------

@event
class RequestAccepted(Event):
    """A REST request answered 200; `response` is the body returned."""

    method: str
    path: str
    user: str | None
    request: Any
    status: int
    response: dict[str, Any]


@event
class RequestRejected(Event):
    """A REST request refused; nothing else changes."""

    method: str
    path: str
    user: str | None
    request: Any
    status: int
    error_code: str
    message: str


@event
class ActionStarted(Event):
    """An `SMUpgradeBDB` action was created (status `pending`); the database goes to
    `active-change-pending`. `original_masters[i]` is pair i's master to restore;
    `redis_version` the target of a database upgrade (null: unchanged); `parallel` the
    `parallel_shards_upgrade` of this action (null: the cluster policy's); `restart` false
    when nothing changes (the action completes at once)."""

    action_uid: str
    bdb: int
    name: str
    modules: list[dict[str, Any]]
    preserve_roles: bool
    may_discard_data: bool
    original_masters: list[int]
    retry_of: str | None
    redis_version: str | None
    force_discard: bool
    parallel: int | None
    restart: bool


@event
class ActionStateChanged(Event):
    """The action entered a state of its state machine (status `active`): `state` is the
    vendor's name, `phase` ours (SPEC §3)."""

    action_uid: str
    state: str
    phase: str
    progress: int


@event
class ActionCompleted(Event):
    """The action completed: the database's `module_list` changes and it returns to `active`."""

    action_uid: str


@event
class ActionFailed(Event):
    """The action failed and stopped; the database keeps its old `module_list`."""

    action_uid: str
    reason: str


# --- shards ------------------------------------------------------------------------------

@event
class ShardRestartStarted(Event):
    """A shard's process stopped to restart (`reason`: upgrade, recovery, cluster recovery or
    discard) for `action` (null: none); what it held only in memory is gone (a graceful stop
    first completes its persistence file; a discard deletes it)."""

    shard: int
    reason: str
    action: str | None


@event
class ShardRestarted(Event):
    """A shard's process is up again, running `modules` and `redis_version` (null:
    unchanged); a master serves (empty if it had no file), a replica is not yet in sync."""

    shard: int
    modules: dict[str, str] | None
    redis_version: str | None


@event
class ShardLoadStarted(Event):
    """A restarted master began loading its persistence file (`seconds` to go)."""

    shard: int
    modules: dict[str, str] | None
    redis_version: str | None
    seconds: float


@event
class ShardLoaded(Event):
    """A shard finished loading and serves its data."""

    shard: int


@event
class ShardLoadFailed(Event):
    """A reload did not finish (e.g. past `max_aof_load_time`); the shard stays down."""

    shard: int
    reason: str


@event
class ReplicaSyncStarted(Event):
    """A replica began a full sync from `source` (`seconds` to go)."""

    shard: int
    source: int
    seconds: float


@event
class ReplicaSynced(Event):
    """A replica finished its full sync: it holds its master's data and is in sync."""

    shard: int
    source: int


@event
class ReplicaSyncAborted(Event):
    """A full sync stopped before the end (a shard or node died)."""

    shard: int
    reason: str


@event
class FailoverStarted(Event):
    """The proxy stopped forwarding to a pair for a failover (planned or unplanned)."""

    bdb: int
    pair: int
    master: int
    replica: int
    planned: bool


@event
class FailoverCompleted(Event):
    """Roles swapped: `master` is the new master, `replica` the new replica."""

    bdb: int
    pair: int
    master: int
    replica: int
    planned: bool


@event
class FailoverAborted(Event):
    """A failover stopped (a shard of the pair died); roles are unchanged."""

    bdb: int
    pair: int
    reason: str


@event
class ReplicaMigrated(Event):
    """Replica HA re-created a replica on another node; it starts empty, with no file, and
    must sync. Its database, and the cluster for other nodes' failures, enter their cooldowns."""

    shard: int
    from_node: int
    to_node: int


@event
class ReplicaMigrationDeferred(Event):
    """Replica HA for a down node is held back until `until` (a cooldown's end), or until a
    condition clears (`until` null: no quorum, or some pair lost both its shards)."""

    node: int
    until: float | None
    reason: str


@event
class PairRecoveryStarted(Event):
    """A pair that lost every live copy is recovered from `shard`'s persistence file, whose
    point is `point` (null: no file anywhere, the pair comes back empty): that shard becomes
    master and loads it; the other shard full-syncs from it afterwards (SPEC §5)."""

    bdb: int
    pair: int
    shard: int
    point: float | None
    reason: str


@event
class PairRecoveryDeferred(Event):
    """A cluster recovery found a pair's only persistence files on down nodes: the pair waits
    for one of them to return (SPEC §5)."""

    bdb: int
    pair: int
    reason: str


# --- nodes and the cluster ---------------------------------------------------------------

@event
class NodeCrashed(Event):
    """A node went down: every shard process on it died at this instant."""

    node: int


@event
class NodeFailureDetected(Event):
    """The cluster noticed a node's failure (after the detection delay)."""

    node: int


@event
class NodeRecovered(Event):
    """A node is up again; its shard processes restart."""

    node: int


@event
class QuorumLost(Event):
    """At most half of the nodes are up: no client is served, management answers 503."""


@event
class QuorumRegained(Event):
    """More than half of the nodes are up again (a lost cluster still needs a recovery)."""


@event
class ClusterRecoverRequested(Event):
    """A `cluster_recover` step: `outcome` `started` (every pair is recovered from its newest
    file on an up node), `refused` (no quorum) or `noop` (the cluster is not lost)."""

    outcome: str
    reason: str


@event
class RandomFaultScheduled(Event):
    """The node's random-fault stream drew its next fault: `kind` (crash or recover) at `at`."""

    node: int
    kind: str
    at: float


# --- losses ------------------------------------------------------------------------------

@event
class KeysLost(Event):
    """The last copy of a pair's data is gone: `keys` and `bytes` present at t = 0 are lost."""

    bdb: int
    pair: int
    shard: int
    keys: int
    bytes: int
    reason: str


@event
class WritesLost(Event):
    """Acknowledged writes undone while the keys survived (replication lag, persistence
    window): those the pair acknowledged from `since` to `until`."""

    bdb: int
    pair: int
    shard: int
    writes: float
    since: float
    until: float
    reason: str
