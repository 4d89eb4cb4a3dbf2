"""Validation of POST /v1/bdbs/{uid}/upgrade (SPEC §10): every check, in order, and the permission."""
from __future__ import annotations

from typing import Any

import pytest

from sim.api import Accepted, ApiRequest, Credentials, Rejected, validate
from sim.model import build_state
from sim.model.state import ActionState, ClusterState
from tests.factories import cluster, database, module

PATH = "/v1/bdbs/1/upgrade"
ROLES = ("admin", "cluster_member", "cluster_viewer", "db_member", "db_viewer", "user_manager", "none")
USERS = [{"name": role, "role": role} for role in ROLES] + [{"name": "alice", "role": "admin", "password": "s3cret"}]

# The registry: ReJSON 2.6.0 and search 2.8.9 are loaded (both built for Redis 7.2).
J26 = "0000000000000000000000000000a260"    # ReJSON 2.6.0, compatible_redis_version 7.2 (loaded)
J27 = "0000000000000000000000000000a270"    # ReJSON 2.7.0, compatible_redis_version 7.4
J284 = "0000000000000000000000000000a284"   # ReJSON 2.8.4, min_redis_version 7.4, compatible 7.4
J210 = "0000000000000000000000000000a2a0"   # ReJSON 2.10.0, min_redis_pack_version 7.8.2: never allowed here
J25 = "0000000000000000000000000000a250"    # ReJSON 2.5.0, lower than the loaded one
S289 = "0000000000000000000000000000b289"   # search 2.8.9, compatible 7.2 (loaded)
S2810 = "0000000000000000000000000000b28a"  # search 2.8.10 (> 2.8.9 numerically), compatible 7.4
S300 = "0000000000000000000000000000b300"   # search 3.0.0, min_redis_version 8.0
MODULES = [
    module(J26, "ReJSON", "2.6.0", compatible_redis_version="7.2"),
    module(J27, "ReJSON", "2.7.0", compatible_redis_version="7.4"),
    module(J284, "ReJSON", "2.8.4", min_redis_version="7.4", compatible_redis_version="7.4"),
    module(J210, "ReJSON", "2.10.0", min_redis_pack_version="7.8.2"),
    module(J25, "ReJSON", "2.5.0"),
    module(S289, "search", "2.8.9", compatible_redis_version="7.2"),
    module(S2810, "search", "2.8.10", compatible_redis_version="7.4"),
    module(S300, "search", "3.0.0", min_redis_version="8.0"),
]
LOADED = [{"module_id": J26}, {"module_id": S289}]


def state_with(modules: list[dict[str, Any]] | None = None, loaded: list[dict[str, Any]] | None = None,
               redis_versions: tuple[str, ...] = ("6.2", "7.2", "7.4"), **db: Any) -> ClusterState:
    """A 3-node 7.4.2-54 cluster (users of every role) with one database on Redis 7.2 running
    ReJSON 2.6.0 and search 2.8.9; replicated unless `db` says otherwise."""
    spec = cluster(3, users=USERS, modules=modules or MODULES, redis_versions=list(redis_versions))
    fields = {"replication": True, "redis_version": "7.2", "module_list": loaded or LOADED, **db}
    return build_state(spec, [database(**fields)])


def ask(payload: Any = None, state: ClusterState | None = None, path: str = PATH,
        credentials: Credentials | None = Credentials.implicit_admin()) -> Accepted | Rejected:
    """Validate a database-upgrade request against `state` (default: `state_with()`)."""
    return validate(ApiRequest("POST", path, payload, credentials), state or state_with())


def code(result: Accepted | Rejected) -> tuple[int, str | None]:
    """(status, error_code) of an answer."""
    return (result.status, result.error_code.value) if isinstance(result, Rejected) else (result.status, None)


def moves(result: Accepted | Rejected) -> dict[str, str]:
    """{module name: new module uid} of an accepted request's plans."""
    assert isinstance(result, Accepted), result
    return {plan.module_name: plan.to_uid for plan in result.modules}


def busy(state: ClusterState) -> ClusterState:
    state.actions["a1"] = ActionState("a1", 1, "SMUpgradeBDB", "active", "prepare", 15, 0.0, [], False, False, [1])
    state.bdbs[1].action_uid = "a1"
    return state


def quorumless(state: ClusterState) -> ClusterState:
    state.quorum = False
    return state


def item(current: str, new: str) -> dict[str, str]:
    """A `modules` item naming the current module by uid."""
    return {"current_module": current, "new_module": new}


#: A module set where the loaded ReJSON has no version for Redis 7.4 (only 2.6.0, built for 7.2).
NO_REJSON_FOR_74 = [m for m in MODULES if m["uid"] in (J26, S289, S2810)]
#: search 2.8.10 lacks every capability: the implicitly chosen version fails row 9.
WEAK_SEARCH = [m if m["uid"] != S2810 else {**m, "capabilities": ["types"]} for m in MODULES]

# One row per check of SPEC §10, in its order: (check, request pieces, status, error_code, words
# the message must hold).
CHECKS = [
    ("401 no credentials", dict(credentials=None), 401, "unauthorized", ["no credentials"]),
    ("401 unknown user", dict(credentials=Credentials("mallory")), 401, "unauthorized", ["mallory"]),
    ("401 wrong password", dict(credentials=Credentials("alice", "guess")), 401, "unauthorized", ["alice"]),
    ("403", dict(credentials=Credentials("db_viewer")), 403, "insufficient_permissions",
     ["db_viewer", "update_bdb_with_action"]),
    ("404", dict(path="/v1/bdbs/7/upgrade"), 404, "bdb_not_found", ["database 7"]),
    ("400 unknown field", dict(payload={"redis_version": "7.4", "shards": 2}), 400, "invalid_request", ["shards"]),
    ("400 wrong type", dict(payload={"preserve_roles": "yes"}), 400, "invalid_request", ["preserve_roles"]),
    ("400 negative parallel", dict(payload={"parallel_shards_upgrade": -1}), 400, "invalid_request",
     ["parallel_shards_upgrade"]),
    ("400 version as a number", dict(payload={"redis_version": 7.4}), 400, "invalid_request",
     ["redis_version", '"7.4"']),
    ("400 item names no module", dict(payload={"modules": [{"new_module": J284}]}), 400, "invalid_request",
     ["modules[0]"]),
    ("400 legacy top-level module", dict(payload={"current_module": J26, "new_module": J284}), 400,
     "invalid_request", ["current_module"]),
    ("400 keep and another version", dict(payload={"keep_redis_version": True, "redis_version": "7.4"}), 400,
     "invalid_request", ["keep_redis_version", "7.4"]),
    ("400 not a JSON object", dict(payload=[1]), 400, "invalid_request", ["JSON object"]),
    ("invalid_version unknown", dict(payload={"redis_version": "8.0"}), 400, "invalid_version",
     ["'8.0'", "6.2, 7.2, 7.4"]),
    ("invalid_version not a version", dict(payload={"redis_version": "latest"}), 400, "invalid_version", ["latest"]),
    ("redis_downgrade_unsupported", dict(payload={"redis_version": "6.2"}), 400, "redis_downgrade_unsupported",
     ["6.2", "7.2"]),
    ("missing_module", dict(payload={"modules": [item(J25, J284)]}), 400, "missing_module", ["modules[0]", J25]),
    ("module_downgrade_unsupported", dict(payload={"modules": [item(J26, J25)]}), 406,
     "module_downgrade_unsupported", ["ReJSON", "2.6.0", "2.5.0"]),
    ("redis_incompatible_version (explicit, target)", dict(payload={"modules": [item(S289, S289)]}), 406,
     "redis_incompatible_version", ["modules[0]", "search 2.8.9", "7.2", "target is Redis 7.4"]),
    ("redis_pack_incompatible_version", dict(payload={"modules": [item(J26, J210)]}), 406,
     "redis_pack_incompatible_version", ["ReJSON 2.10.0", "7.8.2", "7.4.2-54"]),
    ("unsupported_module_capabilities (explicit)",
     dict(payload={"modules": [item(S289, S2810)]}, state=lambda: state_with(WEAK_SEARCH)), 406,
     "unsupported_module_capabilities", ["modules[0]", "search 2.8.10", "failover_migrate"]),
    ("upgrade_bdb_failed", dict(state=lambda: state_with(NO_REJSON_FOR_74)), 400, "upgrade_bdb_failed",
     ["ReJSON 2.6.0", "Redis 7.4", "built for Redis 7.2"]),
    ("unsupported_module_capabilities (implicit)", dict(state=lambda: state_with(WEAK_SEARCH)), 406,
     "unsupported_module_capabilities", ["search", "chosen for Redis 7.4", "failover_migrate"]),
    ("db_busy", dict(state=lambda: busy(state_with())), 409, "db_busy", ["database 1", "a1"]),
    ("no_quorum", dict(state=lambda: quorumless(state_with())), 503, "no_quorum", ["quorum"]),
    ("discard_data_required", dict(state=lambda: state_with(replication=False)), 406, "discard_data_required",
     ["may_discard_data", "force_discard"]),
]


@pytest.mark.parametrize("name, pieces, status, error, words", CHECKS, ids=[c[0] for c in CHECKS])
def test_each_check(name: str, pieces: dict[str, Any], status: int, error: str, words: list[str]) -> None:
    """A request failing exactly one check gets its status and code, and a message naming the
    field, module or version at fault."""
    pieces = dict(pieces)
    state = pieces.pop("state")() if "state" in pieces else None
    result = ask(pieces.pop("payload", {}), state, **pieces)
    assert code(result) == (status, error)
    assert isinstance(result, Rejected) and set(result.body) == {"error_code", "message"}
    for word in words:
        assert word in result.message, (word, result.message)


# Two checks failing at once: the earlier decides. (what fails, request pieces, the answer)
PAIRS = [
    ("401 and 404", dict(credentials=None, path="/v1/bdbs/9/upgrade"), (401, "unauthorized")),
    ("403 and 404", dict(credentials=Credentials("none"), path="/v1/bdbs/9/upgrade"),
     (403, "insufficient_permissions")),
    ("404 and a bad body", dict(path="/v1/bdbs/9/upgrade", payload={"zzz": 1}), (404, "bdb_not_found")),
    ("bad body and unknown version", dict(payload={"redis_version": "9.9", "zzz": 1}), (400, "invalid_request")),
    ("bad item form and unknown version", dict(payload={"redis_version": "9.9", "modules": [{"new_module": J27}]}),
     (400, "invalid_request")),
    ("unknown version and missing module", dict(payload={"redis_version": "9.9", "modules": [item(J25, J284)]}),
     (400, "invalid_version")),
    ("Redis downgrade and missing module", dict(payload={"redis_version": "6.2", "modules": [item(J25, J284)]}),
     (400, "redis_downgrade_unsupported")),
    # row 5 for every item before row 7 for any: item 1 is missing, item 0 incompatible
    ("incompatible item 0 and missing item 1", dict(payload={"modules": [item(S289, S289), item(J25, J284)]}),
     (400, "missing_module")),
    ("explicit incompatible and no version for another", dict(
        payload={"modules": [item(S289, S289)]}, state=lambda: state_with(NO_REJSON_FOR_74)),
     (406, "redis_incompatible_version")),
    # upgrade_bdb_failed is checked for every loaded module before the implicit capabilities
    ("implicit capabilities (search) and no version (ReJSON, later in module_list)", dict(
        state=lambda: state_with([m for m in WEAK_SEARCH if m["uid"] not in (J27, J284)],
                                 loaded=[{"module_id": S289}, {"module_id": J26}])),
     (400, "upgrade_bdb_failed")),
    ("implicit capabilities and busy", dict(state=lambda: busy(state_with(WEAK_SEARCH))),
     (406, "unsupported_module_capabilities")),
    ("busy and no quorum", dict(state=lambda: quorumless(busy(state_with()))), (409, "db_busy")),
    ("no quorum and discard", dict(state=lambda: quorumless(state_with(replication=False))), (503, "no_quorum")),
]


@pytest.mark.parametrize("name, pieces, expected", PAIRS, ids=[p[0] for p in PAIRS])
def test_the_earlier_check_decides(name: str, pieces: dict[str, Any], expected: tuple[int, str]) -> None:
    """When two checks fail at once, the one earlier in SPEC §10's order decides."""
    pieces = dict(pieces)
    state = pieces.pop("state")() if "state" in pieces else None
    assert code(ask(pieces.pop("payload", {}), state, **pieces)) == expected


@pytest.mark.parametrize("role, allowed", [
    ("admin", True), ("cluster_member", True), ("db_member", True),
    ("cluster_viewer", False), ("db_viewer", False), ("user_manager", False), ("none", False),
])
def test_only_roles_with_update_bdb_with_action_pass(role: str, allowed: bool) -> None:
    """admin, cluster_member and db_member hold update_bdb_with_action; the other roles get 403."""
    result = ask({}, credentials=Credentials(role))
    assert isinstance(result, Accepted) is allowed
    if not allowed:
        assert code(result) == (403, "insufficient_permissions")
