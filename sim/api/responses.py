"""Bodies of successful answers (SPEC §2, §10): the upgraded module object, or the database
object, with the new `action_uid`."""
from __future__ import annotations

from typing import Any

from sim.api.resources import bdb_resource
from sim.api.results import DB_UPGRADE, Accepted
from sim.model.state import ClusterState

__all__ = ["success_body"]


def success_body(accepted: Accepted, state: ClusterState, action_uid: str) -> dict[str, Any]:
    """The answer to an accepted request, given the state as it arrives (before its action).

    A database upgrade answers the database object as it is once the action is registered:
    `status` active-change-pending, the new `action_uid`; `redis_version` and `module_list`
    still the current ones (they change when the action completes, SPEC §10).
    A module upgrade answers the vendor's module object for the (first) upgraded module, plus
    `action_uid`; with several modules, `modules` lists the object of each one (our addition).
    """
    bdb = state.bdbs[accepted.bdb_uid]
    if accepted.endpoint == DB_UPGRADE:
        return {**bdb_resource(state, bdb), "status": "active-change-pending", "action_uid": action_uid}
    objects = []
    for plan in accepted.modules:
        module = state.modules[plan.to_uid]
        objects.append({"uid": bdb.uid, "name": bdb.name, "module_id": module.uid,
                        "module_name": module.module_name, "semantic_version": module.semantic_version})
    body: dict[str, Any] = {**objects[0], "action_uid": action_uid}
    if len(objects) > 1:
        body["modules"] = objects
    return body
