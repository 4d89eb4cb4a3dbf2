"""Where `upgrade-sim import` writes: stdout by default, or --out FILE atomically, never over a file it did
not write unless told to (--force); and its option errors (exit 2, one line)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.cli import main
from tests.importer.helpers import THREE


def test_stdout_by_default(capsys) -> None:
    """Without --out the scenario goes to stdout, and only it."""
    assert main(["import", "--from-dir", str(THREE)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# Imported by upgrade-sim import from") and captured.err == ""
    header = " ".join(line.lstrip("# ").strip() for line in captured.out.split("\nname:")[0].splitlines())
    assert f"from {THREE} (saved REST bodies)" in header  # a long path is wrapped onto the next comment line
    assert "\nname: prod-east\n" in captured.out


def test_out_writes_the_file_and_leaves_nothing_else(tmp_path: Path, capsys) -> None:
    """--out FILE: the file, no temporary sibling left; a one-line report on stdout."""
    out = tmp_path / "prod.yaml"
    assert main(["import", "--from-dir", str(THREE), "--out", str(out)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["prod.yaml"]
    assert capsys.readouterr().out == (f"wrote {out}: cluster prod-east, 3 node(s), 5 module(s), 2 database(s), "
                                       "7 shard(s)\n")


def test_a_file_it_did_not_write_is_not_replaced(tmp_path: Path, capsys) -> None:
    """An existing file without the import's first line stays as it was: exit 2, one line naming --force."""
    out = tmp_path / "mine.yaml"
    out.write_text("name: my-hand-written-scenario\n")
    assert main(["import", "--from-dir", str(THREE), "--out", str(out)]) == 2
    assert "was not written by upgrade-sim import" in capsys.readouterr().err
    assert out.read_text() == "name: my-hand-written-scenario\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.yaml"]


def test_force_replaces_it_keeping_its_mode(tmp_path: Path) -> None:
    """--force replaces a foreign file; the replaced file keeps its permissions."""
    out = tmp_path / "mine.yaml"
    out.write_text("name: mine\n")
    os.chmod(out, 0o640)
    assert main(["import", "--from-dir", str(THREE), "--out", str(out), "--force"]) == 0
    assert out.read_text().startswith("# Imported by upgrade-sim import")
    assert out.stat().st_mode & 0o777 == 0o640


def test_its_own_file_is_replaced(tmp_path: Path) -> None:
    """A file the import wrote is replaced by a new import without --force."""
    out = tmp_path / "prod.yaml"
    assert main(["import", "--from-dir", str(THREE), "--out", str(out)]) == 0
    out.write_text(out.read_text().replace("name: prod-east", "name: edited"))
    assert main(["import", "--from-dir", str(THREE), "--out", str(out)]) == 0
    assert "\nname: prod-east\n" in out.read_text()


@pytest.mark.parametrize("argv, fragment", [
    (["--from-dir", str(THREE), "--out", "/nonexistent-folder/x.yaml"], "the folder /nonexistent-folder does not"),
    (["--from-dir", str(THREE), "--out", "."], "is a folder"),
    (["--from-dir", str(THREE), "--user", "u"], "--user goes with --url, not --from-dir"),
    (["--from-dir", str(THREE), "--insecure"], "--insecure goes with --url"),
    (["--url", "https://127.0.0.1:9443"], "--url needs --user"),
    (["--url", "https://127.0.0.1:9443", "--user", "u"], "--url needs --password"),
    (["--url", "https://127.0.0.1:9443", "--user", "u", "--password", "p", "--insecure", "--ca-cert", "c.pem"],
     "give one of them"),
    (["--url", "ftp://cluster", "--user", "u", "--password", "p"], "expected https://HOST:PORT"),
    (["--url", "https://u:pw@cluster:9443", "--user", "u", "--password", "p"], "not inside the URL"),
    (["--url", "https://cluster:port", "--user", "u", "--password", "p"], "not a valid URL"),
    ([], "one of the arguments --url --from-dir is required"),
    (["--from-dir", str(THREE), "--url", "https://x"], "not allowed with argument"),
    (["--from-dir", "/nonexistent-folder"], "/nonexistent-folder: not a folder"),
])
def test_option_errors(argv: list[str], fragment: str, capsys, monkeypatch) -> None:
    """Every misuse: exit 2, one line saying what is wrong."""
    monkeypatch.delenv("UPGRADE_SIM_PASSWORD", raising=False)
    assert main(["import", *argv]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], captured.err
    assert captured.out == ""
