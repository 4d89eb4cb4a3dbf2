"""Random traffic at a served twin (issue 16's hostile input, over HTTP): valid and hostile bodies
(1e999, 64-bit overflows, lone surrogates, deep nesting, not JSON), almost-endpoints, wrong
methods, bad credentials, odd `/sim` calls. Never a 5xx (but a database's 503 availability
answer), every answer JSON; then `/sim/stop` writes the outputs, the log replays and
`session.yaml` reruns to the same events."""
from __future__ import annotations

import json
import random
from pathlib import Path

import httpx
import pytest

from sim.cli import main
from sim.run import replay_log
from tests.fuzz import HOSTILE_TEXTS, VALUES
from tests.twin.helpers import ADMIN, UPGRADE_BODY, USERS, serve, twin_data

PATHS = ["/v1/cluster", "/v1/cluster/policy", "/v1/nodes", "/v1/nodes/1", "/v1/nodes/99", "/v1/bdbs", "/v1/bdbs/1",
         "/v1/bdbs/1/shards", "/v1/bdbs/1/availability", "/v1/shards", "/v1/shards/1", "/v1/modules", "/v1/actions",
         "/v1/actions/bdb/1", "/v1/users", "/v1/users/1", "/v1/bdbs/1/modules/upgrade", "/v1/bdbs/1/upgrade",
         "/v1/bdbs/2/upgrade", "/v1/bdbs/%31/upgrade", "/v1/bdbs/1/upgrade/", "/v1/bdbs/-1", "/v1/bdbs/1e3",
         "/v1/bdbs/99999999999999999999999999", "/v1/nodes/%00", "/v1/actions/xyz", "/sim/clock", "/sim/summary",
         "/sim/nodes/1/crash", "/sim/nodes/2/recover", "/sim/nodes/9/crash", "/sim/cluster/recover", "/sim/advance",
         "/sim/events?since=-5", "/sim/events?since=1e999", "/sim/events?since=99999999999999999999999"]
ADVANCES = ['{"seconds": 5}', '{"seconds": -1}', '{"seconds": 1e999}', '{"seconds": 1e308}', '{"to": 1e15}',
            '{"to": 3}', '{"until_idle": true}', '{"seconds": "5"}', '{"seconds": 5, "to": 7}', "{}", "[]",
            '{"seconds": NaN}', '{"seconds": 99999999999999999999999}', '{"seconds": 0.000001}']


def _body(rng: random.Random, path: str) -> str:
    if path == "/sim/advance":
        return rng.choice(ADVANCES)
    kind = rng.random()
    if kind < 0.3:
        extra = {rng.choice(["preserve_roles", "may_discard_data", "parallel_shards_upgrade", "x"]): rng.choice(VALUES)}
        return json.dumps({**UPGRADE_BODY, **(extra if rng.random() < 0.5 else {})})
    if kind < 0.45:
        return json.dumps({"redis_version": rng.choice(["7.2", "7.4", "6.2", "x"]),
                           **({"parallel_shards_upgrade": rng.choice(VALUES)} if rng.random() < 0.5 else {})})
    return rng.choice(HOSTILE_TEXTS)


def _auth(rng: random.Random) -> tuple[str, str] | None:
    kind = rng.random()
    if kind < 0.6:
        return ADMIN
    if kind < 0.8:
        name, _, email, password = rng.choice(USERS)
        return email or name, password or ""
    if kind < 0.9:
        return None
    return rng.choice(["admin@example.com", "\u00e9", "x" * 1000]), rng.choice(["", "adm1n", "\u2028"])


@pytest.mark.parametrize("seed", list(range(1, 9)))
def test_random_traffic_gets_answers_and_the_session_reruns(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    out = tmp_path / "out"
    with serve(twin_data(), out=out) as served:
        client = httpx.Client(base_url=served.url, timeout=30)
        for _ in range(250):
            path, method = rng.choice(PATHS), rng.choice(["GET", "GET", "POST", "POST", "PUT", "DELETE"])
            body = _body(rng, path) if method in ("POST", "PUT") else None
            answer = client.request(method, path, auth=_auth(rng),
                                    content=body.encode("utf-8") if body is not None else None,
                                    headers={"content-type": rng.choice(["application/json", "text/plain"])})
            said = f"{method} {path} {body!r:.80}: {answer.status_code} {answer.text[:200]}"
            assert answer.status_code < 500 or (answer.status_code == 503 and path.endswith("/availability")), said
            if answer.content and not path.startswith("/sim/events"):
                answer.json()
        assert client.post("/sim/stop", auth=ADMIN).status_code == 200
    replay_log(out / "events.jsonl")  # raises LogFormatError for a log its reader refuses
    assert main(["run", str(out / "session.yaml"), "--no-plots", "--out", str(tmp_path / "rerun")]) in (0, 1)
    logged = (out / "events.jsonl").read_text(encoding="utf-8").splitlines()[2:]
    assert (tmp_path / "rerun" / "events.jsonl").read_text(encoding="utf-8").splitlines()[2:] == logged


DIGITS = "9" * 5000  # past Python's limit for int(text): every route answered 500 with it


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", f"/v1/bdbs/{DIGITS}", 404), ("GET", f"/v1/nodes/{DIGITS}", 404), ("GET", f"/v1/shards/{DIGITS}", 404),
    ("GET", f"/v1/users/{DIGITS}", 404), ("GET", f"/v1/bdbs/{DIGITS}/shards", 404),
    ("GET", f"/v1/bdbs/{DIGITS}/availability", 404), ("GET", f"/v1/actions/bdb/{DIGITS}", 404),
    ("POST", f"/sim/nodes/{DIGITS}/crash", 404), ("POST", f"/sim/nodes/{DIGITS}/recover", 404),
    ("GET", f"/sim/events?since={DIGITS}", 400), ("POST", f"/v1/bdbs/{DIGITS}/modules/upgrade", 404),
    ("GET", "/v1/bdbs/9223372036854775808", 404), ("GET", "/sim/events?since=9223372036854775808", 400),
])
def test_an_id_of_thousands_of_digits_is_no_id(method: str, path: str, status: int) -> None:
    with serve(twin_data()) as served:
        answer = served.client.request(method, path, json=UPGRADE_BODY if method == "POST" else None)
    assert answer.status_code == status, answer.text[:200]
