"""The plan of a sweep: the grid of strategies (every combination of the `--vary` values),
each applied to the scenario data and validated, and the seeds to run each one with."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.scenario import merge_timing, scenario_from_data
from sim.scenario.yamlsource import SourceMap, load_yaml
from sim.sweep.task import RunTask, Settings, strategy_label
from sim.sweep.vary import Axis, apply_value, parse_axis

__all__ = ["Strategy", "SweepPlan", "plan_sweep", "plan_from_data"]


@dataclass(frozen=True, slots=True)
class Strategy:
    """One grid point: the settings (key, value as typed) and the scenario data they give."""

    settings: Settings
    data: dict[str, Any]

    @property
    def label(self) -> str:
        """The strategy's name, as in the results table."""
        return strategy_label(self.settings)


@dataclass(frozen=True, slots=True)
class SweepPlan:
    """Strategies (in grid order: the first `--vary` varies slowest) × seeds."""

    scenario: str
    axes: tuple[Axis, ...]
    strategies: tuple[Strategy, ...]
    seeds: tuple[int, ...]
    random_faults: bool

    @property
    def runs(self) -> int:
        """How many runs the sweep makes."""
        return len(self.strategies) * len(self.seeds)

    def tasks(self, chunk: int, check_invariants: bool = False) -> list[RunTask]:
        """The runs in grid order, `chunk` seeds at most per task."""
        tasks: list[RunTask] = []
        for strategy in self.strategies:
            for start in range(0, len(self.seeds), max(1, chunk)):
                seeds = self.seeds[start:start + max(1, chunk)]
                tasks.append(RunTask(len(tasks), strategy.settings, strategy.data, seeds, check_invariants))
        return tasks


def plan_sweep(path: str | Path, vary: list[str], seeds: int, first_seed: int | None = None,
               timing: dict[str, Any] | None = None) -> SweepPlan:
    """Read a scenario file and plan its sweep; raises InputError (ScenarioError) on bad input.

    `timing` (from `load_timing`, `--timing FILE`) overrides the scenario's `timing:` key by
    key; a `--vary` of a timing key still wins over it.
    """
    data, source, _ = load_yaml(path)
    if timing and isinstance(data, dict) and isinstance(data.get("timing") or {}, dict):
        data = {**data, "timing": merge_timing(data.get("timing"), timing)}
    return plan_from_data(data, vary, seeds, first_seed, source)


def plan_from_data(data: Any, vary: list[str], seeds: int, first_seed: int | None = None,
                   source: SourceMap | None = None) -> SweepPlan:
    """Plan a sweep of scenario data: every grid point is validated before anything runs.

    Seeds are `first_seed` (default: the scenario's own seed) and the `seeds - 1` after it.
    """
    base = scenario_from_data(data, source)
    axes = tuple(parse_axis(spec) for spec in vary)
    keys = [axis.key for axis in axes]
    if len(set(keys)) != len(keys):
        raise InputError(f"--vary {next(k for k in keys if keys.count(k) > 1)}: given twice; list its values once")
    if seeds < 1:
        raise InputError(f"--seeds {seeds}: give at least 1 seed")
    if first_seed is not None and first_seed < 0:
        raise InputError(f"--first-seed {first_seed}: seeds are 0 or more")
    start = base.seed if first_seed is None else first_seed
    strategies = tuple(_strategy(data, source, axes, combo)
                       for combo in itertools.product(*(range(len(a.values)) for a in axes)))
    return SweepPlan(base.name, axes, strategies, tuple(range(start, start + seeds)),
                     base.faults.random is not None or _any_random(strategies))


def _strategy(base: dict[str, Any], source: SourceMap | None, axes: tuple[Axis, ...],
              combo: tuple[int, ...]) -> Strategy:
    settings = tuple((axis.key, axis.texts[i]) for axis, i in zip(axes, combo))
    data = base
    for axis, i in zip(axes, combo):
        data = apply_value(data, axis.key, axis.values[i])
    try:
        scenario_from_data(data, source)
    except InputError as err:
        raise InputError(f"--vary {_culprit(base, source, axes, combo, str(err))}: {err}") from None
    return Strategy(settings, data)


def _culprit(base: dict[str, Any], source: SourceMap | None, axes: tuple[Axis, ...], combo: tuple[int, ...],
             error: str) -> str:
    """The setting that gives the same error on its own, or else the whole combination."""
    for axis, i in zip(axes, combo):
        try:
            scenario_from_data(apply_value(base, axis.key, axis.values[i]), source)
        except InputError as err:
            if str(err) == error:
                return f"{axis.key}={axis.texts[i]}"
    return " ".join(f"{axis.key}={axis.texts[i]}" for axis, i in zip(axes, combo))


def _any_random(strategies: tuple[Strategy, ...]) -> bool:
    return any((s.data.get("faults") or {}).get("random") is not None for s in strategies)
