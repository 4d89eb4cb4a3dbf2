"""Real redis-server processes on free loopback ports, in one temporary folder, always cleaned up.

`ServerPool` is a context manager: every server it starts lives in a sub-folder of one
`upgrade-sim-calibrate-*` temporary folder; on leaving the block — normally, on an error,
on Ctrl-C or on SIGTERM (see `signals`) — every process is killed and waited for and the
folder is removed. Each child is also started in its own session (a Ctrl-C typed in the
terminal reaches only us, and we stop the servers in order) and, on Linux, with a
parent-death signal, so that even a SIGKILL of this process takes its servers with it.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sim.calibrate.binary import RedisBinary
from sim.calibrate.client import connect, is_ready
from sim.calibrate.errors import CalibrationError
from sim.calibrate.signals import signals_deferred

__all__ = ["Server", "ServerPool", "TEMP_PREFIX"]

#: Prefix of the temporary folder (tests look for leftovers by it).
TEMP_PREFIX = "upgrade-sim-calibrate-"
#: Settings of every server: loopback only, no automatic snapshots, uncompressed RDB (a
#: real dataset compresses far less than DEBUG POPULATE's padded values), log to a file.
BASE_CONFIG = ("--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--rdbcompression", "no",
               "--daemonize", "no", "--logfile", "redis.log", "--dbfilename", "dump.rdb")
_POLL_S = 0.0005


def _parent_death_signal() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGKILL the child when this process dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def free_port() -> int:
    """A loopback TCP port nobody listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(slots=True)
class Server:
    """One redis-server: its name, port and folder; `process` is None while it is stopped."""

    name: str
    port: int
    folder: Path
    config: tuple[str, ...] = ()
    started: bool = False
    process_group: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def log_tail(self) -> str:
        """The last line of the server's log (why it died), or an empty string."""
        log = self.folder / "redis.log"
        lines = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
        return lines[-1].strip() if lines else ""


class ServerPool:
    """Starts, stops and kills servers; on exit leaves no process and no folder behind."""

    def __init__(self, binary: RedisBinary, ready_timeout_s: float = 600.0) -> None:
        self.binary = binary
        self.ready_timeout_s = ready_timeout_s
        self.root: Path | None = None
        self.servers: list[Server] = []
        self._preexec = _parent_death_signal()

    def __enter__(self) -> ServerPool:
        self.root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def add(self, name: str, *config: str) -> Server:
        """A new (stopped) server with its own folder and a free port."""
        if self.root is None:
            raise RuntimeError("ServerPool used outside its `with` block")
        folder = self.root / name
        folder.mkdir()
        server = Server(name, free_port(), folder, tuple(config))
        self.servers.append(server)
        return server

    def start(self, server: Server) -> float:
        """Start `server`; returns seconds from the process start to its first PING answer
        (LOADING answers do not count: the data is loaded by then)."""
        if server.process is not None:
            raise RuntimeError(f"{server.name} is already running")
        for _ in range(4):  # another program may take the free port before the server binds it
            try:
                return self._start(server)
            except CalibrationError as err:
                if server.started or "already in use" not in str(err):
                    raise
                server.port = free_port()
        return self._start(server)

    def _start(self, server: Server) -> float:
        argv = [str(self.binary.path), "--port", str(server.port), "--dir", str(server.folder),
                *BASE_CONFIG, *server.config]
        begin = time.perf_counter()
        with signals_deferred():  # a signal between the fork and the assignment would orphan the child
            server.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL, start_new_session=True,
                                              preexec_fn=self._preexec)
            server.process_group = server.process.pid  # start_new_session: the server leads its group
        deadline = begin + self.ready_timeout_s
        while not is_ready(server.port):
            if server.process.poll() is not None:
                server.process = None
                raise CalibrationError(f"redis-server {server.name} (port {server.port}) exited at start: "
                                       f"{server.log_tail() or 'no log'}")
            if time.perf_counter() > deadline:
                raise CalibrationError(f"redis-server {server.name} did not answer PING within "
                                       f"{self.ready_timeout_s:g} s")
            time.sleep(_POLL_S)
        server.started = True
        return time.perf_counter() - begin

    def stop(self, server: Server) -> None:
        """Stop gracefully without saving (SHUTDOWN NOSAVE), as an upgrade stops a shard."""
        if server.process is None:
            return
        try:
            connect(server.port, timeout_s=10).shutdown(nosave=True)
        except Exception:  # noqa: BLE001 - the connection drops as the server exits; kill below if not
            pass
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
        server.process = None

    def kill(self, server: Server) -> None:
        """SIGKILL the server and any child it forked (a crash: nothing is flushed); reap it."""
        if server.process is None:
            return
        _kill_group(server.process)
        server.process.wait()
        server.process = None
        _wait_group_gone(server.process_group)

    def close(self) -> None:
        """Kill every server (with the snapshot or rewrite children it forked) and remove the
        temporary folder; signals are held back meanwhile."""
        with signals_deferred():
            running = [s for s in self.servers if s.process is not None]
            for server in running:
                assert server.process is not None
                _kill_group(server.process)
            for server in running:
                assert server.process is not None
                server.process.wait()
                server.process = None
            for server in running:
                _wait_group_gone(server.process_group)
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group a server leads: the server and its BGSAVE/AOF-rewrite children."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _wait_group_gone(group: int, timeout_s: float = 5.0) -> None:
    """Wait (bounded) until no process of the group is left: a forked child, orphaned by the
    kill, is reaped by init a moment later."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        try:
            os.killpg(group, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.005)
