"""Bodies of successful answers: the upgraded module object plus `action_uid` (SPEC §2)."""
from __future__ import annotations

from typing import Any

from sim.api.validate import Accepted
from sim.model.state import ClusterState

__all__ = ["success_body"]


def success_body(accepted: Accepted, state: ClusterState, action_uid: str) -> dict[str, Any]:
    """The vendor's module object for the (first) upgraded module, plus `action_uid`.

    With several modules, `modules` lists the object of each one (our addition).
    """
    bdb = state.bdbs[accepted.bdb_uid]
    objects = []
    for plan in accepted.modules:
        module = state.modules[plan.to_uid]
        objects.append({"uid": bdb.uid, "name": bdb.name, "module_id": module.uid,
                        "module_name": module.module_name, "semantic_version": module.semantic_version})
    body: dict[str, Any] = {**objects[0], "action_uid": action_uid}
    if len(objects) > 1:
        body["modules"] = objects
    return body
