"""Validation of POST /v1/bdbs/{uid}/modules/upgrade: every row of the SPEC §2 table, in order."""
from __future__ import annotations

import json
from typing import Any

import pytest

from sim.api import Accepted, ApiRequest, Credentials, ErrorCode, Rejected, success_body, validate
from sim.model.state import ActionState, ClusterState
from tests.factories import (
    REJSON_220, REJSON_221, REJSON_222, REJSON_2100, SEARCH_240, cluster, database, module, state_of,
)
from sim.model import build_state

PATH = "/v1/bdbs/1/modules/upgrade"
USERS = [
    {"name": role, "role": role} for role in
    ("admin", "cluster_member", "cluster_viewer", "db_member", "db_viewer", "user_manager", "none")
] + [{"name": "alice", "role": "admin", "password": "s3cret"}]


def body(new: str = REJSON_222, **extra: Any) -> dict[str, Any]:
    """A valid body upgrading ReJSON 2.2.1 (named by name and version) to `new`."""
    return {"modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1", "new_module": new}], **extra}


def ask(payload: Any, state: ClusterState | None = None, path: str = PATH,
        credentials: Credentials | None = Credentials.implicit_admin()) -> Accepted | Rejected:
    """Validate a request against `state` (default: one replicated database, users of every role)."""
    state = state or state_of([database(replication=True)], users=USERS)
    return validate(ApiRequest("POST", path, payload, credentials), state)


def code(result: Accepted | Rejected) -> tuple[int, str | None]:
    """(status, error_code) of an answer."""
    return (result.status, result.error_code.value) if isinstance(result, Rejected) else (result.status, None)


def busy_state() -> ClusterState:
    state = state_of([database(replication=True)], users=USERS)
    state.actions["a1"] = ActionState("a1", 1, "SMUpgradeBDB", "active", "upgrade_replicas", 10, 0.0, [], False, False, [1])
    state.bdbs[1].action_uid = "a1"
    return state


def no_quorum_state() -> ClusterState:
    state = state_of([database(replication=True)], users=USERS)
    state.quorum = False
    return state


def plain_state() -> ClusterState:
    return state_of([database()], users=USERS)


# One row per line of the SPEC §2 table: (row, request pieces, expected status, error_code).
ROWS = [
    (1, dict(credentials=None), 401, "unauthorized"),
    (1, dict(credentials=Credentials("mallory")), 401, "unauthorized"),
    (1, dict(credentials=Credentials("alice", "wrong")), 401, "unauthorized"),
    (2, dict(credentials=Credentials("db_viewer")), 403, "insufficient_permissions"),
    (3, dict(path="/v1/bdbs/7/modules/upgrade"), 404, "bdb_not_found"),
    (3, dict(path="/v1/bdbs/abc/modules/upgrade"), 404, "bdb_not_found"),
    (4, dict(payload={"modules": []}), 400, "invalid_request"),
    (4, dict(payload={"preserve_roles": True}), 400, "invalid_request"),
    (4, dict(payload={"modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1"}]}), 400, "invalid_request"),
    (4, dict(payload={"modules": [{"new_module": REJSON_222}]}), 400, "invalid_request"),
    (4, dict(payload={"modules": [{"module_name": "ReJSON", "new_module": REJSON_222}]}), 400, "invalid_request"),
    (4, dict(payload={"modules": [{"current_semantic_version": "2.2.1", "new_module": REJSON_222}]}), 400,
     "invalid_request"),
    (4, dict(payload={"modules": [{"current_module": REJSON_221, "module_name": "ReJSON",
                                   "current_semantic_version": "2.2.0", "new_module": REJSON_222}]}), 400, "invalid_request"),
    (4, dict(payload=body(preserve_roles="yes")), 400, "invalid_request"),
    (4, dict(payload=body(force=True)), 400, "invalid_request"),
    (4, dict(payload=[1, 2]), 400, "invalid_request"),
    (5, dict(payload=body(new="ffffffffffffffffffffffffffffffff")), 400, "missing_module"),
    (5, dict(payload={"modules": [{"current_module": REJSON_220, "new_module": REJSON_222}]}), 400, "missing_module"),
    (5, dict(payload=body(new=SEARCH_240)), 400, "missing_module"),
    (6, dict(payload=body(new=REJSON_220)), 406, "module_downgrade_unsupported"),
    (10, dict(state=busy_state), 409, "db_busy"),
    (11, dict(state=no_quorum_state), 503, "no_quorum"),
    (12, dict(state=plain_state), 406, "discard_data_required"),
]


@pytest.mark.parametrize("row, pieces, status, error", ROWS, ids=[f"row{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_each_row_of_the_table(row: int, pieces: dict[str, Any], status: int, error: str) -> None:
    """A request failing exactly one row gets that row's status and error code, and a message."""
    pieces = dict(pieces)
    state = pieces.pop("state")() if "state" in pieces else None
    result = ask(pieces.pop("payload", body()), state, **pieces)
    assert code(result) == (status, error)
    assert isinstance(result, Rejected) and result.message
    assert set(result.body) == {"error_code", "message"}


def _versioned_state(**module_extra: Any) -> ClusterState:
    new = module("bbbb" * 8, "ReJSON", "2.4.0", **module_extra)
    spec = cluster(3, users=USERS, modules=[module(REJSON_221, "ReJSON", "2.2.1"), new])
    return build_state(spec, [database(replication=True)])


def test_row7_min_redis_version_above_the_database() -> None:
    """A new module needing Redis 7.4 on a Redis 7.2 database is 406 redis_incompatible_version."""
    result = ask(body(new="bbbb" * 8), _versioned_state(min_redis_version="7.4"))
    assert code(result) == (406, "redis_incompatible_version")
    assert "7.4" in result.message and "7.2" in result.message


def test_row8_min_redis_pack_version_above_the_cluster() -> None:
    """A new module needing Redis Software 7.8 on a 7.4.2-54 cluster is 406 redis_pack_incompatible_version."""
    result = ask(body(new="bbbb" * 8), _versioned_state(min_redis_pack_version="7.8.0"))
    assert code(result) == (406, "redis_pack_incompatible_version")


def test_row8_compares_pack_versions_numerically() -> None:
    """min_redis_pack_version 7.4.2 against cluster 7.4.10-1 passes (numeric, build-aware)."""
    new = module("bbbb" * 8, "ReJSON", "2.4.0", min_redis_pack_version="7.4.2")
    spec = cluster(3, version="7.4.10-1", modules=[module(REJSON_221, "ReJSON", "2.2.1"), new])
    assert isinstance(ask(body(new="bbbb" * 8), build_state(spec, [database(replication=True)])), Accepted)
    spec = cluster(3, version="7.4.2-54", modules=[module(REJSON_221, "ReJSON", "2.2.1"),
                                                   module("bbbb" * 8, "ReJSON", "2.4.0", min_redis_pack_version="7.4.10")])
    assert code(ask(body(new="bbbb" * 8), build_state(spec, [database(replication=True)]))) == (406, "redis_pack_incompatible_version")


def test_row9_names_every_missing_capability() -> None:
    """A capability rejection lists every capability the configuration needs and the module lacks."""
    state = _versioned_state(capabilities=["types"])
    result = ask(body(new="bbbb" * 8), state)
    assert code(result) == (406, "unsupported_module_capabilities")
    assert result.message.endswith("failover_migrate, eviction_expiry")


def test_vendor_example_body_is_accepted_verbatim() -> None:
    """The documented example (without its stray comment string) is accepted: `ReJson` matches `ReJSON`."""
    example = json.loads("""{
        "modules": [{"module_name": "ReJson", "current_semantic_version": "2.2.1",
                     "new_module": "aa3648d79bd4082d414587c42ea0b234"}],
        "preserve_roles": true, "may_discard_data": false}""")
    result = ask(example)
    assert isinstance(result, Accepted)
    assert result.preserve_roles and not result.may_discard_data
    assert result.modules[0].from_uid == REJSON_221 and result.modules[0].to_uid == REJSON_222


def test_both_identification_forms_are_accepted() -> None:
    """The current module may be named by uid, or by name and version, or both when they agree."""
    by_uid = ask({"modules": [{"current_module": REJSON_221, "new_module": REJSON_222}]})
    both = ask({"modules": [{"current_module": REJSON_221, "module_name": "rejson",
                             "current_semantic_version": "2.2.1", "new_module": REJSON_222}]})
    assert isinstance(by_uid, Accepted) and isinstance(both, Accepted)
    assert by_uid.modules == both.modules


@pytest.mark.parametrize("current, new, ok", [
    ("2.9.5", "2.10.0", True),   # numeric: an upgrade
    ("2.2.1", "2.2.1", True),    # same version: allowed, shards restart onto it
    ("2.2.2", "2.2.1", False),   # a downgrade
])
def test_downgrade_is_numeric(current: str, new: str, ok: bool) -> None:
    """Row 6 compares semantic versions numerically; the same version is allowed."""
    uid_current, uid_new = "c" * 32, ("d" * 32 if new != current else "c" * 32)
    mods = [module(uid_current, "ReJSON", current)] + ([module(uid_new, "ReJSON", new)] if uid_new != uid_current else [])
    state = build_state(cluster(3, modules=mods), [database(replication=True, module_list=[{"module_id": uid_current}])])
    result = ask({"modules": [{"current_module": uid_current, "new_module": uid_new}]}, state)
    assert isinstance(result, Accepted) is ok
    if not ok:
        assert code(result) == (406, "module_downgrade_unsupported")


@pytest.mark.parametrize("role, allowed", [
    ("admin", True), ("cluster_member", True), ("db_member", True),
    ("db_viewer", False), ("cluster_viewer", False), ("user_manager", False), ("none", False),
])
def test_only_roles_with_edit_bdb_module_pass(role: str, allowed: bool) -> None:
    """admin, cluster_member and db_member hold edit_bdb_module; the other roles get 403."""
    result = ask(body(), credentials=Credentials(role))
    assert isinstance(result, Accepted) is allowed
    if not allowed:
        assert code(result) == (403, "insufficient_permissions")


def test_password_is_checked_when_declared() -> None:
    """A user declared with a password passes with it and fails without it."""
    assert isinstance(ask(body(), credentials=Credentials("alice", "s3cret")), Accepted)
    assert code(ask(body(), credentials=Credentials("alice"))) == (401, "unauthorized")


@pytest.mark.parametrize("pieces, expected", [
    # 401 beats 403, 404 and 400
    (dict(credentials=None, path="/v1/bdbs/9/modules/upgrade", payload={}), (401, "unauthorized")),
    # 403 beats 404 and 400
    (dict(credentials=Credentials("none"), path="/v1/bdbs/9/modules/upgrade", payload={}), (403, "insufficient_permissions")),
    # 404 beats a malformed body
    (dict(path="/v1/bdbs/9/modules/upgrade", payload={}), (404, "bdb_not_found")),
    # 400 malformed beats a missing module
    (dict(payload={"modules": [{"module_name": "nope", "current_semantic_version": "1.0", "new_module": "x"}], "z": 1}),
     (400, "invalid_request")),
    # missing_module beats a downgrade of another module later in the list
    (dict(payload={"modules": [{"current_module": REJSON_221, "new_module": REJSON_220},
                               {"module_name": "search", "current_semantic_version": "2.4.0", "new_module": SEARCH_240}]}),
     (400, "missing_module")),
])
def test_the_earlier_row_decides(pieces: dict[str, Any], expected: tuple[int, str]) -> None:
    """When several checks fail at once, the earliest row of the table decides."""
    pieces = dict(pieces)
    assert code(ask(pieces.pop("payload", body()), **pieces)) == expected


def test_downgrade_beats_busy_and_quorum() -> None:
    """Row 6 comes before rows 10 and 11: a busy, quorum-less cluster still answers the downgrade."""
    state = busy_state()
    state.quorum = False
    assert code(ask(body(new=REJSON_220), state)) == (406, "module_downgrade_unsupported")
    assert code(ask(body(), state)) == (409, "db_busy")


def test_failed_action_does_not_block() -> None:
    """A failed action does not make the database busy: a new request retries it."""
    state = busy_state()
    state.actions["a1"].status = "failed"
    assert isinstance(ask(body(), state), Accepted)


def test_discard_allowed_with_flag_and_not_needed_when_persistent() -> None:
    """Row 12 passes with may_discard_data, or when the database persists its data."""
    assert isinstance(ask(body(may_discard_data=True), plain_state()), Accepted)
    persistent = state_of([database(data_persistence="aof")], users=USERS)
    assert isinstance(ask(body(), persistent), Accepted)


def test_rows_are_checked_for_all_modules_before_the_next_row() -> None:
    """Module 2 missing (row 5) beats module 1 being a downgrade (row 6)."""
    state = state_of([database(replication=True, module_list=[
        {"module_name": "ReJSON", "semantic_version": "2.2.1"}, {"module_name": "search", "semantic_version": "2.4.0"}])])
    payload = {"modules": [{"current_module": REJSON_221, "new_module": REJSON_220},
                           {"current_module": SEARCH_240, "new_module": "e" * 32}]}
    result = ask(payload, state)
    assert code(result) == (400, "missing_module") and "modules[1]" in result.message


def test_success_body_is_the_module_object_with_action_uid() -> None:
    """The answer names the database and the new module, as in the vendor example, plus action_uid."""
    state = state_of([database(replication=True)])
    accepted = ask(body(), state)
    assert isinstance(accepted, Accepted)
    assert success_body(accepted, state, "act-1") == {
        "uid": 1, "name": "orders", "module_id": REJSON_222, "module_name": "ReJSON",
        "semantic_version": "2.2.2", "action_uid": "act-1"}


def test_upgrade_to_2_10_from_2_2_is_accepted() -> None:
    """2.2.1 -> 2.10.0 is an upgrade, not a downgrade."""
    assert isinstance(ask(body(new=REJSON_2100)), Accepted)


def test_error_codes_carry_their_status() -> None:
    """Each error code knows its HTTP status, as in the SPEC table."""
    assert {c.value: c.status for c in ErrorCode} == {
        "unauthorized": 401, "insufficient_permissions": 403, "bdb_not_found": 404, "invalid_request": 400,
        "missing_module": 400, "module_downgrade_unsupported": 406, "redis_incompatible_version": 406,
        "redis_pack_incompatible_version": 406, "unsupported_module_capabilities": 406, "db_busy": 409,
        "no_quorum": 503, "discard_data_required": 406,
        # SPEC §10 (the database upgrade)
        "invalid_version": 400, "redis_downgrade_unsupported": 400, "upgrade_bdb_failed": 400}


def test_a_json_text_body_is_parsed_like_the_server_does() -> None:
    """The vendor's cleaned example pasted as JSON text is accepted; invalid JSON is a 400."""
    text = ('{"modules": [{"module_name": "ReJson", "current_semantic_version": "2.2.1", '
            '"new_module": "aa3648d79bd4082d414587c42ea0b234"}], "preserve_roles": true, "may_discard_data": false}')
    assert isinstance(ask(text), Accepted)
    with_comment = text.replace('"preserve_roles"', '"// Optional fields", "preserve_roles"')
    result = ask(with_comment)
    assert code(result) == (400, "invalid_request") and "not valid JSON" in result.message


def test_forms_disagreeing_through_the_loaded_module_are_invalid() -> None:
    """An unknown current_module next to a name and version that name the loaded 2.2.1 (another
    uid): the two forms disagree -> 400 invalid_request, not missing_module."""
    payload = {"modules": [{"current_module": "f" * 32, "module_name": "ReJSON", "current_semantic_version": "2.2.1",
                            "new_module": REJSON_222}]}
    result = ask(payload)
    assert code(result) == (400, "invalid_request") and "not current_module" in result.message


def test_one_module_named_twice_by_both_forms_is_invalid() -> None:
    """The loaded ReJSON listed once by uid and once by name and version is a duplicate."""
    payload = {"modules": [{"current_module": REJSON_221, "new_module": REJSON_222},
                           {"module_name": "ReJSON", "current_semantic_version": "2.2.1", "new_module": REJSON_222}]}
    assert code(ask(payload)) == (400, "invalid_request")


# --- SPEC §2 request forms, no-change requests, row 7's compatible_redis_version, row 12 --------

def test_row7_compatible_redis_version_must_be_the_databases_major_minor() -> None:
    """A new module built for Redis 7.4 (compatible_redis_version) on a 7.2 database is 406; an
    empty compatible_redis_version (real clusters send "") means none."""
    result = ask(body(new="bbbb" * 8), _versioned_state(compatible_redis_version="7.4"))
    assert code(result) == (406, "redis_incompatible_version") and "built for Redis 7.4" in result.message
    assert isinstance(ask(body(new="bbbb" * 8), _versioned_state(compatible_redis_version="7.2")), Accepted)
    assert isinstance(ask(body(new="bbbb" * 8), _versioned_state(compatible_redis_version="")), Accepted)


def test_the_legacy_single_module_form_is_one_item() -> None:
    """RN 5.4.4: without `modules`, the item's fields at the top level."""
    result = ask({"current_module": REJSON_221, "new_module": REJSON_222, "preserve_roles": True})
    assert isinstance(result, Accepted) and result.preserve_roles
    assert result.modules[0].from_uid == REJSON_221 and result.modules[0].to_uid == REJSON_222


def test_both_forms_at_once_are_a_bad_request() -> None:
    result = ask({**body(), "new_module": REJSON_222})
    assert code(result) == (400, "invalid_request") and "not both" in result.message


def test_the_5_4_4_release_note_body_is_accepted_verbatim() -> None:
    """The shape of the vendor's 5.4.4 release-note example: two modules, each item naming its
    module by `module_name`, `current_module` and `current_semantic_version` together, and
    `force_restart: true` (uids are this cluster's uploaded modules)."""
    state = state_of([database(replication=True, module_list=[
        {"module_name": "ReJSON", "semantic_version": "2.2.1"}, {"module_name": "search", "semantic_version": "2.4.0"}])])
    text = json.dumps({"modules": [
        {"module_name": "ReJSON", "current_module": REJSON_221, "current_semantic_version": "2.2.1",
         "new_module": REJSON_222},
        {"module_name": "search", "current_module": SEARCH_240, "current_semantic_version": "2.4.0",
         "new_module": SEARCH_240}], "force_restart": True})
    result = ask(text, state)
    assert isinstance(result, Accepted) and result.restart
    assert [(m.module_name, m.to_uid) for m in result.modules] == [("ReJSON", REJSON_222), ("search", SEARCH_240)]


@pytest.mark.parametrize("payload, restarts", [
    ({"modules": [{"current_module": REJSON_221, "new_module": REJSON_221}]}, False),  # nothing changes
    ({"modules": [{"current_module": REJSON_221, "new_module": REJSON_221}], "force_restart": True}, True),
    (body(), True),                                                                     # a version change
])
def test_a_request_restarts_shards_only_on_a_change_or_force_restart(payload, restarts) -> None:
    """SPEC §2 "No change, no restart"; and row 12 asks for may_discard_data only then."""
    result = ask(payload)
    assert isinstance(result, Accepted) and result.restart is restarts
    on_cache = ask(payload, plain_state())
    assert (code(on_cache) == (406, "discard_data_required")) is restarts


def test_a_wrong_password_is_401_even_for_a_user_without_the_permission() -> None:
    """Row 1 (who you are) before row 2 (what you may do): a `none` user with a declared password
    sending the wrong one is 401, not 403."""
    state = state_of([database(replication=True)], users=[*USERS, {"name": "bob", "role": "none", "password": "pw"}])
    assert code(ask(body(), state, credentials=Credentials("bob", "bad"))) == (401, "unauthorized")
    assert code(ask(body(), state, credentials=Credentials("bob", "pw"))) == (403, "insufficient_permissions")


def test_a_downgrade_needing_a_newer_redis_is_a_downgrade() -> None:
    """Row 6 before row 7: ReJSON 2.2.1 -> 2.0.0 that also needs Redis 8.0 (the database runs 7.2)."""
    old = module("cccc" * 8, "ReJSON", "2.0.0", min_redis_version="8.0")
    state = build_state(cluster(3, modules=[module(REJSON_221, "ReJSON", "2.2.1"), old]), [database(replication=True)])
    assert code(ask(body(new="cccc" * 8), state)) == (406, "module_downgrade_unsupported")


def test_row8_passes_a_min_redis_pack_version_equal_to_the_clusters() -> None:
    """Row 8 refuses `min_redis_pack_version` *above* the cluster's version: equal (7.4.2-54) passes."""
    assert isinstance(ask(body(new="bbbb" * 8), _versioned_state(min_redis_pack_version="7.4.2-54")), Accepted)


def test_a_module_too_new_for_the_cluster_and_lacking_capabilities_is_row8() -> None:
    """Row 8 (pack version) before row 9 (capabilities)."""
    state = _versioned_state(min_redis_pack_version="7.8.0", capabilities=["types"])
    assert code(ask(body(new="bbbb" * 8), state)) == (406, "redis_pack_incompatible_version")


def test_a_two_module_success_lists_both_module_objects() -> None:
    """With several modules, the answer is the first module's object plus `modules`, every one's
    object in request order (our addition to the vendor's single-module body)."""
    state = state_of([database(replication=True, module_list=[
        {"module_name": "ReJSON", "semantic_version": "2.2.1"}, {"module_name": "search", "semantic_version": "2.4.0"}])])
    accepted = ask({"modules": [{"current_module": REJSON_221, "new_module": REJSON_222},
                                {"current_module": SEARCH_240, "new_module": SEARCH_240}]}, state)
    assert isinstance(accepted, Accepted)
    objects = [{"uid": 1, "name": "orders", "module_id": REJSON_222, "module_name": "ReJSON", "semantic_version": "2.2.2"},
               {"uid": 1, "name": "orders", "module_id": SEARCH_240, "module_name": "search", "semantic_version": "2.4.0"}]
    assert success_body(accepted, state, "act-2") == {**objects[0], "action_uid": "act-2", "modules": objects}
