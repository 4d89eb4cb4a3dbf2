"""Writing a shrunk scenario: never over a file `upgrade-sim shrink` did not write (unless
asked), and atomically (a temporary sibling renamed into place: complete or absent)."""
from __future__ import annotations

from pathlib import Path

from sim.errors import InputError
from sim.outfile import starts_with
from sim.outfile import write_atomically as write_file
from sim.shrink.report import MARK

__all__ = ["is_ours", "check_target", "write_atomically"]


def is_ours(path: Path) -> bool:
    """True when `path` is a file whose first line is the mark of a shrunk scenario."""
    return starts_with(path, MARK)


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
    write_file(path, text)
