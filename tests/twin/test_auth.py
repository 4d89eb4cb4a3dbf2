"""Basic authentication and the role table (SPEC §1, §11), over real HTTP: every role reading
the cluster, listing users and sending the upgrade; logins by email or name; wrong, missing and
malformed credentials; no users declared = everyone is admin."""
from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from sim.api.requests import Credentials
from sim.scenario import scenario_from_data
from sim.twin.auth import check_read, credentials_of, parse_basic
from tests.twin.helpers import UPGRADE_BODY, UPGRADE_PATH, Served, serve, twin_data

#: (login, password) → expected status of: GET /v1/bdbs, GET /v1/users, POST the upgrade.
#: The POST goes to a database that does not exist (bdb 9): a caller who passes 401 and 403 gets
#: 404, so the table reads the permission check alone and the cluster never changes.
TABLE = [
    (("admin@example.com", "adm1n"), (200, 200, 404)),
    (("admin", "adm1n"), (200, 200, 404)),              # the name works as well as the email
    (("ADMIN@Example.com", "adm1n"), (200, 200, 404)),  # emails compare case-insensitively
    (("ops@example.com", "s3cret"), (200, 403, 404)),   # db_member: edit_bdb_module, no users
    (("cm", "cm"), (200, 403, 404)),                    # cluster_member
    (("viewer", "anything"), (200, 403, 403)),          # cluster_viewer, declared without password
    (("dbv@example.com", "dbv"), (200, 403, 403)),      # db_viewer
    (("um", "um"), (200, 200, 403)),                    # user_manager: reads users, no upgrade
    (("nobody", "x"), (403, 403, 403)),                 # role none: nothing
    (("admin@example.com", "wrong"), (401, 401, 401)),
    (("stranger", "x"), (401, 401, 401)),
    (None, (401, 401, 401)),
]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serve() as s:
        yield s


@pytest.mark.parametrize("auth, expected", TABLE, ids=lambda v: str(v))
def test_the_role_table(served: Served, auth: tuple[str, str] | None, expected: tuple[int, int, int]) -> None:
    with httpx.Client(base_url=served.url, auth=auth) as c:
        got = (c.get("/v1/bdbs").status_code, c.get("/v1/users").status_code,
               c.post("/v1/bdbs/9/modules/upgrade", json=UPGRADE_BODY).status_code)
    assert got == expected


def test_refusals_are_error_objects_and_401_asks_for_basic(served: Served) -> None:
    with httpx.Client(base_url=served.url) as c:
        answer = c.get("/v1/nodes")
        assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Basic")
        assert answer.json()["error_code"] == "unauthorized"
        forbidden = c.get("/v1/nodes", auth=("nobody", "x")).json()
        assert forbidden["error_code"] == "insufficient_permissions" and "none" in forbidden["message"]
        posted = c.post(UPGRADE_PATH, json=UPGRADE_BODY, auth=("viewer", "")).json()
        assert posted["error_code"] == "insufficient_permissions"


def test_a_post_is_recorded_under_the_users_name_not_its_email(tmp_path) -> None:
    """The session names users as a scenario does: `ops` with its password, whatever the login."""
    with serve(out=tmp_path / "s") as s:
        answer = s.client.post(UPGRADE_PATH, json=UPGRADE_BODY, auth=("ops@example.com", "s3cret"))
        assert answer.status_code == 200
        s.client.post(UPGRADE_PATH, json=UPGRADE_BODY, auth=("viewer", "whatever"))
        s.client.post("/sim/stop")
        steps = s.twin.session.session_data()["timeline"]
    assert [step["request"]["user"] for step in steps] == [{"name": "ops", "password": "s3cret"}, "viewer"]


def test_without_users_everyone_is_admin() -> None:
    """No users declared: no credentials needed, any given are ignored (the implicit admin)."""
    with serve(twin_data(users=False)) as s, httpx.Client(base_url=s.url) as anonymous:
        assert anonymous.get("/v1/bdbs").status_code == 200
        assert anonymous.get("/v1/users").json() == []
        assert anonymous.post(UPGRADE_PATH, json=UPGRADE_BODY, auth=("who", "ever")).status_code == 200
        assert s.twin.session.session_data()["timeline"][0]["request"].keys() == {"method", "path", "body"}


@pytest.mark.parametrize("header, expected", [
    (None, None), ("", None), ("Bearer abc", None), ("Basic", None), ("Basic !!!", None),
    ("Basic " + base64.b64encode(b"no-colon").decode(), None),
    ("Basic " + base64.b64encode(b"\xff\xfe:x").decode(), None),
    ("Basic " + base64.b64encode(b"a@b:p:q").decode(), ("a@b", "p:q")),   # the password may hold colons
    ("basic " + base64.b64encode(b"u:").decode(), ("u", "")),
])
def test_parse_basic(header: str | None, expected: tuple[str, str] | None) -> None:
    assert parse_basic(header) == expected


def test_credentials_and_reads_without_http() -> None:
    """The same rules as plain functions: a malformed header is no credentials (401)."""
    state = scenario_from_data(twin_data()).initial_state()
    header = "Basic " + base64.b64encode(b"ops@example.com:s3cret").decode()
    assert credentials_of(state, header) == Credentials("ops", "s3cret")
    assert credentials_of(state, "Basic zzz") is None
    assert check_read(state, None).status == 401
    assert check_read(state, Credentials("ops", "bad")).status == 401
    assert check_read(state, Credentials("ops", "s3cret")) is None
    assert check_read(state, Credentials.implicit_admin()) is None
