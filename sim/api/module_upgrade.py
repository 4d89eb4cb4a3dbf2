"""Validation of `POST /v1/bdbs/{uid}/modules/upgrade`, in the exact order of SPEC §2."""
from __future__ import annotations

from sim.api.codes import ErrorCode
from sim.api.forms import check_forms
from sim.api.requests import ApiRequest, parse_body
from sim.api.results import Accepted, ModulePlan, Rejected
from sim.api.rules import Context, check_access, check_database_rows, check_module_rows
from sim.model.state import ClusterState
from sim.model.users import EDIT_BDB_MODULE

__all__ = ["validate_module_upgrade"]


def validate_module_upgrade(request: ApiRequest, uid_text: str, state: ClusterState) -> Accepted | Rejected:
    """Answer a module-upgrade request for database `uid_text` against the state now: the first
    failing row of SPEC §2 decides."""
    bdb = check_access(request, uid_text, state, EDIT_BDB_MODULE)
    if isinstance(bdb, Rejected):
        return bdb
    body, problem = parse_body(request.body)
    if body is None:
        return Rejected.of(ErrorCode.INVALID_REQUEST, problem)
    rejected = check_forms(body.modules, state, bdb)
    if rejected:
        return rejected
    ctx = Context(state, bdb, body.modules, bdb.redis_version,
                  f"database {bdb.uid} runs Redis {bdb.redis_version}", may_discard=body.may_discard_data)
    rejected = check_module_rows(ctx)
    if rejected:
        return rejected
    # SPEC §2 "No change, no restart": shards restart only for a version change or force_restart
    ctx.restarts = body.force_restart or any(cur["module_id"].lower() != new.uid.lower()
                                             for cur, new in zip(ctx.current, ctx.new))
    rejected = check_database_rows(ctx)
    if rejected:
        return rejected
    plans = tuple(ModulePlan(cur["module_name"], cur["module_id"], new.uid, item.new_module_args)
                  for cur, new, item in zip(ctx.current, ctx.new, body.modules))
    return Accepted(bdb.uid, plans, body.preserve_roles, body.may_discard_data, restart=ctx.restarts)
