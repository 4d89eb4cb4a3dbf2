"""Live import over HTTP(S) from a real server on loopback serving the saved bodies: GET requests only,
Basic auth, TLS verification (--insecure, --ca-cert), retries on connection errors, clear failures."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim.cli import main
from sim.importer import Fetcher, FetchError, import_bodies, read_folder
from tests.importer.helpers import PATHS, THREE, real_bodies, three_bodies
from tests.importer.server import ClusterServer, free_port, self_signed

USER, PASSWORD = "admin@example.com", "s3cret"


def run_import(url: str, *extra: str, password: str = PASSWORD) -> int:
    """`upgrade-sim import --url URL --user U --password P ...`."""
    return main(["import", "--url", url, "--user", USER, "--password", password, *extra])


def one_error_line(capsys) -> str:
    """The single stderr line of a failed command (and nothing on stdout)."""
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and captured.out == "", captured
    assert "Traceback" not in captured.err
    return lines[0]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, as a cluster has out of the box."""
    return self_signed(tmp_path_factory.mktemp("tls"))


def test_live_import_sends_six_gets_and_equals_the_saved_import(tmp_path: Path, capsys) -> None:
    """Over HTTP the same bodies give the same scenario as from a folder; the server saw six GETs, nothing else."""
    out = tmp_path / "live.yaml"
    with ClusterServer(three_bodies()) as server:
        assert run_import(server.url, "--out", str(out)) == 0
    assert sorted(server.requests) == sorted(("GET", path) for path in PATHS.values())
    saved = import_bodies(read_folder(THREE))
    live_text = out.read_text()
    assert live_text.splitlines()[0] == f"# Imported by upgrade-sim import from {server.url} (GET requests only)."
    assert "#   GET /v1/bdbs: 2 databases: " in live_text
    from sim.scenario import load_scenario

    live = load_scenario(out)
    assert live.model_dump(exclude={"description"}) == saved.scenario.model_dump(exclude={"description"})
    assert "wrote" in capsys.readouterr().out


def test_the_policy_is_optional(tmp_path: Path, capsys) -> None:
    """A cluster answering 404 for /v1/cluster/policy (the real bodies have none) still imports."""
    with ClusterServer(real_bodies()) as server:
        assert run_import(server.url, "--out", str(tmp_path / "real.yaml")) == 0
    assert "GET /v1/cluster/policy: absent (optional)" in (tmp_path / "real.yaml").read_text()


def test_a_wrong_password_is_one_clear_line(capsys) -> None:
    """401: exit 2, naming the request and the user; the password is not repeated."""
    with ClusterServer(three_bodies()) as server:
        assert run_import(server.url, password="wrong") == 2
    line = one_error_line(capsys)
    assert "GET /v1/cluster: 401 Unauthorized" in line and USER in line and "wrong" not in line
    assert len(server.requests) == 1  # an HTTP answer is not retried


def test_an_error_answer_names_the_vendor_error(capsys) -> None:
    """A 503 with the vendor's error object: exit 2 with its error_code and message; not retried."""
    answers = {"/v1/nodes": (503, b'{"error_code": "no_quorum", "message": "cluster has no quorum"}')}
    with ClusterServer(three_bodies(), answers=answers) as server:
        assert run_import(server.url) == 2
    line = one_error_line(capsys)
    assert "GET /v1/nodes: HTTP 503 Service Unavailable: no_quorum cluster has no quorum" in line
    assert server.requests.count(("GET", "/v1/nodes")) == 1


def test_a_body_that_is_not_json_is_bad_data(capsys) -> None:
    """A 200 whose body is not JSON names the request."""
    with ClusterServer(three_bodies(), answers={"/v1/shards": (200, b"<html>login</html>")}) as server:
        assert run_import(server.url) == 2
    assert "GET /v1/shards:1: not valid JSON" in one_error_line(capsys)


def test_tls_is_verified_by_default(certificate, capsys) -> None:
    """A self-signed cluster without --insecure or --ca-cert: exit 2 saying how to trust it."""
    with ClusterServer(three_bodies(), tls=certificate) as server:
        assert run_import(server.url) == 2
    line = one_error_line(capsys)
    assert "TLS with https://127.0.0.1" in line and "--ca-cert" in line and "--insecure" in line
    assert server.requests == []  # the handshake failed: no request reached the server


@pytest.mark.parametrize("flag", ["--insecure", "--ca-cert"])
def test_tls_with_insecure_or_the_cluster_ca(certificate, flag: str, tmp_path: Path) -> None:
    """--insecure skips verification; --ca-cert with the cluster's certificate verifies it: both import."""
    extra = [flag] if flag == "--insecure" else [flag, str(certificate[0])]
    with ClusterServer(three_bodies(), tls=certificate) as server:
        assert run_import(server.url, *extra, "--out", str(tmp_path / "s.yaml")) == 0
    assert len(server.requests) == 6


def test_another_ca_is_not_trusted(certificate, tmp_path: Path, capsys) -> None:
    """--ca-cert with a CA that did not sign the cluster's certificate: exit 2 (TLS)."""
    other, _ = self_signed(tmp_path, "other")
    with ClusterServer(three_bodies(), tls=certificate) as server:
        assert run_import(server.url, "--ca-cert", str(other)) == 2
    assert "TLS with" in one_error_line(capsys)


def test_a_missing_ca_file(capsys) -> None:
    """--ca-cert naming no file: exit 2 naming it."""
    assert run_import("https://127.0.0.1:9443", "--ca-cert", "/nonexistent/ca.pem") == 2
    assert "--ca-cert /nonexistent/ca.pem: no such file" in one_error_line(capsys)


def test_connection_refused_is_retried_then_reported(capsys) -> None:
    """Nothing listening: three attempts (0.5 s and 1 s apart), then one line."""
    port = free_port()
    assert run_import(f"http://127.0.0.1:{port}") == 2
    line = one_error_line(capsys)
    assert f"GET /v1/cluster: cannot reach http://127.0.0.1:{port}: connection refused (tried 3 times)" in line


def test_a_retry_reaches_a_cluster_that_comes_up() -> None:
    """The first connection is refused; the server starts during the back-off; the second attempt succeeds."""
    port, waits, servers = free_port(), [], []

    def sleep(seconds: float) -> None:  # instead of waiting: bring the cluster up
        waits.append(seconds)
        servers.append(ClusterServer(three_bodies(), port=port).__enter__())

    try:
        bodies = Fetcher(f"http://127.0.0.1:{port}", USER, PASSWORD, sleep=sleep).fetch()
    finally:
        for server in servers:
            server.__exit__()
    assert waits == [0.5]
    assert len(bodies.nodes.data) == 3 and bodies.live


def test_fetcher_gives_up_after_its_attempts() -> None:
    """attempts=4, backoff 0.25: waits 0.25, 0.5, 1.0, then FetchError."""
    waits: list[float] = []
    fetcher = Fetcher(f"http://127.0.0.1:{free_port()}", USER, PASSWORD, attempts=4, backoff=0.25,
                      sleep=waits.append)
    with pytest.raises(FetchError, match="tried 4 times"):
        fetcher.fetch()
    assert waits == [0.25, 0.5, 1.0]


def test_the_password_may_come_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    """Without --password, UPGRADE_SIM_PASSWORD is used (the password stays out of the process list)."""
    monkeypatch.setenv("UPGRADE_SIM_PASSWORD", PASSWORD)
    with ClusterServer(three_bodies()) as server:
        assert main(["import", "--url", server.url, "--user", USER, "--out", str(tmp_path / "s.yaml")]) == 0


def test_the_importer_sends_get_requests_only() -> None:
    """The only HTTP call in sim/importer is `client.stream("GET", ...)` (a body is read as it
    arrives, within bounds): no post, put, patch, delete, request or send, no other method."""
    root = Path(__file__).resolve().parents[2] / "sim" / "importer"
    calls = set()
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {
                    "get", "post", "put", "patch", "delete", "request", "stream", "send", "head", "options"}:
                first = ast.unparse(node.args[0]) if node.args else ""
                calls.add((path.name, node.func.attr, ast.unparse(node.func.value), first))
    http_calls = {c[:3] + (c[3] if c[1] in ("stream", "request") else "",) for c in calls
                  if c[2] in ("client", "httpx", "self.client")}
    assert http_calls == {("fetch.py", "stream", "client", "'GET'")}
