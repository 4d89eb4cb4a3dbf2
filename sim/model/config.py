"""Validated configuration of a cluster and its databases (REST field names, SPEC §1).

These pydantic models are the edge where user input is checked; the simulation itself
runs on the slotted dataclasses of `sim.model.state`. Unknown fields are errors.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveInt,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from sim.jsontext import has_lone_surrogate
from sim.model.capabilities import CAPABILITIES
from sim.model.sizes import parse_size, whole_number
from sim.model.users import ROLES
from sim.model.versions import Version

__all__ = [
    "Strict", "VersionText", "Size", "PolicySpec", "NodeSpec", "ModuleSpec", "UserSpec",
    "ClusterSpec", "ModuleRef", "Dataset", "Workload", "SnapshotRule", "DatabaseSpec", "PinnedShard",
    "EVICTION_POLICIES", "SIZE_SCHEMA", "bounded_text",
]


class Strict(BaseModel):
    """Base of every configuration model: immutable, unknown keys forbidden, numbers finite and
    within 64 bits, texts free of lone surrogates, and a boolean is never taken for a number
    (`at: true` is not 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _plain_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # the value first: the field's annotation is looked up only for a boolean (this runs for
        # every field of every model, and `model_fields` is no plain attribute)
        if not isinstance(value, bool) or info.field_name is None:
            return value
        if not _admits(cls.model_fields[info.field_name].annotation, bool):
            raise ValueError(f"expected a number or text, not the boolean {str(value).lower()}")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _bounded_values(cls, value: Any) -> Any:
        """The bounds of every setting (a model holding data as given overrides this by name)."""
        kind = type(value)  # this runs for every field of every model: the common cases first
        if kind is str:
            return bounded_text(value)
        if kind not in _BOUNDED:
            return value
        if kind in _CONTAINERS:
            if _has_lone_surrogate(value):  # texts nested in settings
                raise ValueError("a lone surrogate (\\ud800-\\udfff) is not text")
        elif kind is float and abs(value) > FLOAT_LIMIT:
            raise ValueError(f"{value:g} is too large (at most {FLOAT_LIMIT:g})")
        elif kind is int and not -INT_LIMIT <= value < INT_LIMIT:  # as the YAML reader and the log hold
            raise ValueError("too large: integers fit in 64 bits")
        return value


def bounded_text(value: Any) -> Any:
    """`value`; ValueError for a text holding a lone surrogate (no file or log could hold it)."""
    if type(value) is str and not value.isascii() and has_lone_surrogate(value):
        raise ValueError("a lone surrogate (\\ud800-\\udfff) is not text")
    return value


_CONTAINERS = (tuple, list, dict, frozenset)
#: The types `_bounded_values` looks into beyond texts.
_BOUNDED = frozenset({float, int, *_CONTAINERS})


def _has_lone_surrogate(value: Any) -> bool:
    """True when a text in `value` (a text, or texts within tuples, lists and dicts) holds a lone
    surrogate; other values inside (models, numbers) are not looked into: they are validated apart."""
    if type(value) is str:
        return not value.isascii() and has_lone_surrogate(value)
    if type(value) is dict:
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if type(value) in _CONTAINERS:
        return any(_has_lone_surrogate(item) for item in value)
    return False


#: Largest magnitude of a real-valued setting (seconds, rates, bounds): 10¹⁵ s is 30 million
#: years; with integers under 2⁶³ no figure derived from them can overflow.
FLOAT_LIMIT = 1e15
#: Integers are under 2⁶³ in magnitude, in data given in code as in a scenario file.
INT_LIMIT = 2**63


def _admits(annotation: Any, kind: type) -> bool:
    """True when a field's type takes values of `kind` (itself, Any, or a union holding one)."""
    if annotation is kind or annotation is Any:
        return True
    if get_origin(annotation) is Literal:  # `Literal[True]` takes a boolean
        return any(type(arg) is kind for arg in get_args(annotation))
    return any(_admits(arg, kind) for arg in get_args(annotation) if arg is not type(None))


def _version_text(value: object) -> str:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(
            f"write versions as quoted strings, e.g. '7.2' (YAML reads 7.10 as the number 7.1); got {value!r}"
        )
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"a version must be a string like 2.2.1, got {value!r}")
    Version(value)  # raises VersionError (a ValueError) with a clear message
    return value.strip()


def _size(value: object) -> int:
    return parse_size(value)


def _module_uid(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError("write a module uid as a quoted string of 32 hex characters "
                         "(YAML reads an unquoted all-digit uid as a number)")
    return value


VERSION_PATTERN = r"^\s*\d+(\.\d+)*(-\d+)?\s*$"
SIZE_PATTERN = r"^\s*\d+(\.\d+)?([eE][+-]?\d+)?\s*([kKmMgGtT]([iI][bB]|[bB])?|[bB])?\s*$"
#: JSON Schema of a byte size as written in a file: an integer, or a number with a unit.
SIZE_SCHEMA = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": SIZE_PATTERN}],
               "description": "bytes: an integer or a string such as 2GB or 512MiB"}

def _optional_version_text(value: object) -> object:
    """An empty string means none (real clusters send `compatible_redis_version: ""`)."""
    return None if value == "" else _version_text(value) if value is not None else None


def _shard_uid(value: object) -> object:
    """A shard uid as the vendor writes it (a string of digits) or as an integer."""
    uid = whole_number(value) if isinstance(value, str) else None
    return uid if uid is not None else value


_SLOTS = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")


def _slots_text(value: object) -> str:
    if not isinstance(value, str) or not _SLOTS.match(value.replace(" ", "")):
        raise ValueError(f"slots must be the vendor's assigned_slots text such as '0-8191' or '0-99,200-299', "
                         f"got {value!r}")
    return value.replace(" ", "")


VersionText = Annotated[str, BeforeValidator(_version_text), WithJsonSchema(
    {"anyOf": [{"type": "string", "pattern": VERSION_PATTERN}, {"type": "integer", "minimum": 0}],
     "description": "a version such as 2.2.1 or 7.4.2-54 (quote versions with one dot: '7.2')"})]
OptionalVersionText = Annotated[str | None, BeforeValidator(_optional_version_text), WithJsonSchema(
    {"anyOf": [{"type": "string", "pattern": VERSION_PATTERN + "|^$"}, {"type": "null"}],
     "description": "a version such as 7.4, or empty / null for none"})]
ShardUid = Annotated[int, BeforeValidator(_shard_uid), Field(gt=0), WithJsonSchema(
    {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^[0-9]+$"}]})]
SlotsText = Annotated[str, BeforeValidator(_slots_text), WithJsonSchema(
    {"type": "string", "pattern": r"^\d+(-\d+)?(,\d+(-\d+)?)*$",
     "description": "hash slots as the vendor writes assigned_slots, e.g. 0-8191"})]
ModuleUid = Annotated[str, BeforeValidator(_module_uid), Field(pattern=r"^[0-9a-fA-F]{32}$",
                                                              description="32 hex characters")]
Size = Annotated[int, BeforeValidator(_size), Field(ge=0), WithJsonSchema(SIZE_SCHEMA)]
#: A capability name: SPEC §4's names play in the mapping; other names (real clusters declare
#: more) are kept and play no part in it.
Capability = Annotated[str, Field(min_length=1, examples=list(CAPABILITIES))]

EVICTION_POLICIES = (
    "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
)


class PolicySpec(Strict):
    """Cluster policy fields the upgrade depends on, with the vendor's defaults."""

    parallel_shards_upgrade: NonNegativeInt = Field(0, description="shards of one database upgraded at a time; 0 = all")
    failure_detection_sensitivity: Literal["high", "low"] = "high"
    max_slave_full_syncs: NonNegativeInt = Field(0, description="full syncs into one node at a time; 0 = unlimited")
    max_redis_forks: NonNegativeInt = Field(0, description="full syncs served from one node at a time; 0 = unlimited")
    slave_ha: bool = True
    slave_ha_grace_period: NonNegativeFloat = Field(600, description="seconds a node is down before its replicas move")
    slave_ha_cooldown_period: NonNegativeFloat = Field(
        3600, description="seconds after a replica migration during which another node's failure migrates nothing")
    slave_ha_bdb_cooldown_period: NonNegativeFloat = Field(
        7200, description="seconds after a database's replica migrated during which none of its replicas migrate")
    quorum_loss: Literal["requires_recovery", "resume"] = Field(
        "requires_recovery", description="requires_recovery (the vendor's): a cluster that lost quorum serves nothing "
                                         "until a cluster_recover step; resume: service resumes when quorum returns")


class NodeSpec(Strict):
    """A cluster node."""

    uid: PositiveInt
    rack_id: str | None = None
    quorum_only: bool = False
    max_redis_servers: PositiveInt = 100


class ModuleSpec(Strict):
    """An uploaded module package; several versions of one module may coexist."""

    uid: ModuleUid
    module_name: str = Field(min_length=1)
    semantic_version: VersionText
    version: NonNegativeInt | None = Field(None, description="integer encoding; default major*10000+minor*100+patch")
    min_redis_version: VersionText | None = None
    min_redis_pack_version: VersionText | None = None
    compatible_redis_version: OptionalVersionText = None
    capabilities: tuple[Capability, ...] = ()

    @model_validator(mode="after")
    def _encode_version(self) -> ModuleSpec:
        if self.version is None:
            parts = (Version(self.semantic_version).parts + (0, 0, 0))[:3]
            object.__setattr__(self, "version", parts[0] * 10000 + parts[1] * 100 + parts[2])
        return self


class UserSpec(Strict):
    """A cluster user with a management role."""

    name: str = Field(min_length=1)
    role: Literal[ROLES]  # type: ignore[valid-type]
    email: str | None = None
    password: str | None = Field(None, description="when set, requests naming this user must give it")


class ClusterSpec(Strict):
    """The cluster: version, policy, nodes, uploaded modules and users."""

    name: str = "cluster"
    version: VersionText = "7.4.2-54"
    redis_versions: tuple[VersionText, ...] = Field(
        ("6.2", "7.2", "7.4"), min_length=1,
        description="Redis versions the cluster can run; the highest is a database upgrade's default target")
    rack_aware: bool = False
    policy: PolicySpec = PolicySpec()
    nodes: list[NodeSpec] = Field(min_length=1)
    modules: list[ModuleSpec] = []
    users: list[UserSpec] = []


class ModuleRef(Strict):
    """A `module_list` entry: a module by `module_id`, or by `module_name` + `semantic_version`."""

    module_id: ModuleUid | None = None
    module_name: str | None = None
    semantic_version: VersionText | None = None
    module_args: str = ""

    @model_validator(mode="after")
    def _one_form(self) -> ModuleRef:
        if self.module_id is None and (self.module_name is None or self.semantic_version is None):
            raise ValueError("name the module by module_id, or by module_name and semantic_version")
        return self


class Dataset(Strict):
    """The database's data: totals, split evenly over its masters."""

    bytes: Size = 0
    keys: NonNegativeInt = 0


class Workload(Strict):
    """Client traffic: totals per second, split evenly over the masters."""

    reads_per_sec: NonNegativeInt = 0
    writes_per_sec: NonNegativeInt = 0


class SnapshotRule(Strict):
    """One snapshot rule: a snapshot every `secs` seconds (when `writes` writes happened)."""

    secs: PositiveInt
    writes: NonNegativeInt = 1


class PinnedShard(Strict):
    """One shard of a pinned placement (SPEC §9 `shards:`): as `GET /v1/shards` lists it."""

    uid: ShardUid
    node: PositiveInt
    role: Literal["master", "slave"]
    slots: SlotsText


class DatabaseSpec(Strict):
    """A database (bdb) with the vendor's defaults, plus its dataset and workload."""

    uid: PositiveInt
    name: str | None = None
    redis_version: VersionText = "7.2"
    replication: bool = False
    data_persistence: Literal["disabled", "aof", "snapshot"] = "disabled"
    aof_policy: Literal["appendfsync-every-sec", "appendfsync-always"] = "appendfsync-every-sec"
    snapshot_policy: tuple[SnapshotRule, ...] = (SnapshotRule(secs=3600, writes=1),)
    master_persistence: bool = Field(False, description="persist on the masters too (the vendor's default: "
                                                        "a replicated database persists on its replicas only)")
    sharding: bool | None = Field(None, description="default: true when shards_count > 1")
    shards_count: PositiveInt = 1
    shards_placement: Literal["dense", "sparse"] = "dense"
    rack_aware: bool = False
    eviction_policy: Literal[EVICTION_POLICIES] = "volatile-lru"  # type: ignore[valid-type]
    crdt: bool = False
    bigstore: bool = False
    replica_sources: tuple[str, ...] = ()
    data_internode_encryption: bool = False
    shard_key_regex: tuple[str, ...] | None = Field(None, description="custom hashing regexes; default: the vendor's")
    module_list: tuple[ModuleRef, ...] = ()
    dataset: Dataset = Dataset()
    workload: Workload = Workload()
    max_aof_load_time: NonNegativeFloat = Field(3600, description="seconds an AOF reload may take before it fails")
    shards: tuple[PinnedShard, ...] | None = Field(
        None, description="pinned placement instead of the placement algorithm: every shard with its node, "
                          "role and slots (a master and the replica with the same slots form a pair)")

    @model_validator(mode="after")
    def _sharding_allows_the_shards(self) -> DatabaseSpec:
        if self.sharding is False and self.shards_count > 1:
            raise ValueError(f"sharding: false allows one shard, not shards_count {self.shards_count}")
        if self.data_persistence == "snapshot" and not self.snapshot_policy:
            raise ValueError("a snapshot database needs at least one snapshot_policy rule ({secs, writes})")
        return self

    @property
    def holds_files(self) -> tuple[bool, bool]:
        """Whether (masters, replicas) hold a persistence file (SPEC §5 "Who holds a persistence
        file"): none without persistence; the masters of a non-replicated database; the replicas of
        a replicated one, and its masters too with `master_persistence`."""
        if self.data_persistence == "disabled":
            return False, False
        if not self.replication:
            return True, False
        return self.master_persistence, True

    @property
    def display_name(self) -> str:
        """The database's name, `db<uid>` when none was given."""
        return self.name or f"db{self.uid}"

    @property
    def is_persistent(self) -> bool:
        """True when the database persists its data (AOF or snapshot)."""
        return self.data_persistence != "disabled"
