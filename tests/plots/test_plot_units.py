"""Numbers as people read them: integers as integers, thousands separated, no exponent; sizes,
rates, durations and shares with their unit (the report and the terminal share these)."""
from __future__ import annotations

import pytest

from sim.plots.units import count_of, number, percent, rate, seconds, size, timing_value


@pytest.mark.parametrize("value, text", [
    (2556250.0, "2,556,250"),        # was 2.55625e+06 with :g
    (1250.0, "1,250"),               # was 1,250.0
    (1_000_000, "1,000,000"),
    (0, "0"),
    (0.0, "0"),
    (-3.0, "-3"),
    (0.993333, "0.993333"),          # 6 significant digits kept
    (2.8331298828, "2.83313"),       # rounded to 6 significant digits
    (12345.678, "12,345.7"),         # 5 integer digits + 1 decimal
    (2556250.5, "2,556,250.5"),      # never rounds away the only decimal
    (0.1, "0.1"),
    (1e-7, "0.0000001"),             # no exponent, however small
    (123456789012.25, "123,456,789,012.2"),  # at least one decimal (banker's: .25 -> .2)
    (True, "yes"),
    (float("inf"), "inf"),
])
def test_number(value: float, text: str) -> None:
    """A whole number reads as an integer; another keeps 6 significant digits; no exponent ever."""
    assert number(value) == text


@pytest.mark.parametrize("value, text", [
    (100_000_000.0, "100 MB"), (50e6, "50 MB"), (10**9, "1 GB"), (536_870_912, "536.9 MB"),
    (1_500, "1.5 kB"), (999, "999 B"), (0, "0 B"), (2 * 10**12, "2 TB"),
])
def test_size_is_decimal_like_scenario_files(value: float, text: str) -> None:
    """Decimal units, as `1GB` = 10⁹ in a scenario; 4 significant digits (536,870,912 B = 536.9 MB)."""
    assert size(value) == text


@pytest.mark.parametrize("call, text", [
    (lambda: rate(100_000_000.0), "100 MB/s"),
    (lambda: seconds(85.0), "85 s"),
    (lambda: seconds(None), "-"),
    (lambda: percent(0.993333), "99.3333 %"),   # 2 s down of 300: 1 - 2/300 = 0.993333
    (lambda: percent(1.0), "100 %"),
    (lambda: percent(0.0), "0 %"),
    (lambda: count_of(1, "write"), "1 write"),
    (lambda: count_of(1250.0, "acknowledged write"), "1,250 acknowledged writes"),
    (lambda: count_of(2, "key"), "2 keys"),
])
def test_units(call: object, text: str) -> None:
    """Durations, rates, shares and counts with their unit or noun."""
    assert call() == text  # type: ignore[operator]


@pytest.mark.parametrize("key, value, text", [
    ("rdb_load_bytes_per_s", 100000000.0, "100 MB/s"),
    ("full_sync_bytes_per_s", 158_000_000.0, "158 MB/s"),
    ("shard_restart_s", 5.0, "5 s"),
    ("failure_detection_s.high", 3.0, "3 s"),
    ("replication_lag_s", 0.000001, "0.000001 s"),
    ("something_else", 4.0, "4"),
    ("something_else", "text", "text"),
])
def test_timing_values_by_key(key: str, value: object, text: str) -> None:
    """A timing entry's unit comes from its key: `_bytes_per_s` a rate, `_s` (nested too) seconds."""
    assert timing_value(key, value) == text
