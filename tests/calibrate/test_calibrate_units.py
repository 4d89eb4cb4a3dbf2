"""The pure parts of calibrate: figure formatting, medians and spread, outages from the ledger,
the verification rules, the model's documents, the profile file."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.calibrate import KEYS, Measurement, Profile, RedisBinary, check_out, write_profile
from sim.calibrate.calibration import phase
from sim.calibrate.load import outages
from sim.calibrate.model import crash_document, simulate, upgrade_document
from sim.calibrate.profile import MARK, positional
from sim.calibrate.rolling import CrashRun, UpgradeRun
from sim.calibrate.verify import TIGHT, sync_bound, compare
from sim.errors import InputError
from sim.scenario import load_timing

BINARY = RedisBinary(Path("/opt/redis/bin/redis-server"), "6.2.14", "--redis-server")
TIMING = {"shard_restart_s": 0.01, "rdb_load_bytes_per_s": 5e8, "aof_load_bytes_per_s": 4e8,
          "full_sync_bytes_per_s": 1e8, "planned_failover_s": 0.5, "replication_lag_s": 2e-5}


@pytest.mark.parametrize(("value", "key", "text"), [
    (0.0077734, "shard_restart_s", "0.007773"),        # 4 significant digits
    (0.5, "planned_failover_s", "0.5000"),
    (2.0e-05, "replication_lag_s", "0.00002000"),      # never 2e-05: YAML would read a string
    (123.456, "shard_restart_s", "123.5"),
    (564683006.4, "rdb_load_bytes_per_s", "564683006"),  # whole bytes per second
    (0.2, "full_sync_bytes_per_s", "1"),              # a rate is at least 1 byte/s
    (0.0, "replication_lag_s", "0.0"),
])
def test_figures_are_written_positionally(value: float, key: str, text: str) -> None:
    """Rates as whole numbers, durations with 4 significant digits, no exponent."""
    assert positional(value, key) == text


def test_a_non_finite_figure_is_refused() -> None:
    """An infinite or NaN figure never reaches the file."""
    for bad in (math.inf, math.nan):
        with pytest.raises(ValueError, match="not a finite figure"):
            positional(bad, "shard_restart_s")


def test_measurement_keeps_the_median_and_reports_the_spread() -> None:
    """Samples 0.3, 0.9, 0.5: median 0.5; spread ±(0.9 − 0.3) / 2 / 0.5 = ±60 %."""
    m = Measurement("planned_failover_s", [0.3, 0.9, 0.5])
    assert m.value == 0.5
    assert m.spread() == "0.3000 s .. 0.9000 s (3 samples, ±60 %)"
    assert Measurement("full_sync_bytes_per_s", [1e8]).spread() == "100.0 MB/s .. 100.0 MB/s (1 sample, ±0 %)"


@pytest.mark.parametrize(("attempts", "start", "end", "expected"), [
    # held by a FAILOVER for 0.498 s, refused (READONLY), then taken by the new master
    ([(0, 0.0001, True), (0.001, 0.0011, True), (0.002, 0.5, False), (0.502, 0.5021, True)], 0, 1, [(0.002, 0.5021)]),
    ([(0, 0.0001, True), (0.001, 0.0011, True), (0.002, 0.0021, True)], 0, 1, []),      # all quick
    ([(0, 0.0001, True), (0.001, 0.06, True), (0.061, 0.0611, True)], 0, 1, [(0.001, 0.06)]),  # held 59 ms
    ([(0, 0.0001, True), (0.001, 0.02, True)], 0, 1, []),                              # held 19 ms: normal
    ([(0, 0.0001, True), (0.3, 0.3001, True)], 0, 1, []),           # the client sent late: not the server's fault
    ([(0.0, 1.0, False), (1.001, 1.002, True)], 0.5, 1.5, [(0.5, 1.002)]),               # clipped to the window
    ([(0, 0.0001, True), (0.1, 0.2, False), (0.21, 0.3, False)], 0, 1, [(0.1, 0.3)]),   # never over
    ([(0.1, 0.11, False), (0.12, 0.13, False), (0.14, 0.1401, True), (0.2, 0.3, True)], 0, 1,
     [(0.1, 0.1401), (0.2, 0.3)]),
])
def test_outages_are_failed_or_held_writes_until_one_is_taken(attempts: list[tuple[float, float, bool]], start: float,
                                                              end: float, expected: list[tuple[float, float]]) -> None:
    """Unavailability runs from a write that failed or was held over 25 ms to the next acknowledged one."""
    found = outages(attempts, start, end)
    assert len(found) == len(expected)
    assert [t for gap in found for t in gap] == pytest.approx([t for gap in expected for t in gap])


def test_the_model_documents_give_the_profile_arithmetic() -> None:
    """Upgrade of 200 MB at 100 MB/s with restart 0.01 s, failover 0.5 s: 2 × (0.01 + 2) + 2 × 0.5 = 5.02 s,
    downtime 1 s; a crash at 1,000 writes/s with a 20 µs lag loses 0.02 writes."""
    planned = simulate(upgrade_document(TIMING, 200_000_000, 190_000, 1000))
    assert planned["upgrade_duration_s"] == pytest.approx(5.02)
    assert planned["downtime_s"] == pytest.approx(1.0)
    assert planned["writes_lost"] == 0 and planned["failovers"] == {"planned": 2, "unplanned": 0}
    unplanned = simulate(crash_document(TIMING, 0, 0, 1000))
    assert unplanned["failovers"] == {"planned": 0, "unplanned": 1}
    assert unplanned["writes_lost"] == pytest.approx(0.02)


def _upgrade(duration: float, pauses: float, unavailable: float, lost: int = 0) -> UpgradeRun:
    return UpgradeRun(duration, duration - pauses, pauses, unavailable, max(0.0, unavailable - pauses), 2, unavailable / 2, 4000, lost, 2, 200_000_000, 190_000)


@pytest.mark.parametrize(("duration", "pauses", "unavailable", "lost", "crash_lost", "ok"), [
    (5.05, 1.0, 1.05, 0, 0, [True, True, True, True, True, True]),
    (9.0, 1.0, 1.0, 0, 0, [False, True, False, True, True, True]),   # 3.98 s off: > 0.8 + 1.0, > 0.8
    (5.6, 1.6, 1.6, 0, 0, [True, True, True, True, True, True]),     # long pauses: within 0-1 s each
    (4.5, 1.0, 1.0, 0, 0, [True, True, False, True, True, True]),    # syncs 0.52 s off: > 10 % of 3.5 s
    (5.0, 1.0, 1.3, 0, 0, [True, True, True, False, True, True]),    # clients down 0.3 s beyond the pauses
    (5.0, 1.0, 1.0, 1, 0, [True, True, True, True, False, True]),    # a planned loss the model does not have
    (5.0, 1.0, 1.0, 0, 5, [True, True, True, True, True, False]),    # 5 lost against 0.1: beyond 3 x 1 + 1 = 4
    (5.0, 1.0, 1.0, 0, 4, [True, True, True, True, True, True]),
])
def test_the_verification_rules(duration: float, pauses: float, unavailable: float, lost: int, crash_lost: int,
                                ok: list[bool]) -> None:
    """Each row's rule, from hand-computed cases. Simulated with the profile (failover 0.5 s):
    duration 5.02 s, downtime 1.0 s, each of the 2 pauses allowed max(0.5, 1 - 0.5) = 0.5 s off;
    with the runs' mean pause P: duration 4.02 + P, downtime P. Samples without spread, so
    restarts and syncs (duration - P) get the 10 % floor. Crashes: 5 x 0.02 = 0.1 writes."""
    planned = {"upgrade_duration_s": 5.02, "downtime_s": 1.0, "writes_lost": 0.0,
               "failovers": {"planned": 2, "unplanned": 0}}
    paused = {"upgrade_duration_s": 4.02 + pauses, "downtime_s": pauses}
    upgrades = [_upgrade(duration, pauses, unavailable, lost)] * 2
    crashes = [CrashRun(1000, crash_lost)] + [CrashRun(1000, 0)] * 4
    rows = compare(upgrades, crashes, planned, paused, {"writes_lost": 0.02}, 0.5, [2.0, 2.0], TIGHT)
    assert [row.ok for row in rows] == ok
    assert rows[0].ratio == pytest.approx(5.02 / duration)


def test_the_rules_are_printed_with_their_bounds() -> None:
    """Duration 5 s with 1 s of pauses: syncs 4 s, ±10 % = ±0.40 s; pauses ±1.00 s."""
    planned = {"upgrade_duration_s": 5.02, "downtime_s": 1.0, "writes_lost": 0.0,
               "failovers": {"planned": 2, "unplanned": 0}}
    rows = compare([_upgrade(5.0, 1.0, 1.0)] * 2, [CrashRun(1000, 0)] * 5, planned,
                   {"upgrade_duration_s": 5.02, "downtime_s": 1.0}, {"writes_lost": 0.02}, 0.5, [2.0, 2.0], TIGHT)
    assert [row.rule for row in rows] == [
        "±1.40 s (syncs ±0.40, pauses ±1.00)", "±1.10 s (pauses are 0-1 s)", "±0.40 s (10% of the syncs)",
        "±0.1 s", "equal", "±4.0 (3 sigma + 1)"]


@pytest.mark.parametrize(("runs", "samples", "bound"), [
    # sqrt(pi/2 x (0.2/1.2)^2 / 3 + (0.7071/4.5)^2 / 2) = 0.16398; x 3
    ([4.0, 5.0], [1.0, 1.2, 1.4], 0.4919),
    # one of each: relative spread 0.25 assumed: sqrt(pi/2 x 0.0625 + 0.0625) = 0.40084; x 3
    ([4.0], [2.0], 1.2025),
    ([4.0, 4.0], [2.0, 2.0], 0.10),   # no spread at all: the 10 % floor
])
def test_the_sync_bound_follows_the_spread(runs: list[float], samples: list[float], bound: float) -> None:
    """Three standard errors of (runs' mean − samples' median), relative, at least 10 %."""
    assert sync_bound(runs, samples, TIGHT) == pytest.approx(bound, abs=1e-4)


def _profile(values: dict[str, list[float]]) -> Profile:
    return Profile({k: Measurement(k, v) for k, v in values.items()}, BINARY, 20_000_000, 20_053_944, 19_083, 1000, 1,
                   1000, "2026-11-27T17:00:00Z", "AMD EPYC, 2 cores", ["a note"])


def test_the_profile_file_round_trips_through_load_timing(tmp_path: Path) -> None:
    """What calibrate writes is what --timing reads: the rounded medians, nothing else."""
    profile = _profile({k: [v * 0.9, v, v * 1.3] for k, v in TIMING.items()})
    path = tmp_path / "p.yaml"
    write_profile(profile, path)
    assert load_timing(path) == profile.timing() == pytest.approx(TIMING, rel=1e-3)
    text = path.read_text()
    assert text.startswith(MARK) and "# note: a note" in text and "6.2.14 (/opt/redis/bin/redis-server" in text
    assert list(profile.timing()) == list(KEYS)


def test_an_existing_file_is_replaced_only_if_calibrate_wrote_it(tmp_path: Path) -> None:
    """A previous profile is replaced; any other file, or a folder, is refused and left alone."""
    profile = _profile({k: [v] for k, v in TIMING.items()})
    ours = tmp_path / "ours.yaml"
    write_profile(profile, ours)
    write_profile(profile, ours)  # again: fine
    theirs = tmp_path / "notes.yaml"
    theirs.write_text("timing: {shard_restart_s: 1}\n")
    with pytest.raises(InputError, match="not a profile written by upgrade-sim calibrate"):
        write_profile(profile, theirs)
    assert theirs.read_text() == "timing: {shard_restart_s: 1}\n"
    with pytest.raises(InputError, match="is a folder"):
        check_out(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        check_out(tmp_path / "missing" / "p.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.yaml", "ours.yaml"]  # no temporary left


def test_failover_phases_cover_the_second_evenly() -> None:
    """The first 10 waits leave no hole wider than 0.146 s in the second (golden-ratio steps:
    0, .090, .236, .326, .472, .562, .618, .708, .854, .944), where 10 random draws leave ≈ 0.29 s."""
    waits = sorted(phase(k) for k in range(10))
    assert all(0 <= w < 1 for w in waits)
    gaps = [b - a for a, b in zip(waits, waits[1:] + [waits[0] + 1])]
    assert max(gaps) == pytest.approx(0.1459, abs=1e-3)
