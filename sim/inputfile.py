"""Opening an input file safely: only a regular file, never waited on.

A folder, a FIFO or a device given where a file is expected (directly or through a symbolic
link) is refused with one line naming the path, instead of blocking on a pipe or reading a
device forever; a file larger than its limit is refused before it is read whole.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

__all__ = ["open_regular", "read_regular"]


def open_regular(path: Path, what: str, error: type[Exception], *, reading: str = "the file") -> IO[bytes]:
    """A binary handle on the regular file `path`; `error` (one line) for anything else:
    no such file, no permission, a folder, a FIFO or a device. `what` names the file
    expected ("scenario file"), `reading` what could not be read ("the log")."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise error(f"{path}: cannot read {reading} ({err.strerror})") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a special file"
        raise error(f"{path}: is {kind}, not {_article(what)} {what}")
    return os.fdopen(descriptor, "rb")


def read_regular(path: Path, limit: int, what: str, error: type[Exception]) -> bytes:
    """The bytes of the regular file `path` of at most `limit` bytes; `error` (one line) for
    anything else (see `open_regular`) or a larger file."""
    with open_regular(path, what, error) as file:
        try:
            raw = file.read(limit + 1)
        except OSError as err:
            raise error(f"{path}: cannot read the file ({err.strerror})") from None
    if len(raw) > limit:
        raise error(f"{path}: the file is larger than {limit // 2**20} MiB; this is not {_article(what)} {what}")
    return raw


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"
