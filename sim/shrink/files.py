"""Writing a shrunk scenario: never over a file `upgrade-sim shrink` did not write (unless
asked), and atomically (a temporary sibling renamed into place: complete or absent)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sim.errors import InputError
from sim.shrink.report import MARK

__all__ = ["is_ours", "check_target", "write_atomically"]


def is_ours(path: Path) -> bool:
    """True when `path` is a file whose first line is the mark of a shrunk scenario."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(MARK)) == MARK.encode()
    except OSError:
        return False


def check_target(path: Path, force: bool = False) -> None:
    """Refuse (InputError) a target that is a folder, or an existing file shrink did not write
    (without `force`)."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; --out names the scenario file to write")
    if path.exists() and not force and not is_ours(path):
        raise InputError(f"{path}: exists and was not written by upgrade-sim shrink; choose another --out "
                         "(or pass --force to replace it)")


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a scenario file is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
