"""A variant of a scenario: settings (`--vary` items, `--set` values) applied to its data, then
validated, an error naming the setting at fault. `run --set` and the sweep share it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.scenario import Scenario, merge_timing, scenario_from_data
from sim.scenario.extends import load_document
from sim.scenario.yamlsource import SourceMap
from sim.sweep.vary import apply_value, parse_setting

__all__ = ["Item", "apply_items", "validate_variant", "load_variant", "with_timing_data"]


@dataclass(frozen=True, slots=True)
class Item:
    """Values given together: one `--set`, or one item of a `--vary` axis (all its keys)."""

    option: str
    label: str
    values: tuple[tuple[str, Any], ...]


def apply_items(data: dict[str, Any], items: tuple[Item, ...] | list[Item]) -> dict[str, Any]:
    """A copy of `data` with every item's values set, in order; InputError naming a key that leads nowhere."""
    for item in items:
        for key, value in item.values:
            data = apply_value(data, key, value, item.option)
    return data


def validate_variant(base: dict[str, Any], source: SourceMap | None, items: tuple[Item, ...] | list[Item]
                     ) -> tuple[dict[str, Any], Scenario]:
    """The variant's data and its validated scenario; InputError prefixed with the item at fault:
    the one that gives the same error on its own, or else all of them."""
    data = apply_items(base, items)
    try:
        return data, scenario_from_data(data, source)
    except InputError as err:
        raise InputError(f"{_culprit(base, source, items, str(err))}: {err}") from None


def _culprit(base: dict[str, Any], source: SourceMap | None, items: tuple[Item, ...] | list[Item], error: str) -> str:
    for item in items:
        try:
            scenario_from_data(apply_items(base, [item]), source)
        except InputError as err:
            if str(err) == error:
                return f"{item.option} {item.label}"
    options = dict.fromkeys(item.option for item in items)
    return " ".join(f"{option} " + " ".join(i.label for i in items if i.option == option) for option in options)


def with_timing_data(data: Any, timing: dict[str, Any] | None) -> Any:
    """Scenario data with a `--timing` profile laid over its `timing:` (before any setting: a
    `--vary` or `--set` of a timing key wins over the profile)."""
    if timing and isinstance(data, dict) and isinstance(data.get("timing") or {}, dict):
        return {**data, "timing": merge_timing(data.get("timing"), timing)}
    return data


def load_variant(path: str | Path, sets: list[str], timing: dict[str, Any] | None = None
                 ) -> tuple[Scenario, SourceMap]:
    """A scenario file (bases merged) with a timing profile and `--set KEY=VALUE` settings applied,
    validated; InputError / ScenarioError naming the file, line and key, or the setting."""
    data, source = load_document(path)
    data = with_timing_data(data, timing)
    items = []
    for spec in sets:
        key, text, value = parse_setting(spec)
        items.append(Item("--set", f"{key}={text}", ((key, value),)))
    if not isinstance(data, dict) or not items:
        return scenario_from_data(data, source), source
    _, scenario = validate_variant(data, source, items)
    return scenario, source
