"""Every error path of the twin over real HTTP: unknown paths and methods, bodies that are not
JSON or too large, bad simulator calls — each a JSON error object; bodies the server cannot
decode never reach the cluster's API (nothing is logged)."""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sim.api.requests import Credentials, match_endpoint
from sim.scenario import scenario_from_data
from sim.session import Session
from sim.twin import Twin
from sim.twin.bodies import MAX_BODY_BYTES
from sim.twin.core import SessionStopped
from tests.twin.helpers import UPGRADE_BODY, UPGRADE_PATH, Served, serve, twin_data


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serve() as s:
        yield s


def error(answer: httpx.Response, status: int, code: str) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body.keys() == {"error_code", "message"} and body["error_code"] == code and body["message"]
    return str(body["message"])


@pytest.mark.parametrize("method, path", [("GET", "/v1/nope"), ("GET", "/v2/bdbs"), ("POST", "/v1/bdbs/1/nope"),
                                          ("GET", "/v1/bdbs/"), ("GET", "/sim/nope"), ("GET", "/v1/bdbs/1/x/y")])
def test_unknown_paths_are_404(served: Served, method: str, path: str) -> None:
    error(served.client.request(method, path), 404, "not_found")


@pytest.mark.parametrize("method, path", [("DELETE", "/v1/bdbs/1"), ("PUT", "/v1/bdbs/1"), ("POST", "/v1/bdbs"),
                                          ("GET", UPGRADE_PATH), ("PATCH", "/v1/nodes"), ("GET", "/sim/stop"),
                                          ("POST", "/sim/clock")])
def test_wrong_methods_are_405_with_allow(served: Served, method: str, path: str) -> None:
    answer = served.client.request(method, path)
    error(answer, 405, "method_not_allowed")
    assert answer.headers["allow"]


@pytest.mark.parametrize("raw, says", [
    (b'{"modules": [', "not valid JSON"),
    (b'{"preserve_roles": true, "preserve_roles": false}', "duplicate key"),
    (b'{"modules": [{"new_module": "x", "new_module": "y"}]}', "duplicate key"),
    (b'{"x": NaN}', "NaN"),
    (b'{"x": 1e999}', "too large a number"),
    (b'{"x": "\\ud800"}', "lone surrogate"),
    (b'{"a": ' * 40 + b"1" + b"}" * 40, "nested more than 32 deep"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{} {}', "not valid JSON"),
])
def test_bodies_that_are_not_json_are_400_and_not_logged(served: Served, raw: bytes, says: str) -> None:
    events = len(served.twin.session.lines)
    message = error(served.client.post(UPGRADE_PATH, content=raw), 400, "invalid_request")
    assert says in message
    assert len(served.twin.session.lines) == events


def test_a_bad_body_from_a_bad_caller_is_401_first(served: Served) -> None:
    error(served.client.post(UPGRADE_PATH, content=b"{", auth=("admin", "wrong")), 401, "unauthorized")


def test_a_body_the_api_refuses_is_answered_by_the_api_and_logged(served: Served) -> None:
    """Valid JSON but not an object, or no body at all: the API's 400, recorded as a rejection."""
    events = len(served.twin.session.lines)
    assert "JSON object" in error(served.client.post(UPGRADE_PATH, json=[1]), 400, "invalid_request")
    assert "JSON object" in error(served.client.post(UPGRADE_PATH), 400, "invalid_request")
    assert "unknown field" in error(served.client.post(UPGRADE_PATH, json={**UPGRADE_BODY, "x": 1}), 400,
                                    "invalid_request")
    assert len(served.twin.session.lines) == events + 3


def test_bodies_over_1_mb_are_413(served: Served) -> None:
    """Declared (Content-Length) or streamed in chunks, over 10⁶ bytes: 413; exactly 10⁶: read."""
    big = b" " * (MAX_BODY_BYTES + 1)
    error(served.client.post(UPGRADE_PATH, content=big), 413, "payload_too_large")

    def chunks() -> Iterator[bytes]:
        for _ in range(11):
            yield b" " * 100_000
    error(served.client.post(UPGRADE_PATH, content=chunks()), 413, "payload_too_large")
    padded = b"{}" + b" " * (MAX_BODY_BYTES - 2)
    error(served.client.post(UPGRADE_PATH, content=padded), 400, "invalid_request")  # the API's: modules missing


@pytest.mark.parametrize("raw", [b"", b"{}", b'{"seconds": 1, "to": 2}', b'{"seconds": -1}', b'{"seconds": "5"}',
                                 b'{"seconds": true}', b'{"to": 1e400}', b'{"until": "done"}', b'{"minutes": 1}',
                                 b"[1]", b'{"seconds": 1', b'{"seconds": 1, "seconds": 2}'])
def test_bad_advances_are_400(served: Served, raw: bytes) -> None:
    t = served.client.get("/sim/clock").json()["t"]
    error(served.client.post("/sim/advance", content=raw), 400, "invalid_request")
    assert served.client.get("/sim/clock").json()["t"] == t


def test_time_never_goes_back(served: Served) -> None:
    now = served.advance(seconds=5)
    assert "before now" in error(served.client.post("/sim/advance", json={"to": now - 1}), 400, "invalid_request")


@pytest.mark.parametrize("path", ["/sim/nodes/9/crash", "/sim/nodes/9/recover", "/sim/nodes/x/crash",
                                  "/sim/nodes/-1/recover"])
def test_unknown_nodes_are_404(served: Served, path: str) -> None:
    events = len(served.twin.session.lines)
    error(served.client.post(path), 404, "node_not_found")
    assert len(served.twin.session.lines) == events


@pytest.mark.parametrize("since", ["-1", "x", "1.5"])
def test_events_since_must_be_a_seq(served: Served, since: str) -> None:
    error(served.client.get("/sim/events", params={"since": since}), 400, "invalid_request")


def test_the_database_upgrade_goes_to_the_api_layer(served: Served) -> None:
    """POST /v1/bdbs/{uid}/upgrade is answered exactly as the API layer answers it in a session
    (SPEC §10); while the API does not know the endpoint, it is 404."""
    path, body = "/v1/bdbs/1/upgrade", {"redis_version": "7.4"}
    answer = served.client.post(path, json=body)
    if match_endpoint("POST", path) is None:
        error(answer, 404, "not_found")
    else:
        shadow = Session(scenario_from_data(twin_data()))
        shadow.advance_to(served.client.get("/sim/clock").json()["t"])
        expected = shadow.request("POST", path, body, Credentials("admin", "adm1n"))
        assert (answer.status_code, answer.json()) == (expected.status, expected.body)


def test_calls_after_the_stop_are_refused() -> None:
    """Once stopped, a call that would change the cluster is refused (409 session_stopped over HTTP)."""
    twin = Twin(Session(scenario_from_data(twin_data())))
    twin.stop()
    for call in (lambda: twin.advance(seconds=1), lambda: twin.crash(1), lambda: twin.recover_cluster(),
                 lambda: twin.request("POST", UPGRADE_PATH, UPGRADE_BODY, Credentials.implicit_admin())):
        with pytest.raises(SessionStopped):
            call()
    assert twin.stop() is twin.result


def test_calls_after_the_stop_are_409_session_stopped_over_http() -> None:
    """Every route that changes the cluster answers a stopped session with 409 `session_stopped`
    (one handler for them all, `GuardedRoute`); reading goes on."""
    with serve() as s:
        s.twin.on_stop = lambda: None  # the server exits once it answered the stop: kept up here
        assert s.client.post("/sim/stop").status_code == 200
        for path, body in (("/sim/advance", {"seconds": 1}), ("/sim/nodes/1/crash", None),
                           ("/sim/nodes/1/recover", None), ("/sim/cluster/recover", None),
                           (UPGRADE_PATH, UPGRADE_BODY), ("/v1/bdbs/1/upgrade", {"redis_version": "7.4"})):
            assert "stopped" in error(s.client.post(path, json=body), 409, "session_stopped"), path
        assert s.client.get("/v1/bdbs").status_code == 200


def test_an_internal_error_is_a_json_500_and_the_server_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve() as s:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("a bug")
        monkeypatch.setattr(s.twin, "read", broken)
        assert "RuntimeError: a bug" in error(s.client.get("/v1/bdbs"), 500, "internal_error")
        monkeypatch.undo()
        assert s.client.get("/v1/bdbs").status_code == 200
