"""What a calibration may leave behind: redis-server processes and temporary folders (read from /proc)."""
from __future__ import annotations

import os
from pathlib import Path

from sim.calibrate import TEMP_PREFIX

__all__ = ["servers_under", "leftovers", "children_of"]


def servers_under(folder: Path) -> list[int]:
    """Pids of live redis-server processes working inside `folder`.

    A redis-server rewrites its command line ("redis-server 127.0.0.1:PORT"), so it is
    recognised by its executable and its working directory (it changes into its --dir),
    both read from /proc; a deleted folder still shows in the link ("PATH (deleted)").
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            exe, cwd = os.readlink(entry / "exe"), os.readlink(entry / "cwd")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and Path(exe.removesuffix(" (deleted)")).name == "redis-server" and str(folder) in cwd:
            found.append(int(entry.name))
    return found


def leftovers(folder: Path) -> list[str]:
    """Temporary folders of the calibration still inside `folder`."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)) if folder.exists() else []


def children_of(pid: int) -> list[int]:
    """Live child processes of `pid`."""
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[1]) == pid:
                kids.append(int(entry.name))
    return kids

