"""The timing profile (SPEC §6): every duration and rate of the simulation, overridable."""
from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, NonNegativeFloat, WithJsonSchema

from sim.model.config import SIZE_SCHEMA, Strict
from sim.model.sizes import parse_size

__all__ = ["Timing", "DetectionDelays"]

Rate = Annotated[float, BeforeValidator(lambda v: v if isinstance(v, float) else float(parse_size(v))),
                 Field(ge=1), WithJsonSchema({"anyOf": [{"type": "number", "minimum": 1},
                                                        SIZE_SCHEMA["anyOf"][1]],
                                              "description": "bytes per second (at least 1): a number or a "
                                                             "string such as 100MB"})]


class DetectionDelays(Strict):
    """Seconds until a node failure is noticed, by `failure_detection_sensitivity`."""

    high: NonNegativeFloat = 3
    low: NonNegativeFloat = 12


class Timing(Strict):
    """Durations (seconds) and rates (bytes/s); defaults are ours unless SPEC §6 says otherwise."""

    shard_restart_s: NonNegativeFloat = 5
    rdb_load_bytes_per_s: Rate = 100e6
    aof_load_bytes_per_s: Rate = 50e6
    full_sync_bytes_per_s: Rate = 100e6
    planned_failover_s: NonNegativeFloat = 1
    failure_detection_s: DetectionDelays = DetectionDelays()
    unplanned_failover_s: NonNegativeFloat = 2
    replication_lag_s: NonNegativeFloat = 0.1
