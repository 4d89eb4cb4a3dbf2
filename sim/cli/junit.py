"""JUnit XML files (`check --junit`, `sweep --junit`): the path checked before any run, and an
atomic write (a temporary file renamed into place, removed on any failure)."""
from __future__ import annotations

import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

from sim.outfile import write_atomically
from sim.errors import InputError

__all__ = ["check_junit_path", "write_xml"]


def check_junit_path(path: Path, option: str = "--junit") -> None:
    """Refuse (InputError) a path that cannot be a file: a folder, a link to one, a parent that is a file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        info = None  # a part of the path is a file: named below
    except OSError as err:
        raise InputError(f"{option} {path}: cannot use this path ({err.strerror})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise InputError(f"{option} {path}: is a folder or a special file, not a file")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{option} {path}: {parent} is a file, not a folder")
            break


#: Control characters XML 1.0 does not allow, which ElementTree writes as they are (from a name or
#: a value in a scenario): written as their escape, so that the file stays XML a CI server reads.
_XML_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xml(path: Path, root: ET.Element, option: str = "--junit") -> None:
    """Write `root` as an XML file at `path`, atomically; InputError if the file cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        write_atomically(path, _XML_ILLEGAL.sub(lambda m: b"\\x%02x" % m.group()[0], text))
    except OSError as err:
        raise InputError(f"{option} {path}: cannot write the file ({err.strerror})") from None
