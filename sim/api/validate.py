"""Validation of the upgrade requests, dispatched by endpoint: `validate(request, state)`.

Pure: it reads the state and returns `Accepted` or `Rejected`; the first failing row of the
request's table decides (SPEC §2 for `modules/upgrade`, §10 for `upgrade`).
"""
from __future__ import annotations

from collections.abc import Callable

from sim.api.db_upgrade import validate_db_upgrade
from sim.api.module_upgrade import validate_module_upgrade
from sim.api.requests import ApiRequest, match_endpoint
from sim.api.results import DB_UPGRADE, MODULE_UPGRADE, Accepted, ModulePlan, Rejected
from sim.model.state import ClusterState

__all__ = ["ModulePlan", "Accepted", "Rejected", "validate"]

#: Endpoint name -> its validation.
_VALIDATORS: dict[str, Callable[[ApiRequest, str, ClusterState], Accepted | Rejected]] = {
    MODULE_UPGRADE: validate_module_upgrade,
    DB_UPGRADE: validate_db_upgrade,
}


def validate(request: ApiRequest, state: ClusterState) -> Accepted | Rejected:
    """Answer an upgrade request against the state at the moment it arrives; raises ValueError
    for a request line that is not one of the upgrade endpoints."""
    endpoint = match_endpoint(request.method, request.path)
    if endpoint is None or endpoint[0] not in _VALIDATORS:
        raise ValueError(f"not an upgrade request: {request.method} {request.path}")
    name, params = endpoint
    return _VALIDATORS[name](request, params["uid"], state)
