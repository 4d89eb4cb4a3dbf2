"""Serving a twin with uvicorn: bind (port 0 = a free port), say when ready, and stop on
`POST /sim/stop`, Ctrl-C or SIGTERM — in the foreground (the CLI) or in a thread (tests)."""
from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from types import FrameType

import uvicorn

from sim.errors import InputError
from sim.twin.app import create_app
from sim.twin.core import Twin

__all__ = ["TwinServer"]


class _Uvicorn(uvicorn.Server):
    """uvicorn's server, telling us when it listens, and leaving signals to us: on Ctrl-C,
    SIGTERM or SIGHUP (the terminal closed) it shuts down gracefully and returns (uvicorn would
    re-raise the signal, killing the process before the session's outputs are written; SIGHUP
    would otherwise be the CLI's stop, raised wherever the server is — inside a request, where
    the ASGI server logs it and goes on)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_ready = on_ready
        self.signalled: int | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.on_ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.force_exit = self.should_exit  # a second Ctrl-C stops waiting for open connections
        self.should_exit = True
        self.signalled = sig


class TwinServer:
    """A twin served over HTTP on `host:port` (0: a free port, known once bound)."""

    def __init__(self, twin: Twin, host: str = "127.0.0.1", port: int = 9443) -> None:
        self.twin = twin
        self.socket = _bind(host, port)
        self.host, self.port = host, self.socket.getsockname()[1]
        config = uvicorn.Config(create_app(twin), log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=3, server_header=False)
        self._ready = threading.Event()
        self.on_ready: Callable[[], None] = lambda: None
        self.server = _Uvicorn(config, self._started)
        twin.on_stop = self.shutdown
        # a long advance runs in the event loop: asked between instants, a stop ends it there
        twin.session.interrupted = lambda: self.server.should_exit
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. `http://127.0.0.1:9443`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def run(self) -> None:
        """Serve in this thread until stopped (`POST /sim/stop`, Ctrl-C, SIGTERM, `shutdown`)."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self) -> TwinServer:
        """Serve in a background thread; returns once it listens."""
        self._thread = threading.Thread(target=self.run, name="upgrade-sim-twin", daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the twin did not start within 30 s")
        return self

    def shutdown(self) -> None:
        """Ask the server to stop (it finishes the answers under way)."""
        self.server.should_exit = True

    def join(self, timeout: float | None = 30) -> None:
        """Wait for a background server to end."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _started(self) -> None:
        self._ready.set()
        self.on_ready()


def _bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket; InputError naming the address if it cannot be had."""
    sock: socket.socket | None = None
    try:
        family, kind, proto, _, _ = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        # the protocol must say TCP: asyncio sets TCP_NODELAY only on such sockets, and without
        # it a kept-alive connection waits ~40 ms (Nagle × delayed ACK) for every answer
        sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as err:
        if sock is not None:
            sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    return sock
