"""The façade for the CLI, tests and notebooks: run a scenario, or replay a log.

`run_scenario(scenario, seed)` → `RunResult`. With `out`, it writes `events.jsonl`,
`summary.json`, `report.html` and the plots into that folder atomically and safely
(`sim.outdir.atomic_folder`: a temporary sibling folder replaces `out` only when complete,
and only an earlier upgrade-sim output is ever replaced).
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.engine import Sink, rare_collections, simulate
from sim.errors import InvariantViolation, LogFormatError
from sim.events import LogHeader, LogWriter, read_log
from sim.jsontext import pretty
from sim.metrics import OutcomeProjection, action_records, check_accounting, database_outcomes, replay_events
from sim.metrics.explain import Explainer
from sim.model.state import ClusterState
from sim.outdir import atomic_folder
from sim.scenario import ExpectationResult, Scenario, content_hash, evaluate, to_input
from sim.version import __version__

__all__ = ["RunResult", "run_scenario", "finish_run", "replay_log", "explain_log", "build_summary", "atomic_folder",
           "write_outputs"]


@dataclass(slots=True)
class RunResult:
    """The outcome of a run or a replay."""

    summary: dict[str, Any]
    state: ClusterState
    projection: OutcomeProjection
    expectations: list[ExpectationResult] = field(default_factory=list)
    out: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every expectation holds."""
        return all(r.ok for r in self.expectations)

    @property
    def failed(self) -> list[ExpectationResult]:
        """The expectations that do not hold."""
        return [r for r in self.expectations if not r.ok]


def build_summary(name: str, seed: int, projection: OutcomeProjection, state: ClusterState) -> dict[str, Any]:
    """The machine-readable summary (SPEC §9), without expectations."""
    assert projection.end is not None
    return {
        "scenario": name,
        "seed": seed,
        "duration": projection.end - projection.start,
        "events": projection.events,
        "responses": [r.to_record() for r in projection.responses],
        "actions": action_records(state),
        "databases": database_outcomes(projection, state),
    }


def finish_run(scenario: Scenario, seed: int, projection: OutcomeProjection, state: ClusterState,
               out: str | Path | None) -> RunResult:
    """A finished run's result: the accounting checked (SPEC §7), the summary, the expectations."""
    check_accounting(projection, state)
    summary = build_summary(scenario.name, seed, projection, state)
    expectations = evaluate(scenario.expect, summary)
    summary["expectations"] = [r.to_record() for r in expectations]
    return RunResult(summary, state, projection, expectations, Path(out) if out is not None else None)


def run_scenario(scenario: Scenario, seed: int | None = None, out: str | Path | None = None,
                 plots: bool = True, check_invariants: bool = False) -> RunResult:
    """Run a scenario (with its seed, or `seed`); write the outputs into `out` if given.

    Raises InputError for a cluster that cannot be built.
    """
    with rare_collections():  # writing a large run's outputs allocates by the hundred thousand too
        return _run(scenario, seed, out, plots, check_invariants)


def _run(scenario: Scenario, seed: int | None, out: str | Path | None, plots: bool,
         check_invariants: bool) -> RunResult:
    inputs = to_input(scenario, seed)
    header = LogHeader(__version__, scenario.name, content_hash(scenario), inputs.seed)
    projection = OutcomeProjection()
    # with outputs, the report's explanation folds the events as they happen: the same fold
    # the report would make over the log, without reading it back
    explainer = Explainer() if out is not None else None
    with atomic_folder(out) as folder:
        writer = LogWriter(folder / "events.jsonl", header) if folder is not None else None
        try:
            sinks: list[Sink] = [projection] if writer is None or explainer is None else \
                [projection, writer, explainer]
            live = _live_history(projection, inputs.initial) if folder is not None and plots else None
            state = simulate(inputs, sinks if live is None else [*sinks, live], check_invariants)
        finally:
            if writer is not None:
                writer.close()
        result = finish_run(scenario, inputs.seed, projection, state, out)
        if folder is not None:
            explanation = explainer.lines() if explainer is not None else None
            explainer = None  # its notes hold events: the figures may reuse that memory
            sinks.clear()
            history = live.finish(projection.end) if live is not None and projection.end is not None else None
            write_outputs(folder, result, plots, explanation, inputs.timing.model_dump(mode="json"), history)
    return result


def replay_log(path: str | Path, out: str | Path | None = None, plots: bool = True) -> RunResult:
    """Recompute the summary (and plots) of a run from its log alone, without SimPy.

    Raises LogFormatError (naming the file and line) for a log that is cut, has gaps, or is
    otherwise unreadable or inconsistent (`sim.events.read_log`, `sim.events.fold_log`).
    """
    header, events = read_log(path)
    with _naming(path):
        state, projection = replay_events(events, invariants=True)
        _check_log_accounting(projection, state)
    summary = build_summary(header.scenario, header.seed, projection, state)
    summary["expectations"] = None  # the log does not carry the scenario's expectations
    result = RunResult(summary, state, projection, [], Path(out) if out is not None else None)
    with atomic_folder(out) as folder:
        if folder is not None:
            shutil.copyfile(path, folder / "events.jsonl")
            write_outputs(folder, result, plots)
    return result


def explain_log(path: str | Path) -> str:
    """The plain-words explanation of a log's outages and losses, after the same checks as
    `replay_log` (a log one refuses, the other refuses too). Raises LogFormatError."""
    header, events = read_log(path)
    explainer = Explainer()
    with _naming(path):
        state, projection = replay_events(events, invariants=True, sinks=[explainer])
        _check_log_accounting(projection, state)
    return "\n".join([f"why {header.scenario} lost what it lost:", *explainer.lines()])


def _check_log_accounting(projection: OutcomeProjection, state: ClusterState) -> None:
    """The accounting check of SPEC §7, on a log: failing it, the log contradicts itself."""
    try:
        check_accounting(projection, state)
    except InvariantViolation as err:
        raise LogFormatError(f"the losses the log reports do not reconcile ({err})") from None


@contextmanager
def _naming(path: str | Path) -> Iterator[None]:
    """Prefix the log's path to a LogFormatError that names only its line."""
    try:
        yield
    except LogFormatError as err:
        if str(err).startswith(f"{path}:"):
            raise
        raise LogFormatError(f"{path}: {err}") from None


def write_outputs(folder: Path, result: RunResult, plots: bool, explanation: list[str] | None = None,
                  timing: dict[str, Any] | None = None, history: Any = None) -> None:
    """Write `summary.json`, `report.html` and (with `plots`) the figures into `folder`."""
    from sim.plots import write_report  # matplotlib is heavy: loaded only when outputs are written

    (folder / "summary.json").write_text(pretty(result.summary) + "\n", encoding="utf-8")
    write_report(folder, result.summary, folder / "events.jsonl", plots=plots, explanation=explanation,
                 timing=timing, history=history)


def _live_history(projection: OutcomeProjection, initial: ClusterState | None) -> Any:
    """The figures' fold, made as the run goes (see `sim.plots.history.LiveHistory`)."""
    from sim.plots.history import LiveHistory  # no matplotlib: the fold is plain Python
    return LiveHistory(projection, initial)
