"""JUnit XML files (`check --junit`, `sweep --junit`): the path checked before any run, and an
atomic write (a temporary file renamed into place, removed on any failure)."""
from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

from sim.outfile import write_atomically
from sim.printable import xml_safe
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


def write_xml(path: Path, root: ET.Element, option: str = "--junit") -> None:
    """Write `root` as an XML file at `path`, atomically; InputError if the file cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # a name or value from a scenario may hold a control character ElementTree writes as it is
        write_atomically(path, xml_safe(ET.tostring(root, encoding="utf-8", xml_declaration=True)))
    except OSError as err:
        raise InputError(f"{option} {path}: cannot write the file ({err.strerror})") from None
