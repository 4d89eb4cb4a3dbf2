"""Whole-state snapshots as plain JSON data, and back (the first event of every log).

The two tables that grow with the cluster, its shards and each database's pairs, are
written by column (`{"uid": [1, 2, …], "role": ["master", "slave", …], …}`): a
10,000-shard snapshot is half the size of the same rows as objects and three times
faster to encode. Small tables (nodes, modules, users, actions) are lists of objects.
"""
from __future__ import annotations

from dataclasses import MISSING, asdict, fields
from itertools import repeat
from operator import attrgetter
from typing import Any

from sim.model.config import DatabaseSpec, ModuleSpec, PolicySpec, UserSpec
from sim.model.state import (
    ActionState, BdbState, ClusterState, FailoverRun, NodeState, PairState, ShardState,
)

__all__ = ["to_snapshot", "from_snapshot", "SHARD_COLUMNS", "PAIR_COLUMNS", "rows_to_columns"]

#: Columns of the shard table: the fields of `ShardState` in its order.
SHARD_COLUMNS = tuple(f.name for f in fields(ShardState))
#: Columns of a database's pair table: the fields of `PairState` after its database's uid.
PAIR_COLUMNS = tuple(f.name for f in fields(PairState))[1:]
#: A column whose every value is its field's default is left out (most of a t = 0 state's
#: working fields) and read back as that default.
_DEFAULTS = {f.name: f.default for cls in (ShardState, PairState) for f in fields(cls) if f.default is not MISSING}
_NODE_FIELDS = tuple(f.name for f in fields(NodeState))
_ACTION_FIELDS = tuple(f.name for f in fields(ActionState))


def to_snapshot(state: ClusterState) -> dict[str, Any]:
    """The whole state as JSON-compatible data (deterministic key and list order)."""
    return {
        "cluster": {"name": state.name, "version": state.version, "rack_aware": state.rack_aware,
                    "redis_versions": list(state.redis_versions), "policy": state.policy.model_dump(mode="json"),
                    "quorum": state.quorum, "lost": state.lost, "ha_cooldown_until": state.ha_cooldown_until,
                    "ha_cooldown_node": state.ha_cooldown_node},
        "nodes": [{f: getattr(n, f) for f in _NODE_FIELDS} for n in state.nodes.values()],
        "modules": [m.model_dump(mode="json") for m in state.modules.values()],
        "users": [u.model_dump(mode="json") for u in state.users.values()],
        "bdbs": [{"config": _Dumped(b.config), "status": b.status,
                  "module_list": b.module_list, "action_uid": b.action_uid, "redis_version": b.redis_version,
                  "ha_cooldown_until": b.ha_cooldown_until, "pairs": _pair_columns(b.pairs)}
                 for b in state.bdbs.values()],
        "shards": _shard_columns(list(state.shards.values())),
        "actions": [{**{f: getattr(a, f) for f in _ACTION_FIELDS}, "restarted": list(a.restarted)}
                    for a in state.actions.values()],
    }


def from_snapshot(data: dict[str, Any]) -> ClusterState:
    """Rebuild a state from `to_snapshot` data."""
    cluster = data["cluster"]
    state = ClusterState(
        name=cluster["name"], version=cluster["version"], rack_aware=cluster["rack_aware"],
        redis_versions=tuple(cluster["redis_versions"]), policy=PolicySpec.model_validate(cluster["policy"]),
        quorum=cluster["quorum"], lost=cluster["lost"], ha_cooldown_until=cluster["ha_cooldown_until"],
        ha_cooldown_node=cluster["ha_cooldown_node"],
        nodes={n["uid"]: NodeState(**n) for n in data["nodes"]},
        modules={m["uid"]: ModuleSpec.model_validate(m) for m in data["modules"]},
        users={u["name"]: UserSpec.model_validate(u) for u in data["users"]},
    )
    for b in data["bdbs"]:
        dumped = b["config"]
        config = dumped.model if type(dumped) is _Dumped else DatabaseSpec.model_validate(dumped)
        columns = _rows(b["pairs"], PAIR_COLUMNS, f"pair table of database {config.uid}")
        columns[PAIR_COLUMNS.index("shards")] = list(map(tuple, columns[PAIR_COLUMNS.index("shards")]))
        index = PAIR_COLUMNS.index("failover")
        columns[index] = [None if f is None else FailoverRun(**f) for f in columns[index]]
        pairs = list(map(PairState, repeat(config.uid), *columns))
        state.bdbs[config.uid] = BdbState(config, b["status"], [dict(e) for e in b["module_list"]],
                                          b["action_uid"], pairs, b["redis_version"], b["ha_cooldown_until"])
    columns = _rows(data["shards"], SHARD_COLUMNS, "shard table")
    index = SHARD_COLUMNS.index("modules")
    columns[index] = list(map(dict, columns[index]))
    state.shards = {shard.uid: shard for shard in map(ShardState, *columns)}
    state.shards_by_node = {uid: {} for uid in state.nodes}
    for shard in state.shards.values():
        state.shards_by_node[shard.node_uid][shard.uid] = None
    for a in data["actions"]:
        state.actions[a["uid"]] = ActionState(**{**a, "restarted": dict.fromkeys(a["restarted"])})
    return state


class _Dumped(dict[str, Any]):
    """A database's configuration as JSON data that remembers the (immutable) model it was dumped
    from: `from_snapshot` of a live run's snapshot reuses the model instead of validating its
    own dump again; data read from a log is a plain dict, and validated."""

    __slots__ = ("model",)

    def __init__(self, model: DatabaseSpec) -> None:
        super().__init__(model.model_dump(mode="json"))
        self.model = model


def rows_to_columns(rows: list[dict[str, Any]], names: tuple[str, ...]) -> dict[str, list[Any]]:
    """A table given as a list of objects (format version 1 of the log) as columns."""
    return {name: [row[name] for row in rows] for name in names}


def _columns(items: list[Any], names: tuple[str, ...]) -> dict[str, list[Any]]:
    """The table of `items` by column, without the columns that hold only their default."""
    table = {}
    for name in names:
        column = list(map(attrgetter(name), items))
        default = _DEFAULTS.get(name, MISSING)
        if default is MISSING or any(value != default or type(value) is not type(default) for value in column):
            table[name] = column
    return table


def _shard_columns(shards: list[ShardState]) -> dict[str, list[Any]]:
    table = _columns(shards, SHARD_COLUMNS)
    table["modules"] = list(map(dict, table["modules"]))
    return table


def _pair_columns(pairs: list[PairState]) -> dict[str, list[Any]]:
    table = _columns(pairs, PAIR_COLUMNS)
    table["shards"] = list(map(list, table["shards"]))
    if "failover" in table:
        table["failover"] = [None if f is None else asdict(f) for f in table["failover"]]
    return table


def _rows(table: dict[str, list[Any]], names: tuple[str, ...], what: str) -> list[Any]:
    """The columns of `table` in the order of `names` (the constructor's), a left-out column
    as its default; refuses columns of different lengths."""
    length = max((len(column) for column in table.values()), default=0)
    columns = [table[name] if name in table or name not in _DEFAULTS else [_DEFAULTS[name]] * length
               for name in names]
    if len({len(column) for column in columns}) > 1:
        lengths = ", ".join(f"{name} {len(column)}" for name, column in zip(names, columns))
        raise ValueError(f"columns of different lengths in the {what}: {lengths}")
    return columns
