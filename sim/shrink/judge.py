"""Judge candidates in-process: does this case still fail the same way? Every answer is cached
by the candidate's canonical JSON, so a candidate tried twice is run once; runs are counted
and progress (runs so far, the current size) is reported."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.errors import InputError
from sim.scenario import scenario_from_data
from sim.shrink.case import Case, Target, canonical
from sim.shrink.failure import Failure, Observe, observe

__all__ = ["Judge", "Progress"]

#: Called with (runs so far, the current smallest failing case).
Progress = Callable[[int, Case], None]

#: Report progress at least every this many runs.
PROGRESS_EVERY = 100


class Judge:
    """Runs candidates with one seed and says whether each keeps the target failure."""

    def __init__(self, target: Target, seed: int, observe_fn: Observe = observe,
                 progress: Progress | None = None) -> None:
        self.target, self.seed, self.observe = target, seed, observe_fn
        self.progress = progress
        self.runs = 0      # simulations run
        self.invalid = 0   # candidates refused by validation (no run)
        self._cache: dict[str, bool] = {}
        self._best: Case | None = None
        self._reported = 0

    def scenario_data(self, case: Case) -> dict[str, Any] | None:
        """The whole scenario of `case`: its data with the target's expectation; None when the
        case lost what the expectation is about."""
        found = self._candidate(case)
        return found[0] if found is not None else None

    def _candidate(self, case: Case) -> tuple[dict[str, Any], Failure] | None:
        """The scenario data of `case` and the failure it must show there."""
        found = self.target.expect_for(case)
        if found is None:
            return None
        expect, key = found
        wanted = Failure(self.target.failure.kind, key, self.target.failure.value)
        return ({**case.data, "expect": expect} if expect else dict(case.data)), wanted

    def failures(self, data: dict[str, Any]) -> tuple[Failure, ...] | None:
        """Run scenario data; its failures, or None when it is not a valid scenario."""
        try:
            scenario = scenario_from_data(data)
        except InputError:
            self.invalid += 1
            return None
        self.runs += 1
        try:
            return self.observe(scenario, self.seed)
        except InputError:
            return None

    def fails(self, case: Case) -> bool:
        """True when `case` fails as the target does (the same expectation key, invariant or error)."""
        found = self._candidate(case)
        if found is None:
            return False
        data, wanted = found
        key = canonical(data)
        known = self._cache.get(key)
        if known is not None:
            return known
        failures = self.failures(data)
        verdict = failures is not None and wanted in failures
        self._cache[key] = verdict
        if verdict:
            self._note(case)
        if self.progress is not None and self.runs - self._reported >= PROGRESS_EVERY:
            self._reported = self.runs
            self.progress(self.runs, self._best or case)
        return verdict

    def _note(self, case: Case) -> None:
        if self._best is None or case.size() < self._best.size():
            self._best = case
            if self.progress is not None:
                self._reported = self.runs
                self.progress(self.runs, case)
