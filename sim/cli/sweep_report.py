"""What `upgrade-sim sweep` says after its runs: the worst run and the command that reproduces it,
and the `--fail-on` gate (printed, in summary.json, and as JUnit XML)."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.cli.junit import write_xml
from sim.shrink.sweep import SweepShrink
from sim.sweep import (
    Bound, GateResult, SweepPlan, Term, describe_run, evaluate, gate_junit, reproduce_command, worst_run,
)
from sim.sweep.verdict import plural
from sim.plots.units import number

__all__ = ["SweepReport"]


class SweepReport:
    """What the sweep says after its runs: the worst run and its command, and the gate's results
    (also written into the folder as junit.xml and into summary.json)."""

    def __init__(self, plan: SweepPlan, args: argparse.Namespace, rank_by: tuple[Term, ...],
                 bounds: list[Bound]) -> None:
        self.plan, self.args, self.rank_by, self.bounds = plan, args, rank_by, bounds
        self.results: list[GateResult] = []
        self.worst_text = ""

    @property
    def failed(self) -> bool:
        """True when some bound is crossed."""
        return any(r.failed for r in self.results)

    def command(self, row: dict[str, Any]) -> str:
        """The `upgrade-sim run` command of a results row."""
        return reproduce_command(self.args.scenario, row, self.plan.keys(), self.args.timing)

    def extra(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """summary.json's `worst_run` and `fail_on`; computes the gate."""
        self.results = evaluate(self.bounds, rows)
        index = worst_run(rows, self.rank_by)
        extra: dict[str, Any] = {}
        if index is not None:
            row = rows[index]
            by = ", ".join(t.column for t in self.rank_by)
            self.worst_text = f"worst run (by {by}): {describe_run(row)}\n  reproduce: {self.command(row)}"
            extra["worst_run"] = {"strategy": row["strategy"], "condition": row.get("condition"),
                                  "seed": row["seed"], "command": self.command(row)}
        if self.bounds:
            extra["fail_on"] = [{"bound": r.bound.text, "strategy": r.strategy, "runs": r.runs, "value": r.value,
                                 "failed": r.failed} for r in self.results]
        return extra

    def finish(self, shrinker: SweepShrink | None) -> Callable[[Path, list[dict[str, Any]]], None]:
        """The hook that adds junit.xml (with --fail-on) and the shrunk scenario to the folder."""
        def add(folder: Path, rows: list[dict[str, Any]]) -> None:
            if self.bounds:
                write_xml(folder / "junit.xml", self.junit())
            if shrinker is not None:
                shrinker(folder, rows)
        return add

    def describe(self, result: GateResult) -> str:
        """A failed bound in words, with its worst run and the command that reproduces it."""
        value = "no value" if result.value is None else number(result.value)
        worst = result.worst
        return (f"{result.bound.term.text} = {value} over {plural(result.runs, 'run')} of strategy "
                f"{result.strategy}, and the sweep fails when {result.bound.term.text} {result.bound.op} "
                f"{number(result.bound.limit)}\n"
                f"worst run for it: {describe_run(worst)}\nreproduce: {self.command(worst)}")

    def junit(self) -> Any:
        """The gate as JUnit XML."""
        return gate_junit(self.plan.scenario, self.results, self.describe)

    def gate_text(self) -> str:
        """One line per bound and strategy, and the verdict."""
        lines = [f"{'FAILED' if r.failed else 'ok':6}  {r.bound.term.text} = {number(r.value)} "
                 f"(fails when {r.bound.op} {number(r.bound.limit)})  {r.strategy}" for r in self.results]
        failed = sum(1 for r in self.results if r.failed)
        lines.append(f"--fail-on: {failed} of {len(self.results)} checks failed (exit 1)" if failed else
                     f"--fail-on: every bound holds ({plural(len(self.results), 'check')})")
        return "\n".join(lines)
