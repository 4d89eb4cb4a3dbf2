"""What an accepted POST /v1/bdbs/{uid}/upgrade does (SPEC §10): the target version, the
*allowed* module rule, `latest_with_modules`, explicit modules, restarts and per-action flags."""
from __future__ import annotations

import json

import pytest

from sim.api import Accepted
from tests.api.test_db_upgrade_checks import (
    J26, J27, J210, J284, MODULES, NO_REJSON_FOR_74, S289, S2810, ask, code, item, moves, state_with,
)
from tests.factories import module


def test_the_default_target_is_the_highest_redis_version_and_modules_move_to_their_latest() -> None:
    """No body: target 7.4 (the highest of 6.2, 7.2, 7.4); ReJSON 2.6.0 -> 2.8.4 (2.10.0 needs Redis
    Software 7.8.2, the cluster runs 7.4.2-54), search 2.8.9 -> 2.8.10 (3.0.0 needs Redis 8.0)."""
    result = ask(None)
    assert isinstance(result, Accepted) and result.redis_version == "7.4" and result.restart
    assert moves(result) == {"ReJSON": J284, "search": S2810}
    assert {(p.module_name, p.from_uid) for p in result.modules} == {("ReJSON", J26), ("search", S289)}


@pytest.mark.parametrize("versions, current, payload, expected", [
    # 7.10 > 7.9: the default target is 7.10, not the text-wise highest "7.9"
    (("7.9", "7.10"), "7.9", {}, (200, "7.10")),
    # 7.9 is below 7.10: a downgrade
    (("7.9", "7.10"), "7.10", {"redis_version": "7.9"}, (400, "redis_downgrade_unsupported")),
    # a version is matched numerically and named as the cluster spells it: 7.4.0 is 7.4
    (("7.2", "7.4"), "7.2", {"redis_version": "7.4.0"}, (200, "7.4")),
    # the same version: modules only, no Redis change
    (("7.2", "7.4"), "7.2", {"redis_version": "7.2"}, (200, None)),
])
def test_versions_compare_numerically(versions, current, payload, expected) -> None:
    """The target and the downgrade check compare Redis versions part by part."""
    mods = [module("c" * 32, "ReJSON", "2.6.0")]
    state = state_with(mods, loaded=[{"module_id": "c" * 32}], redis_versions=versions, redis_version=current)
    result = ask(payload, state)
    assert code(result)[0] == expected[0]
    if isinstance(result, Accepted):
        assert result.redis_version == expected[1]
    else:
        assert code(result)[1] == expected[1]


def test_compatible_redis_version_is_the_targets_major_minor() -> None:
    """A module built for Redis 7.1 is not allowed with 7.10 (major.minor 7.1 != 7.10); one built
    for 7.10 is; the loaded one built for 7.9 then moves to it."""
    mods = [module("a" * 32, "ReJSON", "2.6.0", compatible_redis_version="7.9"),
            module("b" * 32, "ReJSON", "2.8.0", compatible_redis_version="7.1"),
            module("d" * 32, "ReJSON", "2.7.0", compatible_redis_version="7.10")]
    state = state_with(mods, loaded=[{"module_id": "a" * 32}], redis_versions=("7.9", "7.10"), redis_version="7.9")
    assert moves(ask({}, state)) == {"ReJSON": "d" * 32}
    rejected = ask({"modules": [item("a" * 32, "b" * 32)]}, state)
    assert code(rejected) == (406, "redis_incompatible_version") and "built for Redis 7.1" in rejected.message


def test_latest_takes_the_numerically_highest_allowed_version() -> None:
    """search 2.8.10 beats 2.8.9 (numeric, not text order)."""
    assert moves(ask({"redis_version": "7.4"}))["search"] == S2810


def test_latest_never_moves_a_module_down() -> None:
    """An allowed version lower than the loaded one is never chosen: with only ReJSON 2.5.0 (no
    constraint) besides the loaded 2.6.0 (built for 7.2), a 7.4 upgrade fails."""
    mods = [m for m in MODULES if m["uid"] in (J26, S289, S2810)] + [module("5" * 32, "ReJSON", "2.5.0")]
    result = ask({}, state_with(mods))
    assert code(result) == (400, "upgrade_bdb_failed") and "ReJSON 2.6.0" in result.message


def test_latest_with_modules_false_keeps_unnamed_modules_which_must_be_allowed() -> None:
    """Without latest, unnamed modules stay; on 7.4 the loaded ones (built for 7.2) are not allowed;
    on 7.2 (modules only) they are, and nothing changes."""
    result = ask({"latest_with_modules": False})
    assert code(result) == (400, "upgrade_bdb_failed")
    assert "ReJSON 2.6.0" in result.message and "Redis 7.4" in result.message and "latest_with_modules" in result.message
    same = ask({"latest_with_modules": False, "redis_version": "7.2"})
    assert isinstance(same, Accepted) and same.modules == () and not same.restart


def test_latest_with_modules_false_with_every_module_named() -> None:
    """Naming every module explicitly leaves nothing to keep: the upgrade to 7.4 is accepted."""
    payload = {"latest_with_modules": False, "modules": [item(J26, J27), item(S289, S2810)]}
    assert moves(ask(payload)) == {"ReJSON": J27, "search": S2810}


def test_explicit_modules_override_the_latest() -> None:
    """ReJSON named explicitly -> 2.7.0 (not the latest 2.8.4); search still moves to its latest;
    the explicit item's new_module_args is kept, the implicit move keeps the loaded args (None)."""
    result = ask({"modules": [{**item(J26, J27), "new_module_args": "MAXMEM 1"}]})
    assert moves(result) == {"ReJSON": J27, "search": S2810}
    assert [p.new_module_args for p in result.modules] == ["MAXMEM 1", None]


def test_both_identification_forms_in_modules() -> None:
    """An item names its module by uid, or by name and version (case-insensitive), or both."""
    forms = [item(J26, J27),
             {"module_name": "rejson", "current_semantic_version": "2.6.0", "new_module": J27},
             {"current_module": J26, "module_name": "ReJSON", "current_semantic_version": "2.6.0", "new_module": J27}]
    plans = [ask({"modules": [form]}).modules for form in forms]
    assert plans[0] == plans[1] == plans[2]
    disagreeing = {"current_module": J26, "module_name": "ReJSON", "current_semantic_version": "2.7.0",
                   "new_module": J27}
    assert code(ask({"modules": [disagreeing]})) == (400, "invalid_request")


def test_keep_redis_version_targets_the_current_version() -> None:
    """Deprecated keep_redis_version: the target is the current 7.2: modules move to their highest
    version allowed with 7.2 (none above the loaded ones here: search 2.8.10 is built for 7.4)."""
    result = ask({"keep_redis_version": True})
    assert isinstance(result, Accepted) and result.redis_version is None
    assert result.modules == () and not result.restart
    assert isinstance(ask({"keep_redis_version": True, "redis_version": "7.2.0"}), Accepted)


@pytest.mark.parametrize("payload, restart", [
    ({"redis_version": "7.2", "latest_with_modules": False}, False),                        # nothing changes
    ({"redis_version": "7.2", "latest_with_modules": False, "force_restart": True}, True),  # forced
    ({"redis_version": "7.2", "latest_with_modules": False, "force_discard": True}, False),  # nothing to discard for
    ({"redis_version": "7.4"}, True),                                                       # a version change
])
def test_shards_restart_only_on_a_change_or_force_restart(payload, restart) -> None:
    """"Nothing to change and no force_restart -> completes at once"; and discard_data_required
    applies to a non-replicated, non-persistent database only when shards will restart."""
    result = ask(payload)
    assert isinstance(result, Accepted) and result.restart is restart
    cache = ask(payload, state_with(replication=False))
    refused = restart and not payload.get("force_discard")
    assert code(cache) == ((406, "discard_data_required") if refused else (200, None))


def test_force_discard_or_may_discard_data_allow_a_cache_upgrade() -> None:
    """A non-replicated, non-persistent database upgrades with either flag."""
    for flag in ("may_discard_data", "force_discard"):
        result = ask({flag: True}, state_with(replication=False))
        assert isinstance(result, Accepted) and result.restart
    assert ask({"force_discard": True}, state_with(replication=False)).force_discard


@pytest.mark.parametrize("payload, parallel", [({}, None), ({"parallel_shards_upgrade": 0}, 0),
                                               ({"parallel_shards_upgrade": 1}, 1)])
def test_parallel_shards_upgrade_is_for_this_action_only(payload, parallel) -> None:
    """The body's parallel_shards_upgrade becomes the action's P; absent, the policy's (None)."""
    assert ask(payload).parallel == parallel


def test_flags_pass_to_the_action() -> None:
    """preserve_roles, may_discard_data and force_discard reach the action; keep_crdt_protocol_version
    is accepted and changes nothing."""
    result = ask({"preserve_roles": True, "may_discard_data": True, "force_discard": True,
                  "keep_crdt_protocol_version": True})
    assert isinstance(result, Accepted)
    assert (result.preserve_roles, result.may_discard_data, result.force_discard) == (True, True, True)
    assert moves(result) == moves(ask({}))


def test_a_json_text_body_is_parsed() -> None:
    """A body pasted as JSON text is parsed as the server would; invalid JSON is a 400."""
    assert moves(ask(json.dumps({"redis_version": "7.4", "preserve_roles": True}))) == {"ReJSON": J284,
                                                                                         "search": S2810}
    assert code(ask('{"redis_version": "7.4",}')) == (400, "invalid_request")


def test_an_explicit_item_needs_its_new_module_allowed_even_when_the_latest_is() -> None:
    """Row 8 against an explicit ReJSON 2.10.0 (needs Redis Software 7.8.2) while the latest allowed
    2.8.4 exists: the explicit choice is checked, not replaced."""
    assert code(ask({"modules": [item(J26, J210)]})) == (406, "redis_pack_incompatible_version")


def test_upgrade_bdb_failed_names_every_module_tried() -> None:
    """The message names the module, the target and why each candidate version is not allowed."""
    result = ask({}, state_with(NO_REJSON_FOR_74))
    assert code(result) == (400, "upgrade_bdb_failed")
    assert result.message.startswith("module ReJSON 2.6.0 has no uploaded version")


def test_a_redis_version_change_alone_restarts_shards() -> None:
    """No module moves (`latest_with_modules: false`, modules built for any Redis), only Redis
    7.2 -> 7.4: still a change, so shards restart — and a cache database must allow the discard."""
    plain = [module(J26, "ReJSON", "2.6.0"), module(S289, "search", "2.8.9")]
    payload = {"redis_version": "7.4", "latest_with_modules": False}
    result = ask(payload, state_with(plain))
    assert isinstance(result, Accepted) and result.restart and not moves(result)
    assert code(ask(payload, state_with(plain, replication=False))) == (406, "discard_data_required")
