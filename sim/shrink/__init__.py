"""Shrink a failing scenario (SPEC §14): the smallest scenario found that fails the same way.

    result = shrink(load_scenario("big.yaml"), seed=3)     # or scenario data (a dict)
    Path("big-shrunk.yaml").write_text(result.text)

Random faults become explicit steps first; then delta debugging over the timeline, the
databases, the nodes and the pairs, and greedy passes over settings and numbers, keeping a
change only when the same failure (expectation key, invariant or error) remains.
"""
from __future__ import annotations

from sim.shrink.failure import ERROR, EXPECTATION, INVARIANT, Failure, failure_of_exception, observe, pattern
from sim.shrink.report import MARK
from sim.shrink.search import NothingToShrink
from sim.shrink.shrinker import ShrinkResult, shrink

__all__ = ["shrink", "ShrinkResult", "NothingToShrink", "Failure", "failure_of_exception", "observe", "pattern",
           "MARK", "EXPECTATION", "INVARIANT", "ERROR"]
