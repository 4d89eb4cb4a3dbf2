"""The worst run of a sweep, and the `upgrade-sim run` command that reproduces any run exactly.

The worst run (ours) is the worst by the sweep's objective (`--rank-by`), compared run by run
with the same lexicographic order; ties go to the first in grid order, then seed order. The
command gives the run's seed and one `--set KEY=VALUE` per varied key, in the order the sweep
applied them (strategy keys, then condition keys), with the values as the sweep's table shows
them, and the `--timing` file when the sweep had one: `run` applies the profile first and the
settings after, as the sweep does, so the command's run is the sweep's run, event for event.
"""
from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.sweep.objective import Term, databases_of, order_key, run_value

__all__ = ["worst_run", "reproduce_command", "describe_run"]

Row = dict[str, Any]


def worst_run(rows: Sequence[Row], terms: Sequence[Term]) -> int | None:
    """The index of the worst run by the terms' figures (per run: no statistic), or None without rows."""
    if not rows:
        return None
    databases = databases_of(rows)
    keys = [order_key([run_value(r, t, databases) for t in terms], terms) for r in rows]
    return max(range(len(rows)), key=lambda i: (keys[i], -i))


def reproduce_command(scenario: str | Path, row: Row, keys: Sequence[str], timing: str | Path | None = None) -> str:
    """`upgrade-sim run SCENARIO --seed N --set KEY=VALUE ...` for one row of the results table."""
    parts = ["upgrade-sim", "run", str(scenario), "--seed", str(row["seed"])]
    for key in keys:
        parts += ["--set", f"{key}={row[key]}"]
    if timing is not None:
        parts += ["--timing", str(timing)]
    return shlex.join(parts)


def describe_run(row: Row) -> str:
    """`strategy S, condition C, seed N` (the condition only when the sweep has conditions)."""
    condition = f", condition {row['condition']}" if "condition" in row else ""
    return f"strategy {row['strategy']}{condition}, seed {row['seed']}"
