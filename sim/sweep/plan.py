"""The plan of a sweep: strategies (every combination of the strategy axes) × conditions (every
combination of the condition axes) × seeds, each strategy–condition cell applied to the
scenario data and validated before anything runs.

Order (the results table's): the first strategy axis varies slowest, then the other strategy
axes, then the condition axes, then the seed.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from sim.errors import InputError
from sim.model.config import INT_LIMIT
from sim.scenario import scenario_from_data
from sim.scenario.extends import load_document
from sim.scenario.yamlsource import SourceMap
from sim.sweep.roles import CONDITION, STRATEGY, axis_role
from sim.sweep.task import RunTask, Settings
from sim.sweep.variant import Item, validate_variant, with_timing_data
from sim.sweep.vary import Axis, parse_axis

__all__ = ["Choice", "Cell", "SweepPlan", "plan_sweep", "plan_from_data", "MAX_CELLS", "MAX_RUNS", "AS_WRITTEN"]

#: Most strategy × condition combinations of one sweep (each is validated before any run).
MAX_CELLS = 10_000
#: Runs (cells x seeds) a sweep may hold: every run's row is kept until the outputs are written
#: (about 2 kB each), and its tasks are planned before the first one runs.
MAX_RUNS = 1_000_000
#: The name of a strategy (or condition) that changes nothing.
AS_WRITTEN = "as written"


@dataclass(frozen=True, slots=True)
class Choice:
    """A strategy or a condition: one item of each of its axes."""

    items: tuple[Item, ...]
    settings: Settings

    @property
    def label(self) -> str:
        """Its name: the items as typed (`preserve_roles=true, parallel_shards_upgrade=1`)."""
        return ", ".join(item.label for item in self.items) or AS_WRITTEN


@dataclass(frozen=True, slots=True)
class Cell:
    """A strategy under a condition: the scenario data every seed of it runs."""

    strategy: int
    condition: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SweepPlan:
    """Strategies × conditions × seeds, and the axes that made them."""

    scenario: str
    axes: tuple[Axis, ...]
    strategies: tuple[Choice, ...]
    conditions: tuple[Choice, ...]
    cells: tuple[Cell, ...]
    seeds: tuple[int, ...]
    random_faults: bool

    @property
    def runs(self) -> int:
        """How many runs the sweep makes."""
        return len(self.cells) * len(self.seeds)

    @property
    def has_conditions(self) -> bool:
        """True when some axis is a condition."""
        return any(axis.role == CONDITION for axis in self.axes)

    def keys(self, role: str | None = None) -> list[str]:
        """The varied keys in the order they are applied (strategy axes first), of one role or all."""
        ordered = [a for a in self.axes if a.role == STRATEGY] + [a for a in self.axes if a.role == CONDITION]
        return [key for axis in ordered if role in (None, axis.role) for key in axis.keys]

    def data_of(self, row: dict[str, Any]) -> dict[str, Any]:
        """The scenario data of a results row (its strategy and condition)."""
        condition = row.get("condition", AS_WRITTEN)
        return next(cell.data for cell in self.cells if self.strategies[cell.strategy].label == row["strategy"]
                    and self.conditions[cell.condition].label == condition)

    def tasks(self, chunk: int, check_invariants: bool = False) -> list[RunTask]:
        """The runs in grid order, `chunk` seeds at most per task."""
        tasks: list[RunTask] = []
        step = max(1, chunk)
        for cell in self.cells:
            strategy, condition = self.strategies[cell.strategy], self.conditions[cell.condition]
            for start in range(0, len(self.seeds), step):
                tasks.append(RunTask(len(tasks), strategy.settings + condition.settings, cell.data,
                                     self.seeds[start:start + step], check_invariants, strategy.label,
                                     condition.label if self.has_conditions else None))
        return tasks


#: An axis as given: `KEYS=VALUES` (a `--vary`), or (option, `KEYS=VALUES`) with the option
#: `--vary`, `--strategy` or `--condition`.
AxisSpec = str | tuple[str, str]
_FORCED = {"--vary": None, "--vary-together": None, "--strategy": STRATEGY, "--condition": CONDITION}


def plan_sweep(path: str | Path, vary: Sequence[AxisSpec], seeds: int, first_seed: int | None = None,
               timing: dict[str, Any] | None = None) -> SweepPlan:
    """Read a scenario file (its `extends` bases merged) and plan its sweep; raises InputError
    (ScenarioError) on bad input.

    `timing` (from `load_timing`, `--timing FILE`) overrides the scenario's `timing:` key by
    key; a `--vary` of a timing key still wins over it.
    """
    data, source = load_document(path)
    return plan_from_data(with_timing_data(data, timing), vary, seeds, first_seed, source)


def plan_from_data(data: Any, vary: Sequence[AxisSpec], seeds: int, first_seed: int | None = None,
                   source: SourceMap | None = None) -> SweepPlan:
    """Plan a sweep of scenario data: every cell is validated before anything runs.

    `--vary` axes are classed by their keys (`sim.sweep.roles`); `--strategy` and `--condition`
    axes as their option says. Seeds are `first_seed` (default: the scenario's own seed) and
    the `seeds - 1` after it.
    """
    base = scenario_from_data(data, source)
    axes = tuple(_axis(data, spec) for spec in vary)
    keys = [key for axis in axes for key in axis.keys]
    if len(set(keys)) != len(keys):
        twice = next(k for k in keys if keys.count(k) > 1)
        option = next(a.option for a in axes if twice in a.keys)
        raise InputError(f"{option} {twice}: given twice; list its values once")
    if seeds < 1:
        raise InputError(f"--seeds {seeds}: give at least 1 seed")
    if first_seed is not None and first_seed < 0:
        raise InputError(f"--first-seed {first_seed}: seeds are 0 or more")
    strategies = _choices([a for a in axes if a.role == STRATEGY])
    conditions = _choices([a for a in axes if a.role == CONDITION])
    combinations = len(strategies) * len(conditions)
    if combinations > MAX_CELLS:
        raise InputError(f"{len(strategies):,} strategies x {len(conditions):,} conditions: more than the "
                         f"{MAX_CELLS:,} combinations a sweep may hold; vary fewer values")
    if combinations * seeds > MAX_RUNS:
        raise InputError(f"{combinations:,} combinations x {seeds:,} seeds = {combinations * seeds:,} runs: more than "
                         f"the {MAX_RUNS:,} runs a sweep may hold; give fewer seeds or vary fewer values")
    cells = tuple(Cell(s, c, validate_variant(data, source, strategies[s].items + conditions[c].items)[0])
                  for s in range(len(strategies)) for c in range(len(conditions)))
    start = base.seed if first_seed is None else first_seed
    if start + seeds > INT_LIMIT:  # the last run's seed must be one `run --seed` takes back
        raise InputError(f"seeds {start} .. {start + seeds - 1} pass the largest seed, 2**63 - 1: start lower")
    random = base.faults.random is not None or any((c.data.get("faults") or {}).get("random") is not None
                                                   for c in cells)
    return SweepPlan(base.name, axes, strategies, conditions, cells, tuple(range(start, start + seeds)), random)


def _axis(data: Any, spec: AxisSpec) -> Axis:
    option, text = ("--vary", spec) if isinstance(spec, str) else spec
    axis = parse_axis(text, option)
    return replace(axis, role=axis_role(option, axis.keys, data, _FORCED[option]))


def _choices(axes: list[Axis]) -> tuple[Choice, ...]:
    """Every combination of one item per axis (the first axis varies slowest)."""
    choices = []
    for combo in itertools.product(*(range(len(axis.texts)) for axis in axes)):
        items = tuple(Item(axis.option, axis.label(i), tuple((k, v) for k, _, v in axis.settings(i)))
                      for axis, i in zip(axes, combo))
        settings = tuple((k, t) for axis, i in zip(axes, combo) for k, t, _ in axis.settings(i))
        choices.append(Choice(items, settings))
    return tuple(choices)
