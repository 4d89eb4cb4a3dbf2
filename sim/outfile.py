"""Writing one output file safely: whole or absent (a temporary sibling renamed over the target
once complete), and replacing only a file upgrade-sim wrote (its first bytes are that command's
mark) — the single-file counterpart of `sim.outdir`'s folders.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sim.stopping import raise_if_stopped

__all__ = ["write_atomically", "starts_with"]


def write_atomically(path: Path, data: str | bytes, mode: int = 0o644) -> None:
    """Write `data` (text as UTF-8) to `path` through a temporary file in the same folder, synced
    and given `mode`, then renamed over `path`: a reader sees the old file or the new one, never
    half of one. The folder must exist; OSError if it cannot be written (nothing is left);
    `sim.stopping.Stopped` if a stop was asked for meanwhile (nothing is left either)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)  # mkstemp makes it private; an output is an ordinary file
        raise_if_stopped()  # a stop Python swallowed (see sim.stopping) must not let the file land
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def starts_with(path: Path, mark: str) -> bool:
    """True when `path` is a readable file whose first bytes are `mark` (the line a command
    writes first, to know its own files again)."""
    expected = mark.encode("utf-8")
    try:
        with path.open("rb") as stream:
            return stream.read(len(expected)) == expected
    except OSError:
        return False
