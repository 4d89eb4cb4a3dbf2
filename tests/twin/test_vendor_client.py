"""The vendor's own Python client (`redis-enterprise`, PyPI) against the twin: its typed structs
(the Rust crate it wraps) decode our objects, and an upgrade is sent and followed to the end.

What the client refuses (checked against a throw-away server in the last test): a float
`memory_size`/`total_memory`, a string `shard_list` entry or `uid`, an empty 200.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from redis_enterprise import EnterpriseClient, RedisEnterpriseError

from tests.kit import NEW
from tests.twin.helpers import ADMIN, UPGRADE_BODY, UPGRADE_PATH, serve


def client(url: str, user: str = ADMIN[0], password: str = ADMIN[1]) -> EnterpriseClient:
    return EnterpriseClient(base_url=url, username=user, password=password, timeout_secs=30)


def test_the_client_decodes_every_object_and_follows_an_upgrade() -> None:
    """databases, database(1), nodes, node(1), cluster_info, users decode; post_sync sends the
    upgrade (200 with action_uid); get_sync polls the action until `completed` (t=42: 32 s)."""
    with serve() as s:
        vendor = client(s.url)
        dbs = vendor.databases_sync()
        assert [(d["uid"], d["name"], d["shard_list"]) for d in dbs] == [(1, "orders", [1, 2])]
        assert vendor.database_sync(1)["module_list"][0]["semantic_version"] == "2.2.1"
        assert [n["uid"] for n in vendor.nodes_sync()] == [1, 2, 3]
        assert vendor.node_sync(1)["total_memory"] == 64 * 2**30
        assert vendor.cluster_info_sync()["name"] == "cluster"
        assert [u["name"] for u in vendor.users_sync()][:2] == ["admin", "ops"]
        s.advance(to=10)
        answer = vendor.post_sync(UPGRADE_PATH, UPGRADE_BODY)
        assert (answer["module_id"], answer["semantic_version"]) == (NEW, "2.2.2")
        states = []
        while True:
            action = vendor.get_sync(f"/v1/actions/{answer['action_uid']}")
            states.append(action["state"])
            if action["status"] == "completed":
                break
            s.advance(seconds=1)
        assert s.client.get("/sim/clock").json()["t"] == 42.0
        assert states[0] == "prepare" and states[-1] == "completed" and "second_failover" in states
        assert vendor.database_sync(1)["module_list"][0]["semantic_version"] == "2.2.2"
        assert vendor.get_sync("/v1/bdbs/1/availability") == {}


def test_the_client_sees_the_twins_errors() -> None:
    """401 → RedisEnterpriseError; 404 → ValueError; a 409 rejection → an error naming db_busy."""
    with serve() as s:
        with pytest.raises(RedisEnterpriseError):
            client(s.url, "admin@example.com", "wrong").databases_sync()
        with pytest.raises(ValueError):
            client(s.url).database_sync(9)
        vendor = client(s.url)
        vendor.post_sync(UPGRADE_PATH, UPGRADE_BODY)
        with pytest.raises(RuntimeError, match="db_busy"):
            vendor.post_sync(UPGRADE_PATH, UPGRADE_BODY)


@pytest.fixture()
def canned() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A throw-away server answering GETs with canned bodies (path → bytes)."""
    bodies: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = bodies[self.path]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path, body, call", [
    ("/v1/bdbs/1", {"uid": 1, "name": "x", "memory_size": 1.5e9}, lambda c: c.database_sync(1)),
    ("/v1/bdbs/1", {"uid": 1, "name": "x", "shard_list": ["1"]}, lambda c: c.database_sync(1)),
    ("/v1/bdbs/1", {"uid": "1", "name": "x"}, lambda c: c.database_sync(1)),
    ("/v1/bdbs/1", {"uid": 1, "name": "x", "redis_version": 7.2}, lambda c: c.database_sync(1)),
    ("/v1/nodes/1", {"uid": 1, "status": "active", "total_memory": 8.2e9}, lambda c: c.node_sync(1)),
    ("/v1/cluster", b"", lambda c: c.cluster_info_sync()),
], ids=["float-memory_size", "string-shard_list", "string-bdb-uid", "number-redis_version", "float-total_memory",
        "empty-200"])
def test_what_the_vendor_client_refuses(canned: tuple[str, dict[str, bytes]], path: str, body: object,
                                        call: object) -> None:
    """The types the twin must get right: the client fails to decode each of these bodies."""
    url, bodies = canned
    bodies[path] = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(RuntimeError, match="deserialize"):
        call(client(url))  # type: ignore[operator]
