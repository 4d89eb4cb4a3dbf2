"""The commented example requests of an imported scenario: one module upgrade per database.

Each example moves every module the database loads to the highest uploaded version of
the same module that is newer and allowed (its `min_redis_version`, `compatible_redis_version`
and `min_redis_pack_version` suit the database and the cluster, SPEC §2 rows 7–8); when
none is newer it restarts onto the same versions (`force_restart`). A replicated
database keeps its roles (`preserve_roles`); a database with neither replication nor
persistence needs `may_discard_data` (SPEC §2 row 12). Uncommented, the lines are timeline
steps that validate and run.
"""
from __future__ import annotations

from typing import Any

from sim.api.db_upgrade import allowed_problem
from sim.model.config import ModuleSpec
from sim.model.versions import Version
from sim.scenario.yamlwrite import Commented, dump_commented

__all__ = ["example_lines", "EXAMPLE_AT"]

#: When the example requests are sent (seconds): after the window's first instants.
EXAMPLE_AT = 10


def example_lines(databases: list[Commented], modules: list[dict[str, Any]], cluster_version: str) -> list[str]:
    """The example's YAML lines, to be written as comments: uncommented, they are items of `timeline:`."""
    steps: list[Commented] = []
    quiet: list[str] = []
    for db in databases:
        step = _example(db, modules, cluster_version)
        if step is None:
            quiet.append(str(db["uid"]))
        else:
            steps.append(step)
    lines = []
    if steps:
        text = dump_commented(Commented({"timeline": steps}))
        lines = text.splitlines()[1:]  # the items, without the `timeline:` key
    if quiet:
        lines.append(f"  # database(s) {', '.join(quiet)} load no module: nothing to upgrade here")
    return lines


def _allowed(module: dict[str, Any], redis_version: str, cluster_version: str) -> bool:
    """SPEC §10's *allowed*, by the validator's own rule (`allowed_problem`): the example
    proposes no module version the request would be refused for."""
    spec = ModuleSpec.model_construct(  # read as it is: the scenario validates these entries
        uid=module["uid"], module_name=module["module_name"], semantic_version=module["semantic_version"],
        min_redis_version=module.get("min_redis_version"), min_redis_pack_version=module.get("min_redis_pack_version"),
        compatible_redis_version=module.get("compatible_redis_version"))
    return allowed_problem(spec, redis_version, cluster_version) is None


def _newest(entry: dict[str, Any], db: Commented, modules: list[dict[str, Any]],
            cluster_version: str) -> dict[str, Any] | None:
    current = Version(entry["semantic_version"])
    newer = [m for m in modules if m["module_name"].lower() == entry["module_name"].lower()
             and Version(m["semantic_version"]) > current and _allowed(m, db["redis_version"], cluster_version)]
    return max(newer, key=lambda m: Version(m["semantic_version"]), default=None)


def _example(db: Commented, modules: list[dict[str, Any]], cluster_version: str) -> Commented | None:
    if not db["module_list"]:
        return None
    items, moves, stays = [], [], []
    for entry in db["module_list"]:
        target = _newest(entry, db, modules, cluster_version)
        current = f"{entry['module_name']} {entry['semantic_version']}"
        if target is None:
            stays.append(current)
        else:
            moves.append(f"{current} -> {target['semantic_version']}")
        items.append({"module_name": entry["module_name"], "current_semantic_version": entry["semantic_version"],
                      "new_module": (target or {}).get("uid", entry["module_id"])})
    body: dict[str, Any] = {"modules": items}
    named = f"database {db['uid']}{' (' + db['name'] + ')' if db.get('name') else ''}"
    notes = [f"{named}: {', '.join(moves)}" if moves else f"{named}:"]
    if stays:
        notes.append(f"  {', '.join(stays)}: no newer allowed version is uploaded (new_module = the loaded one)")
    if not moves:
        body["force_restart"] = True
        notes.append("force_restart: restart the shards although no version changes")
    if db["replication"]:
        body["preserve_roles"] = True
    elif db["data_persistence"] == "disabled":
        body["may_discard_data"] = True
        notes.append("may_discard_data: no replication, no persistence: every shard restarts empty")
    request = Commented({"method": "POST", "path": f"/v1/bdbs/{db['uid']}/modules/upgrade", "body": body})
    return Commented({"at": EXAMPLE_AT, "request": request}).note("at", before=notes)
