"""A stand-in for a cluster's REST API on loopback: a real HTTP(S) server serving saved bodies.

It checks Basic authentication, answers each path with its saved body (404 otherwise,
405 for any method but GET) and records every request it receives, so a test can assert
that an import sends GET requests only. `self_signed` makes a TLS certificate for it.
"""
from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.importer.helpers import PATHS


def free_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed(folder: Path, name: str = "cluster") -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (as a cluster's own): (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / f"{name}-cert.pem", folder / f"{name}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class ClusterServer:
    """Serves `bodies` ({file name: decoded JSON or raw bytes}) at their REST paths, with Basic auth."""

    def __init__(self, bodies: dict[str, Any], user: str = "admin@example.com", password: str = "s3cret",
                 tls: tuple[Path, Path] | None = None, port: int = 0,
                 answers: dict[str, tuple[int, bytes]] | None = None) -> None:
        self.routes = {PATHS[name]: body if isinstance(body, bytes) else json.dumps(body).encode()
                       for name, body in bodies.items()}
        self.answers = answers or {}
        self.token = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.requests: list[tuple[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> ClusterServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            """Answers GETs with the saved bodies; records every request."""

            def _reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                owner.requests.append(("GET", self.path))
                if self.headers.get("Authorization") != owner.token:
                    self._reply(401, b'{"error_code": "unauthorized", "message": "Unauthorized"}')
                elif self.path in owner.answers:
                    self._reply(*owner.answers[self.path])
                elif self.path in owner.routes:
                    self._reply(200, owner.routes[self.path])
                else:
                    self._reply(404, b'{"error_code": "not_found", "message": "Not found"}')

            def _refuse(self) -> None:
                owner.requests.append((self.command, self.path))
                self._reply(405, b'{"error_code": "method_not_allowed"}')

            do_POST = do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815

            def log_message(self, *args: object) -> None:
                """Quiet."""

        return Handler
