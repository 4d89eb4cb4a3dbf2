"""`sweep --shrink`: the worst failing run of a sweep, shrunk into the sweep's folder next to
`results.csv` as `<scenario>-shrunk.yaml`.

The worst failing run (ours): among the runs with an unmet expectation, the one that lost the
most keys, then the most writes, then had the most downtime (summed over its databases), then
the most unmet expectations; ties go to the first in grid order then seed order.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.sweep.plan import SweepPlan
from sim.shrink.judge import Progress
from sim.shrink.search import NothingToShrink
from sim.shrink.shrinker import shrink
from sim.stopping import raise_if_stopped

__all__ = ["worst_failing", "SweepShrink"]

Row = dict[str, Any]


def _total(row: Row, figure: str) -> float:
    return sum(float(v) for k, v in row.items() if k.startswith("db") and k.endswith("." + figure)
               and isinstance(v, (int, float)) and not isinstance(v, bool))


def worst_failing(rows: list[Row]) -> int | None:
    """The index of the worst run with an unmet expectation, or None when every run met them all."""
    failing = [i for i, row in enumerate(rows) if row.get("expectations_unmet")]
    if not failing:
        return None
    return min(failing, key=lambda i: (-_total(rows[i], "keys_lost"), -_total(rows[i], "writes_lost"),
                                       -_total(rows[i], "downtime_s"), -rows[i]["expectations_unmet"], i))


class SweepShrink:
    """The hook `sweep_to_folder` calls with the finished folder and rows: shrink the worst
    failing run into the folder. `note` says what happened; `written` names the file."""

    def __init__(self, plan: SweepPlan, progress: Progress | None = None,
                 say: Callable[[str], None] | None = None) -> None:
        self.plan, self.progress, self.say = plan, progress, say
        self.note = ""
        self.written: str | None = None

    def __call__(self, folder: Path, rows: list[Row]) -> None:
        """Shrink the worst failing run of `rows` into `folder` (nothing when none failed)."""
        index = worst_failing(rows)
        if index is None:
            self.note = "--shrink: every run met its expectations; nothing to shrink"
            return
        row = rows[index]
        condition = f", condition {row['condition']}" if "condition" in row else ""
        origin = f"{self.plan.scenario} (strategy {row['strategy']}{condition})"
        if self.say is not None:
            self.say(f"shrinking the worst failing run: strategy {row['strategy']}{condition}, seed {row['seed']}")
        try:
            result = shrink(self.plan.data_of(row), seed=int(row["seed"]), progress=self.progress, origin=origin)
        except NothingToShrink as err:  # the run failed in the sweep: it fails here too (a guard)
            self.note = f"--shrink: {err}"
            return
        except Exception as err:  # noqa: BLE001 - a failed shrink must not lose the sweep's results
            raise_if_stopped()  # unless it is a stop Python wrapped (see sim.stopping)
            self.note = f"--shrink: could not shrink the worst failing run ({type(err).__name__}: {err})"
            return
        name = f"{self.plan.scenario}-shrunk.yaml"
        (folder / name).write_text(result.text, encoding="utf-8")
        self.written = name
        self.note = (f"worst failing run: strategy {row['strategy']}{condition}, seed {row['seed']}: "
                     f"{result.target.describe()}\nshrunk to {name}: {result.size} ({result.runs} runs)")
