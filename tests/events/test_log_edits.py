"""The log reader trusts nothing (issue 16, item 8): random edits of valid logs — a field's
value, a field dropped or added, a line cut, duplicated, deleted, swapped, binary garbage, the
initial snapshot, the header — give exit 0 with a sane result or exit 2 with one line, the
same for `replay` and `explain`; never a traceback, never exit 3. And random valid scenarios
run, replay and pass their invariants."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import (
    check_edited_log, check_scenario, edit_log, hostile_scenario, random_scenario, valid_log_lines,
)


@pytest.fixture(scope="module")
def valid_logs(tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    """The lines of six logs of random valid scenarios (upgrades, crashes, recoveries)."""
    folder = tmp_path_factory.mktemp("valid")
    rng = random.Random(2016)
    return [valid_log_lines(rng, folder) for _ in range(6)]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_an_edited_log_is_replayed_or_refused_in_one_line(seed: int, valid_logs: list[list[str]],
                                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    """Exit 0 with availability in [0, 1], finite non-negative figures and downtime =
    duration × (1 − availability); or exit 2 with one line and no output folder."""
    rng = random.Random(seed)
    data, what = edit_log(rng.choice(valid_logs), rng)
    folder = tmp_path_factory.mktemp("edit")
    assert check_edited_log(data, folder) is None, what


def test_an_unedited_log_replays(valid_logs: list[list[str]], tmp_path: Path) -> None:
    """The property's baseline: the logs themselves replay with exit 0 (an edit is what fails)."""
    for lines in valid_logs:
        data = ("\n".join(lines) + "\n").encode()
        assert check_edited_log(data, tmp_path) is None
        assert (tmp_path / "re" / "summary.json").exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_a_random_valid_scenario_runs_and_replays(seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    """validate accepts it; run (invariants on) exits 0 or 1 with sane figures; replay exits 0."""
    status, problem = check_scenario(random_scenario(random.Random(seed)), tmp_path_factory.mktemp("run"))
    assert status == "ran" and problem is None, problem


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_hostile_requests_are_refused_or_answered_and_the_log_replays(
        seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Requests with bodies a client could send (1e999, 64-bit overflows, lone surrogates, deep
    nesting, not an object), odd values and almost-endpoints: validate refuses in one line, or
    the run exits 0 or 1 — never 3 — and its log replays (72 of 1,500 such scenarios failed one
    way or the other before the body checks)."""
    status, problem = check_scenario(hostile_scenario(random.Random(seed)), tmp_path_factory.mktemp("hostile"))
    assert problem is None, problem
