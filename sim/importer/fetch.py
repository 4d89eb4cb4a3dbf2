"""Read the six bodies from a live cluster over HTTP(S) with httpx: GET requests only.

Basic authentication; TLS verified by default (`insecure` skips it — self-signed clusters
are the norm — and `ca_cert` trusts a given CA file). A connection error is retried
(`attempts` in all, waiting `backoff`, 2×`backoff`, ... between them); a TLS failure, an
HTTP error status or a body that is not the expected JSON is not. A body is read as it
arrives, up to `MAX_BODY_FILE` bytes once decompressed and `deadline` seconds in all: a
misconfigured or hostile endpoint (a gzip bomb, an endless or trickling body) is refused, not
waited on or held. Every failure is a `FetchError` whose one line names the request and the
reason.
"""
from __future__ import annotations

import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from sim.errors import InputError
from sim.importer.bodies import BODIES, MAX_BODY_FILE, Bodies, Body, BodySpec, decode_json

__all__ = ["FetchError", "Fetcher", "fetch_bodies"]


class FetchError(InputError):
    """The cluster could not be read over HTTP: one line naming the request and why."""


def _chain(err: BaseException) -> list[BaseException]:
    found, seen = [], set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        found.append(err)
        err = err.__cause__ or err.__context__  # type: ignore[assignment]
    return found


def _tls_problem(err: BaseException) -> str | None:
    for cause in _chain(err):
        if isinstance(cause, ssl.SSLError):
            return getattr(cause, "verify_message", None) or getattr(cause, "reason", None) or str(cause)
    return None


def _reason(err: BaseException) -> str:
    if any(isinstance(c, ConnectionRefusedError) for c in _chain(err)):
        return "connection refused"
    if isinstance(err, httpx.TimeoutException):
        return "timed out"
    return str(err) or type(err).__name__


@dataclass
class Fetcher:
    """GETs against one cluster's REST API, with retries on connection errors."""

    url: str
    user: str
    password: str
    insecure: bool = False
    ca_cert: str | None = None
    attempts: int = 3
    backoff: float = 0.5
    timeout: float = 30.0
    #: longest a body may take to arrive, in all (`timeout` bounds each wait for a chunk)
    deadline: float = 300.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    base: str = field(init=False, default="")

    def __post_init__(self) -> None:
        base = self.url.strip().rstrip("/")
        if not base.startswith(("https://", "http://")) or "://" == base[-3:]:
            raise FetchError(f"--url {self.url}: expected https://HOST:PORT (the cluster's REST API, port 9443)")
        if "@" in base.split("://", 1)[1].split("/", 1)[0]:  # it would be written into the scenario's header
            raise FetchError("--url: give the user with --user and the password with --password (or "
                             "UPGRADE_SIM_PASSWORD), not inside the URL")
        self.base = base.removesuffix("/v1")

    def _verify(self) -> ssl.SSLContext | bool:
        if self.insecure:
            return False
        if self.ca_cert is None:
            return True
        try:
            return ssl.create_default_context(cafile=self.ca_cert)
        except FileNotFoundError:
            raise FetchError(f"--ca-cert {self.ca_cert}: no such file") from None
        except (ssl.SSLError, OSError, ValueError) as err:
            raise FetchError(f"--ca-cert {self.ca_cert}: not a PEM certificate file ({err})") from None

    def fetch(self) -> Bodies:
        """The six bodies (GET only); FetchError or DataError on any failure."""
        verify = self._verify()
        try:
            with httpx.Client(base_url=self.base, auth=(self.user, self.password), verify=verify,
                              timeout=self.timeout, follow_redirects=False,
                              headers={"Accept": "application/json"}) as client:
                bodies = {spec.name: self._body(client, spec) for spec in BODIES}
        except httpx.InvalidURL as err:
            raise FetchError(f"--url {self.url}: not a valid URL ({err})") from None
        return Bodies(source=self.base, live=True, **bodies)

    def _body(self, client: httpx.Client, spec: BodySpec) -> Body:
        origin = f"GET {spec.path}"
        response, content = self._get(client, spec.path)
        if response.status_code == 404 and not spec.required:
            return Body(origin, None)
        if response.status_code == 401:
            raise FetchError(f"{origin}: 401 Unauthorized: the cluster refused user {self.user!r} with that password")
        if response.status_code == 403:
            raise FetchError(f"{origin}: 403 Forbidden: user {self.user!r} may not read it (a role that may view "
                             "the cluster is needed, e.g. cluster_viewer)")
        if response.status_code != 200:
            raise FetchError(f"{origin}: HTTP {response.status_code} {response.reason_phrase}: "
                             f"{_said(content)}")
        return Body(origin, decode_json(content, origin, spec))

    def _get(self, client: httpx.Client, path: str) -> tuple[httpx.Response, bytes]:
        """The answer to `GET path` and its body, read within the bounds (see the module doc)."""
        until = self.clock() + self.deadline  # for every attempt together
        for attempt in range(1, self.attempts + 1):
            try:
                with client.stream("GET", path) as response:
                    return response, self._read(response, path, until)
            except httpx.TransportError as err:
                tls = _tls_problem(err)
                if tls is not None:
                    raise FetchError(f"GET {path}: TLS with {self.base} failed: {tls} (a self-signed cluster: "
                                     "--ca-cert FILE to trust its CA, or --insecure to skip the check)") from None
                if attempt == self.attempts:
                    raise FetchError(f"GET {path}: cannot reach {self.base}: {_reason(err)} (tried {attempt} "
                                     f"time{'s' if attempt > 1 else ''})") from None
                self.sleep(self.backoff * 2 ** (attempt - 1))
            except httpx.RequestError as err:  # not a connection problem (a body that cannot be decoded, ...)
                raise FetchError(f"GET {path}: {type(err).__name__}: {err}") from None
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


    def _read(self, response: httpx.Response, path: str, until: float) -> bytes:
        codings = [c for c in response.headers.get("content-encoding", "").split(",") if c.strip()]
        if len(codings) > 1:  # each layer multiplies: one chunk of a double gzip is gigabytes at once
            raise FetchError(f"GET {path}: the body is encoded {len(codings)} times over "
                             f"({response.headers['content-encoding']}): not read")
        chunks, size = [], 0
        for chunk in response.iter_bytes():  # decompressed: the bound holds for what memory keeps
            size += len(chunk)
            if size > MAX_BODY_FILE:
                raise FetchError(f"GET {path}: the body is over {MAX_BODY_FILE // 2**20} MiB (decompressed), more than "
                                 "a cluster of 200,000 shards answers: not read further")
            if self.clock() > until:
                raise FetchError(f"GET {path}: the body took over {self.deadline:g} s to arrive: not waited on further")
            chunks.append(chunk)
        return b"".join(chunks)


def _said(content: bytes) -> str:
    """What an error answer says: the vendor's error_code and message, or the start of its body."""
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict) and (body.get("error_code") or body.get("message") or body.get("description")):
        return " ".join(str(body[k]) for k in ("error_code", "message", "description") if body.get(k))
    text = " ".join(content.decode("utf-8", "replace").split())
    return (text[:120] + "...") if len(text) > 120 else (text or "(empty body)")


def fetch_bodies(url: str, user: str, password: str, insecure: bool = False, ca_cert: str | None = None,
                 attempts: int = 3, backoff: float = 0.5) -> Bodies:
    """The six bodies of a live cluster; see `Fetcher`."""
    return Fetcher(url, user, password, insecure, ca_cert, attempts, backoff).fetch()
