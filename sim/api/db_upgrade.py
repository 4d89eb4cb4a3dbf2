"""Validation of `POST /v1/bdbs/{uid}/upgrade` (the database upgrade), in the order of SPEC §10.

401, 403 (`update_bdb_with_action`), 404, 400 `invalid_request`; 400 `invalid_version` (the
target is not one of the cluster's `redis_versions`); 400 `redis_downgrade_unsupported`; rows
5–9 of §2 for the explicit `modules`, row 7 against the *target*; 400 `upgrade_bdb_failed` (a
loaded module has no *allowed* version); row 9 for the versions chosen implicitly; then rows
10–12 (`discard_data_required` only when shards will restart).
"""
from __future__ import annotations

from sim.api.codes import ErrorCode
from sim.api.forms import check_forms, invalid, uploaded
from sim.api.requests import ApiRequest, DbUpgradeBody, parse_db_upgrade_body
from sim.api.results import DB_UPGRADE, Accepted, ModulePlan, Rejected
from sim.api.rules import (
    Context, capability_rejection, check_access, check_database_rows, check_module_rows, pack_incompatibility,
    redis_incompatibility,
)
from sim.model.config import ModuleSpec
from sim.model.state import BdbState, ClusterState
from sim.model.users import UPDATE_BDB_WITH_ACTION
from sim.model.versions import Version, is_version

__all__ = ["validate_db_upgrade", "allowed_problem", "target_version"]

#: A loaded module and the uploaded version it runs after the upgrade.
_Choice = tuple[dict[str, str], ModuleSpec]


def validate_db_upgrade(request: ApiRequest, uid_text: str, state: ClusterState) -> Accepted | Rejected:
    """Answer a database-upgrade request for database `uid_text` against the state now: the
    first failing check of SPEC §10 decides."""
    bdb = check_access(request, uid_text, state, UPDATE_BDB_WITH_ACTION)
    if isinstance(bdb, Rejected):
        return bdb
    body, problem = parse_db_upgrade_body(request.body)
    if body is None:
        return invalid(problem)
    rejected = check_forms(body.modules, state, bdb) or _check_keep(body, bdb)
    if rejected:
        return rejected
    target = target_version(body, state, bdb)
    if isinstance(target, Rejected):
        return target
    ctx = Context(state, bdb, body.modules, target, f"the upgrade's target is Redis {target}",
                  may_discard=body.may_discard_data or body.force_discard,
                  discard_flags="may_discard_data: true (or force_discard: true)")
    rejected = check_module_rows(ctx)
    if rejected:
        return rejected
    implicit = _implicit_choices(ctx, body.latest_with_modules)
    if isinstance(implicit, Rejected):
        return implicit
    for entry, module in implicit:  # row 9 for the versions the request did not name
        rejected = capability_rejection(bdb, f"module {entry['module_name']} (chosen for Redis {target})", module)
        if rejected:
            return rejected
    explicit = list(zip(ctx.current, ctx.new))
    changes_version = Version(target) != Version(bdb.redis_version)
    ctx.restarts = body.force_restart or changes_version or any(
        entry["module_id"].lower() != module.uid.lower() for entry, module in explicit + implicit)
    rejected = check_database_rows(ctx)
    if rejected:
        return rejected
    plans = [ModulePlan(cur["module_name"], cur["module_id"], new.uid, item.new_module_args)
             for (cur, new), item in zip(explicit, body.modules)]
    plans += [ModulePlan(entry["module_name"], entry["module_id"], module.uid, None)
              for entry, module in implicit if entry["module_id"].lower() != module.uid.lower()]
    return Accepted(bdb.uid, tuple(plans), body.preserve_roles, body.may_discard_data,
                    redis_version=target if changes_version else None, force_discard=body.force_discard,
                    parallel=body.parallel_shards_upgrade, restart=ctx.restarts, endpoint=DB_UPGRADE)


def _check_keep(body: DbUpgradeBody, bdb: BdbState) -> Rejected | None:
    """Row 4: the deprecated `keep_redis_version: true` and a `redis_version` naming another version
    contradict each other [OURS]."""
    if body.keep_redis_version and body.redis_version is not None and not (
            is_version(body.redis_version) and Version(body.redis_version) == Version(bdb.redis_version)):
        return invalid(f"keep_redis_version: true keeps Redis {bdb.redis_version}, but redis_version asks for "
                       f"{body.redis_version!r}: give one or the other")
    return None


def target_version(body: DbUpgradeBody, state: ClusterState, bdb: BdbState) -> str | Rejected:
    """The target Redis version as the cluster spells it (`redis_version`; the current one with
    `keep_redis_version`; default the highest of `redis_versions`), or 400 `invalid_version` /
    `redis_downgrade_unsupported`."""
    known = ", ".join(state.redis_versions)
    if body.keep_redis_version:
        requested = bdb.redis_version
    elif body.redis_version is not None:
        requested = body.redis_version
    else:
        requested = max(state.redis_versions, key=Version)
    match = next((v for v in state.redis_versions if is_version(requested) and Version(v) == Version(requested)), None)
    if match is None:
        return Rejected.of(ErrorCode.INVALID_VERSION, f"redis_version {requested!r} is not a Redis version this "
                                                      f"cluster can run (redis_versions: {known})")
    if Version(match) < Version(bdb.redis_version):
        return Rejected.of(ErrorCode.REDIS_DOWNGRADE_UNSUPPORTED,
                           f"redis_version {match} is lower than database {bdb.uid}'s Redis {bdb.redis_version}: "
                           "the target must be higher than (or equal to) the current version")
    return match


def allowed_problem(module: ModuleSpec, redis_version: str, cluster_version: str) -> str | None:
    """Why a module version is not *allowed* with a target Redis version (SPEC §10), or None:
    `min_redis_version`, a non-empty `compatible_redis_version`, `min_redis_pack_version`."""
    return redis_incompatibility(module, redis_version) or pack_incompatibility(module, cluster_version)


def _implicit_choices(ctx: Context, latest: bool) -> list[_Choice] | Rejected:
    """The version each loaded module not named in `modules` runs after the upgrade: with
    `latest_with_modules`, the highest allowed uploaded version not lower than the loaded one;
    without, the loaded one, which must be allowed. 400 `upgrade_bdb_failed` when there is none."""
    named = {entry["module_id"].lower() for entry in ctx.current}
    choices: list[_Choice] = []
    for entry in ctx.bdb.module_list:
        if entry["module_id"].lower() in named:
            continue
        choice = _latest(ctx, entry) if latest else _kept(ctx, entry)
        if isinstance(choice, Rejected):
            return choice
        choices.append((entry, choice))
    return choices


def _latest(ctx: Context, entry: dict[str, str]) -> ModuleSpec | Rejected:
    name, have = entry["module_name"], Version(entry["semantic_version"])
    versions = sorted((m for m in ctx.state.modules.values()
                       if m.module_name.lower() == name.lower() and Version(m.semantic_version) >= have),
                      key=lambda m: Version(m.semantic_version), reverse=True)
    reasons = []
    for module in versions:
        problem = allowed_problem(module, ctx.redis_version, ctx.state.version)
        if problem is None:
            return module
        reasons.append(problem)
    return Rejected.of(ErrorCode.UPGRADE_BDB_FAILED,
                       f"module {name} {entry['semantic_version']} has no uploaded version (not lower than "
                       f"{entry['semantic_version']}) allowed with Redis {ctx.redis_version}: {'; '.join(reasons)}")


def _kept(ctx: Context, entry: dict[str, str]) -> ModuleSpec | Rejected:
    module = uploaded(ctx.state, entry["module_id"])
    if module is None:  # a loaded module is uploaded (the scenario is checked): a bug if not
        raise LookupError(f"loaded module {entry['module_id']} is not uploaded")
    problem = allowed_problem(module, ctx.redis_version, ctx.state.version)
    if problem:
        return Rejected.of(ErrorCode.UPGRADE_BDB_FAILED,
                           f"module {entry['module_name']} {entry['semantic_version']} stays loaded "
                           f"(latest_with_modules: false) but is not allowed with Redis {ctx.redis_version}: {problem}")
    return module
