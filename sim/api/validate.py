"""Validation of `POST /v1/bdbs/{uid}/modules/upgrade`, in the exact order of SPEC §2.

`validate(request, state)` is pure: it reads the state and returns `Accepted` or
`Rejected`; the first failing row decides. For several modules, each row is checked for
all of them (in list order) before the next row.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.api.codes import OK, ErrorCode
from sim.api.requests import ApiRequest, ModuleUpgradeBody, ModuleUpgradeItem, match_endpoint, parse_body
from sim.model.capabilities import missing_capabilities
from sim.model.state import BdbState, ClusterState
from sim.model.users import EDIT_BDB_MODULE, role_has_permission
from sim.model.versions import Version, is_version

__all__ = ["ModulePlan", "Accepted", "Rejected", "validate"]


@dataclass(frozen=True, slots=True)
class ModulePlan:
    """One module of an accepted upgrade: from which uploaded module to which."""

    module_name: str
    from_uid: str
    to_uid: str
    new_module_args: str | None


@dataclass(frozen=True, slots=True)
class Accepted:
    """An accepted upgrade: what the action will do."""

    bdb_uid: int
    modules: tuple[ModulePlan, ...]
    preserve_roles: bool
    may_discard_data: bool
    status: int = OK
    #: the target Redis version of a database upgrade (None: unchanged)
    redis_version: str | None = None
    force_discard: bool = False
    #: `parallel_shards_upgrade` for this action only (None: the cluster policy's)
    parallel: int | None = None
    #: False when nothing changes: the action completes at once, restarting nothing
    restart: bool = True


@dataclass(frozen=True, slots=True)
class Rejected:
    """A rejected request: HTTP status, `error_code` and a message naming the problem."""

    status: int
    error_code: ErrorCode
    message: str

    @classmethod
    def of(cls, code: ErrorCode, message: str) -> Rejected:
        """A rejection with the status the error code carries."""
        return cls(code.status, code, message)

    @property
    def body(self) -> dict[str, Any]:
        """The error object the API returns."""
        return {"error_code": self.error_code.value, "message": self.message}


@dataclass(slots=True)
class _Context:
    state: ClusterState
    bdb: BdbState
    body: ModuleUpgradeBody
    current: list[dict[str, str]]
    new: list[Any]

    @property
    def restarts(self) -> bool:
        """True when the request restarts shards: a module version changes, or `force_restart`
        (SPEC §2 "No change, no restart")."""
        return self.body.force_restart or any(cur["module_id"].lower() != new.uid.lower()
                                              for cur, new in zip(self.current, self.new))


def validate(request: ApiRequest, state: ClusterState) -> Accepted | Rejected:
    """Answer a module-upgrade request against the state at the moment it arrives."""
    endpoint = match_endpoint(request.method, request.path)
    if endpoint is None:
        raise ValueError(f"not a module-upgrade request: {request.method} {request.path}")
    rejected = _check_user(request, state)
    if rejected:
        return rejected
    uid_text = endpoint[1]["uid"]
    # ASCII digits only, as the real server parses them (`²` or a full-width `１` is no uid)
    bdb = state.bdbs.get(int(uid_text)) if uid_text.isascii() and uid_text.isdigit() else None
    if bdb is None:
        return Rejected.of(ErrorCode.BDB_NOT_FOUND, f"database {uid_text} does not exist")
    body, problem = parse_body(request.body)
    if body is None:
        return Rejected.of(ErrorCode.INVALID_REQUEST, problem)
    rejected = _check_forms(body, state, bdb)
    if rejected:
        return rejected
    ctx = _Context(state, bdb, body, [], [])
    for row in _ROWS:
        for index, item in enumerate(body.modules):
            rejected = row(ctx, index, item)
            if rejected:
                return rejected
    for database_row in _DATABASE_ROWS:
        rejected = database_row(ctx)
        if rejected:
            return rejected
    plans = tuple(
        ModulePlan(cur["module_name"], cur["module_id"], new.uid, item.new_module_args)
        for cur, new, item in zip(ctx.current, ctx.new, body.modules)
    )
    return Accepted(bdb.uid, plans, body.preserve_roles, body.may_discard_data, restart=ctx.restarts)


def _check_user(request: ApiRequest, state: ClusterState) -> Rejected | None:
    creds = request.credentials
    if creds is None:
        return Rejected.of(ErrorCode.UNAUTHORIZED, "no credentials were sent")
    if creds.implicit:
        return None
    user = state.users.get(creds.name or "")
    if user is None:
        return Rejected.of(ErrorCode.UNAUTHORIZED, f"unknown user {creds.name!r}")
    if user.password is not None and creds.password != user.password:
        return Rejected.of(ErrorCode.UNAUTHORIZED, f"wrong credentials for user {creds.name!r}")
    if not role_has_permission(user.role, EDIT_BDB_MODULE):
        return Rejected.of(ErrorCode.INSUFFICIENT_PERMISSIONS,
                           f"user {user.name!r} (role {user.role}) lacks the permission {EDIT_BDB_MODULE}")
    return None


def _check_forms(body: ModuleUpgradeBody, state: ClusterState, bdb: BdbState) -> Rejected | None:
    seen: set[str] = set()
    for i, item in enumerate(body.modules):
        where = f"modules[{i}]"
        by_name = item.module_name is not None or item.current_semantic_version is not None
        if by_name and (item.module_name is None or item.current_semantic_version is None):
            return _invalid(f"{where}: module_name and current_semantic_version must be given together")
        if not by_name and item.current_module is None:
            return _invalid(f"{where}: name the current module by current_module, "
                            "or by module_name and current_semantic_version")
        if by_name and not is_version(item.current_semantic_version):
            return _invalid(f"{where}.current_semantic_version: {item.current_semantic_version!r} is not a version")
        if by_name and item.current_module is not None:
            problem = _disagreement(state, bdb, item)
            if problem:
                return _invalid(f"{where}: {problem}")
        key = _identity(bdb, item)
        if key in seen:
            return _invalid(f"{where}: module {item.current_module or item.module_name} is listed twice")
        seen.add(key)
    return None


def _disagreement(state: ClusterState, bdb: BdbState, item: ModuleUpgradeItem) -> str | None:
    """Why the two identification forms of one item name different modules, if they do."""
    uid = str(item.current_module)
    known = _uploaded(state, uid)
    if known is not None and not _same_module(known.module_name, known.semantic_version, item):
        return (f"current_module {uid} is {known.module_name} {known.semantic_version}, "
                f"not {item.module_name} {item.current_semantic_version}")
    loaded = next((e for e in bdb.module_list if _same_module(e["module_name"], e["semantic_version"], item)), None)
    if known is None and loaded is not None and loaded["module_id"].lower() != uid.lower():
        return (f"{item.module_name} {item.current_semantic_version} on database {bdb.uid} is module "
                f"{loaded['module_id']}, not current_module {uid}")
    return None


def _identity(bdb: BdbState, item: ModuleUpgradeItem) -> str:
    """What an item names, so one module listed by uid and by name counts as a duplicate."""
    if item.current_module is not None:
        return item.current_module.lower()
    loaded = next((e for e in bdb.module_list if _same_module(e["module_name"], e["semantic_version"], item)), None)
    return loaded["module_id"].lower() if loaded is not None else f"name:{str(item.module_name).lower()}"


def _row_missing_module(ctx: _Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    current = _loaded(ctx.bdb, item)
    if current is None:
        named = item.current_module or f"{item.module_name} {item.current_semantic_version}"
        loaded = ", ".join(f"{e['module_name']} {e['semantic_version']}" for e in ctx.bdb.module_list) or "none"
        return Rejected.of(ErrorCode.MISSING_MODULE, f"modules[{i}]: module {named} is not loaded on database "
                           f"{ctx.bdb.uid} (it runs: {loaded})")
    new = _uploaded(ctx.state, item.new_module)
    if new is None:
        return Rejected.of(ErrorCode.MISSING_MODULE,
                           f"modules[{i}].new_module: module {item.new_module} is not uploaded to the cluster")
    if new.module_name.lower() != current["module_name"].lower():
        return Rejected.of(ErrorCode.MISSING_MODULE, f"modules[{i}].new_module: {item.new_module} is "
                           f"{new.module_name} {new.semantic_version}, not a version of {current['module_name']}")
    ctx.current.append(current)
    ctx.new.append(new)
    return None


def _row_downgrade(ctx: _Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    current, new = ctx.current[i], ctx.new[i]
    if Version(new.semantic_version) < Version(current["semantic_version"]):
        return Rejected.of(ErrorCode.MODULE_DOWNGRADE_UNSUPPORTED,
                           f"modules[{i}]: {new.module_name} {current['semantic_version']} -> {new.semantic_version} "
                           "is a downgrade")
    return None


def _row_redis_version(ctx: _Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    problem = redis_incompatibility(ctx.new[i], ctx.bdb.redis_version)
    if problem:
        return Rejected.of(ErrorCode.REDIS_INCOMPATIBLE_VERSION, f"modules[{i}]: {problem}; database "
                           f"{ctx.bdb.uid} runs Redis {ctx.bdb.redis_version}")
    return None


def redis_incompatibility(module: Any, redis_version: str) -> str | None:
    """Why a module version cannot run on a Redis version (SPEC §2 row 7), or None: its
    `min_redis_version` is higher, or its non-empty `compatible_redis_version` names another
    major.minor."""
    if module.min_redis_version is not None and Version(module.min_redis_version) > Version(redis_version):
        return f"{module.module_name} {module.semantic_version} needs min_redis_version {module.min_redis_version}"
    compatible = module.compatible_redis_version
    if compatible and _major_minor(compatible) != _major_minor(redis_version):
        return f"{module.module_name} {module.semantic_version} is built for Redis {compatible} " \
               "(compatible_redis_version)"
    return None


def _major_minor(version: str) -> tuple[int, int]:
    parts = Version(version).parts + (0, 0)
    return parts[0], parts[1]


def _row_pack_version(ctx: _Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    new, have = ctx.new[i], ctx.state.version
    if new.min_redis_pack_version is not None and Version(new.min_redis_pack_version) > Version(have):
        return Rejected.of(ErrorCode.REDIS_PACK_INCOMPATIBLE_VERSION,
                           f"modules[{i}]: {new.module_name} {new.semantic_version} needs min_redis_pack_version "
                           f"{new.min_redis_pack_version}; the cluster runs Redis Software {have}")
    return None


def _row_capabilities(ctx: _Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    new = ctx.new[i]
    missing = missing_capabilities(ctx.bdb.config, new.capabilities)
    if missing:
        return Rejected.of(ErrorCode.UNSUPPORTED_MODULE_CAPABILITIES,
                           f"modules[{i}]: {new.module_name} {new.semantic_version} lacks capabilities database "
                           f"{ctx.bdb.uid} needs: {', '.join(missing)}")
    return None


def _row_busy(ctx: _Context) -> Rejected | None:
    action = ctx.state.running_action(ctx.bdb.uid)
    if action is not None:
        return Rejected.of(ErrorCode.DB_BUSY, f"database {ctx.bdb.uid} is busy: action {action.uid} "
                           f"({action.name}, state {action.state}) is running")
    return None


def _row_quorum(ctx: _Context) -> Rejected | None:
    return quorum_rejection(ctx.state)


def quorum_rejection(state: ClusterState) -> Rejected | None:
    """503 no_quorum while the cluster has no quorum, or is lost and awaits a recovery (SPEC §5)."""
    if not state.quorum:
        return Rejected.of(ErrorCode.NO_QUORUM, "the cluster has no quorum: at most half of its nodes are up")
    if state.lost:
        return Rejected.of(ErrorCode.NO_QUORUM, "the cluster lost quorum and needs a cluster recovery "
                                                "(quorum_loss: requires_recovery)")
    return None


def _row_discard(ctx: _Context) -> Rejected | None:
    config = ctx.bdb.config
    if not config.replication and not config.is_persistent and not ctx.body.may_discard_data and ctx.restarts:
        return Rejected.of(ErrorCode.DISCARD_DATA_REQUIRED,
                           f"database {ctx.bdb.uid} has no replication and no persistence: upgrading discards its "
                           "data; set may_discard_data: true to allow it")
    return None


_ROWS: tuple[Callable[[_Context, int, ModuleUpgradeItem], Rejected | None], ...] = (
    _row_missing_module, _row_downgrade, _row_redis_version, _row_pack_version, _row_capabilities,
)
_DATABASE_ROWS: tuple[Callable[[_Context], Rejected | None], ...] = (_row_busy, _row_quorum, _row_discard)


def _invalid(message: str) -> Rejected:
    return Rejected.of(ErrorCode.INVALID_REQUEST, message)


def _uploaded(state: ClusterState, uid: str) -> Any:
    module = state.modules.get(uid)
    if module is None:
        module = next((m for m in state.modules.values() if m.uid.lower() == uid.lower()), None)
    return module


def _same_module(name: str, version: str, item: ModuleUpgradeItem) -> bool:
    return (name.lower() == str(item.module_name).lower()
            and Version(version) == Version(str(item.current_semantic_version)))


def _loaded(bdb: BdbState, item: ModuleUpgradeItem) -> dict[str, str] | None:
    for entry in bdb.module_list:
        if item.current_module is not None:
            if entry["module_id"].lower() == item.current_module.lower():
                return entry
        elif _same_module(entry["module_name"], entry["semantic_version"], item):
            return entry
    return None
