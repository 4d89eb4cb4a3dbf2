"""Markdown building blocks of `results.md`: tables, number formats, and the machine's description."""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

__all__ = ["table", "machine_rows", "seconds", "megabytes", "count", "mark"]


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def mark(ok: bool) -> str:
    """A target's verdict as the results tables write it."""
    return "met" if ok else "**missed**"


def seconds(value: float) -> str:
    """Seconds with three significant figures (milliseconds below one second)."""
    return f"{value * 1000:.1f} ms" if abs(value) < 1 else f"{value:.2f} s"


def megabytes(value: float) -> str:
    """Megabytes (MiB) with one decimal."""
    return f"{value:.1f} MB"


def count(value: float) -> str:
    """A count with thousands separators."""
    return f"{value:,.0f}"


def machine_rows(root: Path) -> list[tuple[str, str]]:
    """What the figures were measured on and with: CPU, cores, OS, Python, libraries, date, commit."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ("CPU", _cpu_model()),
        ("cores available", str(cores)),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("simpy / pydantic", f"{_version('simpy')} / {_version('pydantic')}"),
        ("date (UTC)", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")),
        ("commit", _commit(root)),
    ]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _commit(root: Path) -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--", "sim")
    return f"{head} (sim/ has uncommitted changes)" if changed else head
