"""The failure signature: which expectation is unmet, or which invariant broke (its message
without the numbers), or which exception a run raised — what "fails the same way" compares.

A run's failures are observed in-process (`observe`): the scenario is run with invariants
checked on every event; an `InvariantViolation` is one failure of kind `invariant`, any other
exception one of kind `error`, otherwise every unmet expectation is one of kind `expectation`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sim.errors import InputError, InvariantViolation
from sim.run import run_scenario
from sim.scenario import Scenario
from sim.stopping import raise_if_stopped

__all__ = ["Failure", "Observe", "observe", "failure_of_exception", "pattern", "EXPECTATION", "INVARIANT",
           "ERROR"]

EXPECTATION, INVARIANT, ERROR = "expectation", "invariant", "error"

#: A number as it appears in a message: `12`, `-3`, `20.5`, `1e-05`.
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def pattern(message: str) -> str:
    """A message with every number replaced by `#`: the same broken rule at another time, on
    another shard or node, has the same pattern."""
    return _NUMBER.sub("#", message)


#: Expectations of a value rather than a bound: failing the same way means the same wrong value
#: (a 409 that became a 400 is another failure); a bound (`_min`, `_max`) crossed by any amount is.
_VALUES = (".status", ".error_code", ".roles_preserved", ".module_versions", ".redis_version")


@dataclass(frozen=True, slots=True)
class Failure:
    """One way a run fails. Two failures are the same when kind, key and value are: `key` is
    the expectation (`databases.1.writes_lost_max`), the invariant's pattern, or for another
    exception its type and pattern (`KeyError: #`); `value` is the actual value of an
    expectation of a value (empty for a bound); `detail` says what happened this time."""

    kind: str
    key: str
    value: str = ""
    detail: str = field(default="", compare=False)

    def describe(self) -> str:
        """One line for people: the key and what happened."""
        if self.kind == EXPECTATION:
            return f"expectation {self.key} ({self.detail})" if self.detail else f"expectation {self.key}"
        what = "invariant broken" if self.kind == INVARIANT else "the run raised"
        return f"{what}: {self.detail or self.key}"


#: How a candidate is judged: its failures when run with a seed ((): it passes).
Observe = Callable[[Scenario, int], tuple[Failure, ...]]


def failure_of_exception(err: BaseException) -> Failure:
    """The failure an exception stands for: an invariant, or an error of its type."""
    text = str(err)
    if isinstance(err, InvariantViolation):
        return Failure(INVARIANT, pattern(text), detail=text)
    return Failure(ERROR, f"{type(err).__name__}: {pattern(text)}", detail=f"{type(err).__name__}: {text}")


def observe(scenario: Scenario, seed: int) -> tuple[Failure, ...]:
    """Run the scenario in-process with invariants on; its failures (empty when it passes).

    Raises InputError when the cluster cannot be built (the scenario is not valid input).
    """
    try:
        result = run_scenario(scenario, seed=seed, out=None, plots=False, check_invariants=True)
    except InputError:
        raise
    except Exception as err:  # any other exception is a failure of the run, not of the shrinker
        raise_if_stopped()  # unless it is a stop Python wrapped (see sim.stopping)
        return (failure_of_exception(err),)
    return tuple(Failure(EXPECTATION, r.what, json.dumps(r.actual, sort_keys=True) if r.what.endswith(_VALUES) else "",
                         f"expected {_shown(r.expected)}, got {_shown(r.actual)}") for r in result.failed)


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}" if abs(value) >= 1000 else str(int(value))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
        return f"{value:,}"
    return str(value)
