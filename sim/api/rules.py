"""The rows of SPEC §2's table that both upgrade requests check (§10 reuses rows 1–3, 5–12).

Each row is a function returning a `Rejected` or None. Module rows (5–9) run for every item
of `modules`, in list order, before the next row; database rows (10–12) run once.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sim.api.codes import ErrorCode
from sim.api.forms import loaded, uploaded
from sim.api.requests import ApiRequest, Credentials, ModuleUpgradeItem
from sim.api.results import Rejected
from sim.model.capabilities import missing_capabilities
from sim.model.config import ModuleSpec
from sim.model.sizes import whole_number
from sim.model.state import BdbState, ClusterState
from sim.model.users import role_has_permission
from sim.model.versions import Version

__all__ = [
    "Context", "check_access", "check_module_rows", "check_database_rows", "redis_incompatibility",
    "pack_incompatibility", "capability_rejection", "quorum_rejection",
]


@dataclass(slots=True)
class Context:
    """What the rows of one request read: the database, the explicit module items, the Redis
    version new modules must suit (and how a message names it), and what the request does."""

    state: ClusterState
    bdb: BdbState
    items: Sequence[ModuleUpgradeItem]
    redis_version: str
    redis_where: str
    may_discard: bool = False
    discard_flags: str = "may_discard_data: true"
    restarts: bool = True
    #: filled by row 5: the loaded entry and the new uploaded module of each item
    current: list[dict[str, str]] = field(default_factory=list)
    new: list[ModuleSpec] = field(default_factory=list)


def check_user(state: ClusterState, creds: Credentials | None, permits: Callable[[str], bool],
               lacking: str) -> Rejected | None:
    """Rows 1–2, for any request (the REST twin's reads too): no credentials, an unknown user or a
    wrong password is 401; a role `permits` refuses is 403, the message ending with `lacking`."""
    if creds is None:
        return Rejected.of(ErrorCode.UNAUTHORIZED, "no credentials were sent")
    if creds.implicit:
        return None
    user = state.users.get(creds.name or "")
    if user is None:
        return Rejected.of(ErrorCode.UNAUTHORIZED, f"unknown user {creds.name!r}")
    if user.password is not None and creds.password != user.password:
        return Rejected.of(ErrorCode.UNAUTHORIZED, f"wrong credentials for user {creds.name!r}")
    if not permits(user.role):
        return Rejected.of(ErrorCode.INSUFFICIENT_PERMISSIONS, f"user {user.name!r} (role {user.role}) {lacking}")
    return None


def check_access(request: ApiRequest, uid_text: str, state: ClusterState,
                 permission: str) -> BdbState | Rejected:
    """Rows 1–3: credentials (401), the role's `permission` (403), the database (404)."""
    rejected = check_user(state, request.credentials, lambda role: role_has_permission(role, permission),
                          f"lacks the permission {permission}")
    if rejected is not None:
        return rejected
    uid = whole_number(uid_text)
    bdb = state.bdbs.get(uid) if uid is not None else None
    if bdb is None:
        return Rejected.of(ErrorCode.BDB_NOT_FOUND, f"database {uid_text} does not exist")
    return bdb


def check_module_rows(ctx: Context) -> Rejected | None:
    """Rows 5–9 for every item, each row for all items before the next."""
    for row in _MODULE_ROWS:
        for index, item in enumerate(ctx.items):
            rejected = row(ctx, index, item)
            if rejected:
                return rejected
    return None


def check_database_rows(ctx: Context) -> Rejected | None:
    """Rows 10–12: busy (409), quorum (503), discarding data without leave (406)."""
    for row in (_row_busy, _row_quorum, _row_discard):
        rejected = row(ctx)
        if rejected:
            return rejected
    return None


def _row_missing_module(ctx: Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    current = loaded(ctx.bdb, item)
    if current is None:
        named = item.current_module or f"{item.module_name} {item.current_semantic_version}"
        running = ", ".join(f"{e['module_name']} {e['semantic_version']}" for e in ctx.bdb.module_list) or "none"
        return Rejected.of(ErrorCode.MISSING_MODULE, f"modules[{i}]: module {named} is not loaded on database "
                           f"{ctx.bdb.uid} (it runs: {running})")
    new = uploaded(ctx.state, item.new_module)
    if new is None:
        return Rejected.of(ErrorCode.MISSING_MODULE,
                           f"modules[{i}].new_module: module {item.new_module} is not uploaded to the cluster")
    if new.module_name.lower() != current["module_name"].lower():
        return Rejected.of(ErrorCode.MISSING_MODULE, f"modules[{i}].new_module: {item.new_module} is "
                           f"{new.module_name} {new.semantic_version}, not a version of {current['module_name']}")
    ctx.current.append(current)
    ctx.new.append(new)
    return None


def _row_downgrade(ctx: Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    current, new = ctx.current[i], ctx.new[i]
    if Version(new.semantic_version) < Version(current["semantic_version"]):
        return Rejected.of(ErrorCode.MODULE_DOWNGRADE_UNSUPPORTED,
                           f"modules[{i}]: {new.module_name} {current['semantic_version']} -> {new.semantic_version} "
                           "is a downgrade")
    return None


def _row_redis_version(ctx: Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    problem = redis_incompatibility(ctx.new[i], ctx.redis_version)
    if problem:
        return Rejected.of(ErrorCode.REDIS_INCOMPATIBLE_VERSION, f"modules[{i}]: {problem}; {ctx.redis_where}")
    return None


def redis_incompatibility(module: ModuleSpec, redis_version: str) -> str | None:
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


def pack_incompatibility(module: ModuleSpec, cluster_version: str) -> str | None:
    """Why a module version cannot run on the cluster's Redis Software version (row 8), or None."""
    if module.min_redis_pack_version is not None and Version(module.min_redis_pack_version) > Version(cluster_version):
        return (f"{module.module_name} {module.semantic_version} needs min_redis_pack_version "
                f"{module.min_redis_pack_version}; the cluster runs Redis Software {cluster_version}")
    return None


def _row_pack_version(ctx: Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    problem = pack_incompatibility(ctx.new[i], ctx.state.version)
    return Rejected.of(ErrorCode.REDIS_PACK_INCOMPATIBLE_VERSION, f"modules[{i}]: {problem}") if problem else None


def _row_capabilities(ctx: Context, i: int, item: ModuleUpgradeItem) -> Rejected | None:
    return capability_rejection(ctx.bdb, f"modules[{i}]", ctx.new[i])


def capability_rejection(bdb: BdbState, where: str, module: ModuleSpec) -> Rejected | None:
    """Row 9: 406 when `module` lacks a capability the database's configuration needs (SPEC §4)."""
    missing = missing_capabilities(bdb.config, module.capabilities)
    if missing:
        return Rejected.of(ErrorCode.UNSUPPORTED_MODULE_CAPABILITIES,
                           f"{where}: {module.module_name} {module.semantic_version} lacks capabilities database "
                           f"{bdb.uid} needs: {', '.join(missing)}")
    return None


_MODULE_ROWS: tuple[Callable[[Context, int, ModuleUpgradeItem], Rejected | None], ...] = (
    _row_missing_module, _row_downgrade, _row_redis_version, _row_pack_version, _row_capabilities,
)


def _row_busy(ctx: Context) -> Rejected | None:
    action = ctx.state.running_action(ctx.bdb.uid)
    if action is not None:
        return Rejected.of(ErrorCode.DB_BUSY, f"database {ctx.bdb.uid} is busy: action {action.uid} "
                           f"({action.name}, state {action.state}) is running")
    return None


def _row_quorum(ctx: Context) -> Rejected | None:
    return quorum_rejection(ctx.state)


def quorum_rejection(state: ClusterState) -> Rejected | None:
    """503 no_quorum while the cluster has no quorum, or is lost and awaits a recovery (SPEC §5)."""
    if not state.quorum:
        return Rejected.of(ErrorCode.NO_QUORUM, "the cluster has no quorum: at most half of its nodes are up")
    if state.lost:
        return Rejected.of(ErrorCode.NO_QUORUM, "the cluster lost quorum and needs a cluster recovery "
                                                "(quorum_loss: requires_recovery)")
    return None


def _row_discard(ctx: Context) -> Rejected | None:
    config = ctx.bdb.config
    if not config.replication and not config.is_persistent and not ctx.may_discard and ctx.restarts:
        return Rejected.of(ErrorCode.DISCARD_DATA_REQUIRED,
                           f"database {ctx.bdb.uid} has no replication and no persistence: upgrading discards its "
                           f"data; set {ctx.discard_flags} to allow it")
    return None
