"""Hostile requests (issue 16, item 6): the API accepts what the real server would and answers
everything else with a status, never a crash — ASCII digits only in a uid, a path that is
exactly an endpoint, JSON bodies refused for duplicate keys, NaN, absurd numbers or nesting."""
from __future__ import annotations

import json
from typing import Any

import pytest

from sim.api import ApiRequest, Credentials, Rejected, match_endpoint, validate
from sim.model.versions import is_version
from tests.factories import REJSON_222, database, state_of

BODY = {"modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1", "new_module": REJSON_222}]}


def _answer(path: str, body: Any = BODY) -> tuple[int, str | None]:
    state = state_of([database(replication=True)])
    result = validate(ApiRequest("POST", path, body, Credentials.implicit_admin()), state)
    return (result.status, result.error_code.value) if isinstance(result, Rejected) else (result.status, None)


@pytest.mark.parametrize("uid", ["²", "１", "١", "𝟏", "1²", "01x", "-1", " 1", "1 "])
def test_a_uid_of_other_than_ascii_digits_names_no_database(uid: str) -> None:
    """`/v1/bdbs/²/…` crashed and a full-width `１` was database 1; both are 404 now."""
    assert _answer(f"/v1/bdbs/{uid}/modules/upgrade") == (404, "bdb_not_found")


def test_ascii_digits_still_name_the_database() -> None:
    """The control: `1` (and `01`, an ASCII number) is database 1."""
    assert _answer("/v1/bdbs/1/modules/upgrade") == (200, None)
    assert _answer("/v1/bdbs/01/modules/upgrade") == (200, None)


@pytest.mark.parametrize("path", ["/v1/bdbs/1/modules/upgrade\n", "/v1/bdbs/1/modules/upgrade/\n",
                                  "/v1/bdbs/1/modules/upgrade\x00", "/v1/bdbs/1/modules/upgrade?x"])
def test_a_path_must_be_exactly_an_endpoint(path: str) -> None:
    """A trailing newline matched `$` before; the whole path must match now."""
    assert match_endpoint("POST", path) is None


@pytest.mark.parametrize("text, problem", [
    ('{"modules": [], "modules": [{"current_module": "x", "new_module": "y"}]}', "duplicate key 'modules'"),
    ('{"preserve_roles": NaN}', "NaN is not a JSON value"),
    ('{"preserve_roles": Infinity}', "Infinity is not a JSON value"),
    ('{"preserve_roles": 1e999}', "1e999 is too large a number"),
    ('{"preserve_roles": -2.5e400}', "-2.5e400 is too large a number"),
    ('{"modules": [{"module_name": "\\ud800", "current_semantic_version": "2.2.1", "new_module": "x"}]}',
     "a lone surrogate"),
    ('{"modules": [], "\\udfff": 1}', "a lone surrogate"),
    ('["\\ud83d"]', "a lone surrogate"),
    ('{"modules": ' + "[" * 32 + "]" * 32 + "}", "nested more than 32 deep"),
    ('{"modules": [], "modules ": 1}', "the keys 'modules' and 'modules ' differ only by spaces around them"),
    ('{"preserve_roles": ' + "9" * 5000 + "}", "a number is too long or the nesting too deep"),
    ("[" * 50000 + "]" * 50000, "a number is too long or the nesting too deep"),
    ('{"modules": [{"module_name": "ReJSON", "module_name": "x"}]}', "duplicate key 'module_name'"),
])
def test_json_bodies_the_server_would_refuse_are_400(text: str, problem: str) -> None:
    """400 invalid_request naming the problem (the parser accepts duplicates and NaN; the server does not)."""
    state = state_of([database(replication=True)])
    result = validate(ApiRequest("POST", "/v1/bdbs/1/modules/upgrade", text, Credentials.implicit_admin()), state)
    assert isinstance(result, Rejected) and (result.status, result.error_code.value) == (400, "invalid_request")
    assert problem in result.message


def test_a_surrogate_pair_is_one_character_not_a_lone_surrogate() -> None:
    """The control: `\\ud83d\\ude00` (an emoji as JSON escapes) is text; the body gets past the
    parser and is refused by the API for its unknown field instead."""
    state = state_of([database(replication=True)])
    text = json.dumps({**BODY, "note": "\U0001f600"})  # ensure_ascii: written as the escaped pair
    assert "\\ud83d\\ude00" in text
    result = validate(ApiRequest("POST", "/v1/bdbs/1/modules/upgrade", text, Credentials.implicit_admin()), state)
    assert isinstance(result, Rejected) and "unknown field" in result.message


def test_a_body_nested_as_deep_as_a_scenario_can_hold_it_reaches_the_api() -> None:
    """The control: 32 levels (the body object and 31 lists) pass the parser; the API refuses the
    body for what it says, not for its shape."""
    state = state_of([database(replication=True)])
    text = '{"modules": ' + "[" * 31 + "]" * 31 + "}"
    result = validate(ApiRequest("POST", "/v1/bdbs/1/modules/upgrade", text, Credentials.implicit_admin()), state)
    assert isinstance(result, Rejected) and "nested" not in result.message and "modules" in result.message


def test_a_valid_json_text_body_is_accepted() -> None:
    """The control: the same body as JSON text is accepted."""
    assert _answer("/v1/bdbs/1/modules/upgrade", json.dumps(BODY)) == (200, None)


@pytest.mark.parametrize("text", ["２.２.１", "2.2.１", "7.２", "1" * 101, "2." + "2" * 5000])
def test_versions_are_ascii_digits_of_bounded_length(text: str) -> None:
    """Full-width digits were a version; a 5,000-digit part crashed on Python's digit limit."""
    assert not is_version(text)


def test_a_current_version_in_full_width_digits_is_400() -> None:
    """In a body, such a version is a malformed request (400), not a crash or a match."""
    body = {"modules": [{"module_name": "ReJSON", "current_semantic_version": "２.２.１", "new_module": REJSON_222}]}
    assert _answer("/v1/bdbs/1/modules/upgrade", body) == (400, "invalid_request")
