"""A live import from a misconfigured or hostile endpoint (SPEC §12, issue 16's hostile input):
a gzip bomb, an endless body and a trickling one are refused in one line, without holding the
body in memory or waiting on it — the body is read as it arrives, bounded in decompressed bytes
and in time."""
from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import sim.importer.fetch as fetch
from sim.importer import Fetcher, FetchError

BOMB = gzip.compress(b"\0" * 8 * 2**20, compresslevel=9)  # 8 MiB of zeros in about 8 kB


class _Hostile(BaseHTTPRequestHandler):
    """/v1/cluster answers as the test's `kind` says; nothing else is reached."""

    kind = "bomb"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.kind in ("bomb", "double"):
            self.send_header("Content-Encoding", "gzip" if self.kind == "bomb" else "gzip, gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB)
            return
        self.end_headers()
        try:
            self.wfile.write(b'{"name": "')
            for _ in range(10**6 if self.kind == "endless" else 400):
                self.wfile.write(b"x" * (2**16) if self.kind == "endless" else b"x")
                self.wfile.flush()
                if self.kind == "trickle":
                    time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: what the test wants
            pass

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _serving(kind: str) -> Iterator[str]:
    handler = type("Handler", (_Hostile,), {"kind": kind})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("kind", ["bomb", "endless"])
def test_a_body_larger_than_the_bound_once_decompressed_is_refused(kind: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound counts decompressed bytes (the gzip bomb is 8 kB on the wire); 1 MiB here."""
    monkeypatch.setattr(fetch, "MAX_BODY_FILE", 2**20)
    with _serving(kind) as url, pytest.raises(FetchError, match=r"GET /v1/cluster: the body is over 1 MiB"):
        Fetcher(url, "u", "p", attempts=1).fetch()


def test_a_trickling_body_is_not_waited_on_past_the_deadline() -> None:
    """One byte every 50 ms never trips the per-read timeout; the deadline for the whole body does."""
    started = time.monotonic()
    with _serving("trickle") as url, pytest.raises(FetchError, match=r"took over 0.5 s to arrive"):
        Fetcher(url, "u", "p", attempts=1, deadline=0.5).fetch()
    assert time.monotonic() - started < 15  # the body would take 20 s


def test_a_body_encoded_twice_over_is_not_read() -> None:
    """`Content-Encoding: gzip, gzip`: httpx would undo both layers with no bound on what one
    chunk becomes (a 334-byte body gave 100 MiB at once); refused before the first chunk."""
    with _serving("double") as url, pytest.raises(FetchError, match=r"encoded 2 times over \(gzip, gzip\)"):
        Fetcher(url, "u", "p", attempts=1).fetch()
