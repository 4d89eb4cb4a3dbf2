"""Fixtures for every test."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from sim import stopping


@pytest.fixture(autouse=True)
def _no_stop_left_behind() -> Iterator[None]:
    """A test that asks for a stop (a signal's, remembered by `sim.stopping` until the next command
    resets it) must not stop the tests that follow it in the same process."""
    yield
    stopping.reset()
