"""`sim.outfile`: one output file written whole or not at all, and a command's own files known by
their first bytes (shrink, import, calibrate and the JUnit writer share it)."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sim.outfile import starts_with, write_atomically


def test_a_file_is_written_whole_with_its_mode_and_nothing_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "profile.yaml"
    target.write_text("old\n")
    write_atomically(target, "# mark\nnew ✓\n", 0o640)
    assert target.read_bytes() == "# mark\nnew ✓\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["profile.yaml"]
    write_atomically(target, b"<?xml?>")
    assert target.read_bytes() == b"<?xml?>" and stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old\n")

    class Boom(Exception):
        pass

    class Text(str):
        def encode(self, *args: object, **kwargs: object) -> bytes:
            raise Boom

    with pytest.raises(Boom):
        write_atomically(target, Text("new"))
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["out.yaml"]
    with pytest.raises(OSError):
        write_atomically(tmp_path / "missing" / "out.yaml", "x")


def test_our_own_files_are_known_by_their_first_bytes(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "a.yaml", tmp_path / "b.yaml"
    ours.write_text("# written by upgrade-sim shrink\nname: x\n")
    theirs.write_text("name: x\n# written by upgrade-sim shrink\n")
    assert starts_with(ours, "# written by upgrade-sim shrink")
    assert not starts_with(theirs, "# written by upgrade-sim shrink")
    assert not starts_with(tmp_path / "absent.yaml", "#") and not starts_with(tmp_path, "#")


def test_after_a_stop_nothing_lands_and_the_old_file_stays(tmp_path: Path) -> None:
    """A stop asked for before the rename (one Python swallowed, say): `Stopped`, the old file as it
    was, no temporary beside it — for every single-file output (import, shrink, calibrate, JUnit)."""
    from sim import stopping

    target = tmp_path / "out.yaml"
    target.write_text("old\n")
    stopping._pending.append(2)  # what a swallowed stop leaves: remembered, not raised here
    with pytest.raises(stopping.Stopped):
        write_atomically(target, "new\n")
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.yaml"]
