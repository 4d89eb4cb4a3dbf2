"""`--verify` on a small dataset, checked loosely (a shared 2-core machine must not make it flaky):
no acknowledged write lost in the planned upgrade, real or simulated; durations within a factor of 3."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from sim.calibrate import Profile, RedisBinary, ServerPool, calibrate
from sim.calibrate.verify import Verification, verify
from tests.calibrate.procs import leftovers, servers_under

WRITE_RATE = 1000


@pytest.fixture(scope="module")
def verified(binary: RedisBinary, tmp_path_factory: pytest.TempPathFactory) -> tuple[Profile, Verification, Path]:
    tmp = tmp_path_factory.mktemp("verify")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(tmp))
        with ServerPool(binary) as pool:
            profile = calibrate(pool, 20_000_000, repetitions=1, write_rate=WRITE_RATE)
            result = verify(pool, profile, repetitions=1, write_rate=WRITE_RATE)
    return profile, result, tmp


def test_planned_upgrade_loses_no_acknowledged_write(verified: tuple[Profile, Verification, Path]) -> None:
    """The real rolling upgrade kept every acknowledged write (and there were writes); so did the model."""
    _, result, _ = verified
    run = result.upgrades[0]
    assert run.writes_acked > 0 and run.writes_lost == 0
    assert result.planned["writes_lost"] == 0
    assert result.planned["failovers"] == {"planned": 2, "unplanned": 0} and result.planned["roles_preserved"]


def test_durations_within_a_factor_of_3(verified: tuple[Profile, Verification, Path]) -> None:
    """Measured and simulated upgrade durations differ by less than a factor of 3."""
    _, result, _ = verified
    measured, simulated = result.upgrades[0].duration_s, result.planned["upgrade_duration_s"]
    assert measured > 0 and 1 / 3 <= simulated / measured <= 3


def test_the_model_ran_the_real_case_with_the_profile(verified: tuple[Profile, Verification, Path]) -> None:
    """The simulated figures are the profile's arithmetic for the real dataset: duration
    2 × (restart + bytes ÷ sync rate) + 2 × failover, downtime 2 × failover, and a crash loses
    write rate × replication lag."""
    profile, result, _ = verified
    timing, run = profile.timing(), result.upgrades[0]
    assert result.planned["upgrade_duration_s"] == pytest.approx(
        2 * (timing["shard_restart_s"] + run.dataset_bytes / timing["full_sync_bytes_per_s"])
        + 2 * timing["planned_failover_s"], abs=2e-6)
    assert result.planned["downtime_s"] == pytest.approx(2 * timing["planned_failover_s"], abs=2e-6)
    assert result.unplanned["writes_lost"] == pytest.approx(WRITE_RATE * timing["replication_lag_s"], abs=2e-6)


def test_the_client_saw_the_failovers(verified: tuple[Profile, Verification, Path]) -> None:
    """Writes stopped during the FAILOVERs: at least one outage, none longer than the whole upgrade."""
    _, result, _ = verified
    run = result.upgrades[0]
    assert run.outages >= 1 and 0 < run.unavailable_s < run.duration_s
    assert 0 < run.longest_outage_s <= run.unavailable_s
    assert 0 <= run.stalls_s <= run.unavailable_s
    assert result.stalls_note().endswith(f"{run.stalls_s:.3f} s per upgrade on average")


def test_the_crash_case_counts_acknowledged_writes(verified: tuple[Profile, Verification, Path]) -> None:
    """The master killed after a second of load had acknowledged writes; what was lost is a count."""
    _, result, _ = verified
    crash = result.crashes[0]
    assert crash.writes_acked > WRITE_RATE / 2 and 0 <= crash.writes_lost <= crash.writes_acked


def test_the_table_compares_six_figures(verified: tuple[Profile, Verification, Path]) -> None:
    """Duration and unavailable time (with the profile, then with the real pauses), planned and
    unplanned losses, each with its rule."""
    _, result, _ = verified
    assert [row.figure for row in result.rows] == [
        "upgrade duration (s)", "unavailable to writes (s)", "upgrade duration, with the real pauses (s)",
        "unavailable to writes, with the real pauses (s)", "acknowledged writes lost, planned",
        "acknowledged writes lost, 1 crash(es)"]
    assert result.rows[4].ok  # 0 lost, really and in the model


def test_the_real_pauses_replace_the_profiles(verified: tuple[Profile, Verification, Path]) -> None:
    """Simulated again with the mean measured FAILOVER pause: the duration changes by exactly the
    difference of the two failovers, the downtime is the measured pauses."""
    profile, result, _ = verified
    pauses = result.upgrades[0].pauses_s
    assert 0 < pauses < result.upgrades[0].duration_s
    assert result.paused["downtime_s"] == pytest.approx(pauses, abs=2e-6)
    assert result.paused["upgrade_duration_s"] - result.planned["upgrade_duration_s"] == pytest.approx(
        pauses - 2 * profile.timing()["planned_failover_s"], abs=4e-6)


def test_nothing_is_left_running(verified: tuple[Profile, Verification, Path]) -> None:
    """After the pool closed: no redis-server alive under its folder, the folder removed."""
    _, _, tmp = verified
    assert servers_under(tmp) == [] and leftovers(tmp) == []


def test_one_repetition_still_times_five_restarts(verified: tuple[Profile, Verification, Path]) -> None:
    """Restarts are cheap and subtracted from every reload: five samples at least; the rest one
    per repetition, and every figure positive and finite."""
    profile, _, _ = verified
    counts = {key: len(m.samples) for key, m in profile.measurements.items()}
    assert counts == {"shard_restart_s": 5, "rdb_load_bytes_per_s": 1, "aof_load_bytes_per_s": 1,
                      "full_sync_bytes_per_s": 1, "planned_failover_s": 1, "replication_lag_s": 1}
    assert all(0 < value < float("inf") for value in profile.timing().values())
