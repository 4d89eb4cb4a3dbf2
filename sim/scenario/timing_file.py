"""Timing profile files (`--timing FILE`): read one, and lay its values over a scenario's `timing:`.

A profile file is a YAML mapping with one key, `timing:`, holding any of SPEC §6's keys
(the file `upgrade-sim calibrate` writes). Its values override the scenario's key by key
(inside `failure_detection_s`, sensitivity by sensitivity); keys it does not give keep
the scenario's values (or the defaults).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.model.timing import Timing
from sim.scenario.loader import first_error
from sim.scenario.models import Scenario
from sim.scenario.yamlsource import load_yaml

__all__ = ["load_timing", "merge_timing", "with_timing"]


def load_timing(path: str | Path) -> dict[str, Any]:
    """The values a profile file gives, checked and normalised (sizes as bytes per second).

    Raises ScenarioError naming the file, the line and the key for anything else than a
    `timing:` mapping of known keys with valid values.
    """
    data, source, _ = load_yaml(path)
    if not isinstance(data, dict):
        raise source.error((), f"a timing file is a mapping with the key timing, not a {type(data).__name__}")
    for key in data:
        if key != "timing":
            raise source.error((key,), f"unknown key {key!r} (a timing file has one key, timing)")
    if "timing" not in data:
        raise source.error((), "missing required key 'timing'")
    given = data["timing"]
    if not isinstance(given, dict):
        kind = "an empty value" if given is None else f"a {type(given).__name__}"
        raise source.error(("timing",), f"timing is a mapping of SPEC §6's keys (shard_restart_s, ...), not {kind}")
    try:
        checked = Timing.model_validate(given).model_dump(mode="json")
    except ValidationError as err:
        raise first_error(err, data, source, at=("timing",)) from None
    return {key: ({inner: checked[key][inner] for inner in value} if isinstance(value, dict) else checked[key])
            for key, value in given.items()}


def merge_timing(timing: dict[str, Any] | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """`timing` (a scenario's `timing:` data) with `overrides` laid over it, key by key."""
    merged = dict(timing or {})
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def with_timing(scenario: Scenario, overrides: dict[str, Any] | None) -> Scenario:
    """A copy of `scenario` whose timing has `overrides` (from `load_timing`) laid over it."""
    if not overrides:
        return scenario
    timing = Timing.model_validate(merge_timing(scenario.timing.model_dump(mode="json"), overrides))
    return scenario.model_copy(update={"timing": timing})
