"""The shrunk scenario as data to write: keys in the scenario file's order, the one expectation,
and numbers as a person writes them (20 rather than 20.0, 1GB rather than 1000000000).

The cosmetics change no value: a whole float read back as an integer is the same number to
the validator, and a size with a unit is the same number of bytes. The result is checked by
running it again (see `sim.shrink.shrinker`).
"""
from __future__ import annotations

import copy
from typing import Any

from sim.scenario import Scenario

__all__ = ["ordered", "readable", "size_text"]

Data = dict[str, Any]

_UNITS = (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3))


def size_text(value: int | float) -> int | float | str:
    """A byte count with the largest decimal unit that divides it (`1GB`); else the number."""
    if isinstance(value, bool) or value != int(value):
        return value
    whole = int(value)
    for unit, factor in _UNITS:
        if whole >= factor and whole % factor == 0:
            return f"{whole // factor}{unit}"
    return whole


def ordered(data: Data) -> Data:
    """The keys in the order of the scenario file's shape (SPEC §9); an empty list (no step, no
    database) is left out: it is the default."""
    return {key: data[key] for key in Scenario.model_fields if key in data and data[key] != []}


def readable(data: Data) -> Data:
    """Whole floats as integers (request bodies are left as written), sizes with a unit,
    expectation database uids as integers."""
    data = _whole(copy.deepcopy(data), ())
    for db in data.get("databases") or []:
        dataset = db.get("dataset") or {}
        if "bytes" in dataset:
            dataset["bytes"] = size_text(dataset["bytes"])
    timing = data.get("timing") or {}
    for key in [k for k in timing if k.endswith("_bytes_per_s")]:
        timing[key] = size_text(timing[key])
    databases = (data.get("expect") or {}).get("databases")
    if databases:
        data["expect"]["databases"] = {int(uid): bounds for uid, bounds in databases.items()}
    return data


def _whole(value: Any, path: tuple[Any, ...]) -> Any:
    if path[-1:] == ("body",):
        return value
    if isinstance(value, dict):
        return {k: _whole(v, path + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v, path + (i,)) for i, v in enumerate(value)]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
