"""Unbounded input is refused before it costs anything (issue 16, item 4): scenario files and
logs must be regular files of bounded size (never a FIFO, a device or a folder: nothing waits
or reads without end), YAML nesting and alias expansion are bounded, and a huge log line is
not read whole. Each refusal: exit 2, one line naming the file."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.events.reader import MAX_LINE
from sim.scenario.yamlsource import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "preserve-roles.yaml"


def _refused(args: list[str], capsys, message: str) -> None:
    started = time.monotonic()
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and message in captured.err, captured.err
    assert time.monotonic() - started < 30  # it did not wait on, or read through, the input


@pytest.mark.parametrize("command, name, what", [
    ("validate", "pipe.yaml", "a scenario file"), ("run", "pipe.yaml", "a scenario file"),
    ("replay", "events.jsonl", "an event log"), ("explain", "events.jsonl", "an event log"),
])
def test_a_fifo_a_device_and_a_folder_are_refused(tmp_path: Path, capsys, command: str, name: str, what: str) -> None:
    """Nothing writes to the FIFO: opening it must not wait; /dev/zero must not be read."""
    fifo = tmp_path / name
    os.mkfifo(fifo)
    _refused([command, str(fifo)], capsys, f"is a FIFO, not {what}")
    _refused([command, "/dev/zero"], capsys, f"/dev/zero: is a special file, not {what}")
    _refused([command, str(tmp_path)], capsys, f"is a folder, not {what}")


def test_a_scenario_file_larger_than_the_bound_is_refused(tmp_path: Path, capsys) -> None:
    """A sparse file of 4 × MAX_BYTES: refused after reading MAX_BYTES + 1 bytes at most."""
    big = tmp_path / "big.yaml"
    with open(big, "wb") as out:
        out.truncate(4 * MAX_BYTES)
    _refused(["validate", str(big)], capsys, f"the file is larger than {MAX_BYTES // 2**20} MiB")


def test_a_two_gigabyte_line_is_not_read_whole(tmp_path: Path, capsys) -> None:
    """The issue's 2 GB one-line log (sparse here): refused once MAX_LINE bytes are read."""
    log = tmp_path / "huge.jsonl"
    with open(log, "wb") as out:
        out.truncate(2 * 2**30)
    _refused(["replay", str(log)], capsys, f"line 1 is longer than {MAX_LINE // 2**20} MiB")


def test_a_long_line_after_a_valid_header_is_refused(tmp_path: Path, capsys) -> None:
    """The bound holds for every line, not only the first."""
    main(["run", str(EXAMPLE), "--out", str(tmp_path / "o"), "--no-plots"])
    header = (tmp_path / "o" / "events.jsonl").read_bytes().split(b"\n")[0] + b"\n"
    log = tmp_path / "long.jsonl"
    with open(log, "wb") as out:
        out.write(header)
        out.truncate(len(header) + MAX_LINE + 10)
    capsys.readouterr()
    _refused(["explain", str(log)], capsys, "line 2 is longer than")


def test_the_alias_bomb_is_refused_quickly(capsys) -> None:
    """The issue's 441-byte bomb (grew past 10 GB): refused within seconds, one line."""
    bomb = ROOT / "tests" / "bad_inputs" / "alias-bomb.yaml"
    assert bomb.stat().st_size < 1000
    _refused(["validate", str(bomb)], capsys, "YAML aliases of this anchor expand the document")


def test_aliases_within_the_bound_still_work(tmp_path: Path) -> None:
    """Anchors, aliases and merge keys as people use them are accepted."""
    text = EXAMPLE.read_text().replace("  nodes: [{uid: 1, rack_id: az1}, {uid: 2, rack_id: az2}, {uid: 3, rack_id: az3}]",
                                       "  nodes: [&n1 {uid: 1, rack_id: az1}, {<<: *n1, uid: 2}, {<<: *n1, uid: 3}]")
    assert "<<: *n1" in text
    scenario = tmp_path / "anchors.yaml"
    scenario.write_text(text)
    assert main(["validate", str(scenario)]) == 0
