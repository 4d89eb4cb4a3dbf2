"""Shrinking a broken invariant, and the property test's printer using the same shrinker.

No real invariant of the engine breaks on purpose, so the test breaks one honestly from the
outside (the engine is not modified): it replaces, for the test only, the invariant check the
runtime calls on every event (`sim.engine.runtime.check_invariants`) with the real check plus a
stricter rule that the engine does *not* promise — "no pair ever loses every live copy". SPEC §5
says a master crash while its replica re-syncs for the upgrade does exactly that, so the hidden
core of `tests/shrink/cores.py` breaks the stricter rule, and the shrinker must find it by the
message's pattern (numbers dropped).
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

import sim.engine.runtime as runtime
from sim.errors import InvariantViolation
from sim.events import Event
from sim.model.state import ClusterState, Recovery
from sim.scenario import parse_scenario, scenario_from_data
from sim.shrink import INVARIANT, MARK, shrink
from sim.shrink.failure import observe
from tests.engine.test_properties import shrunk_note
from tests.shrink.cores import MASTER_NODE, hidden_core

REAL_CHECK = runtime.check_invariants


def _stricter(state: ClusterState, event: Event) -> None:
    """The real invariants, plus (test only) "no pair has lost every live copy"."""
    REAL_CHECK(state, event)
    for bdb in state.bdbs.values():
        for pair in bdb.pairs:
            if pair.recovery == Recovery.LOST:
                raise InvariantViolation(f"after event {event.seq} ({event.type} at t={event.t}): pair "
                                         f"{pair.index} of database {pair.bdb_uid} lost every live copy")


@pytest.fixture()
def stricter(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The stricter rule in force for one test."""
    monkeypatch.setattr(runtime, "check_invariants", _stricter)
    yield


def test_the_hook_breaks_on_the_core_only(stricter: None) -> None:
    """The big scenario breaks the stricter rule at the crash of node 7 (MASTER_NODE, t=20): database 1's pair;
    the noise (other pairs, random faults on other nodes) never loses a pair before that."""
    scenario = scenario_from_data(hidden_core("aof"))
    [failure] = observe(scenario, scenario.seed)
    assert failure.kind == INVARIANT
    assert failure.key == "after event # (NodeCrashed at t=#): pair # of database # lost every live copy"
    assert "(NodeCrashed at t=20.0): pair 0 of database 1 lost" in failure.detail
    assert {"at": 20, "node_crash": MASTER_NODE} in hidden_core("aof")["timeline"]  # the only crash at t=20


def test_an_invariant_shrinks_to_the_request_and_the_crash(stricter: None) -> None:
    """The invariant breaks at the crash itself: the core is the request and the crash of the
    master's node, no recovery; no expectation is kept; the file breaks the same rule."""
    result = shrink(hidden_core("aof"))
    data = result.data
    assert result.target.kind == INVARIANT and result.failure == result.target
    assert [db["uid"] for db in data["databases"]] == [1]
    assert [sorted(step) for step in data["timeline"]] == [["at", "request"], ["at", "node_crash"]]
    assert data["timeline"][0]["request"]["path"] == "/v1/bdbs/1/modules/upgrade"
    assert "expect" not in data
    assert "It has no expectations: run it with --check-invariants." in result.text.replace("\n#  ", "")
    scenario = parse_scenario(result.text)
    state = scenario.initial_state()
    master = state.shards[state.bdbs[1].pairs[0].shards[0]].node_uid
    assert data["timeline"][1]["node_crash"] == master
    assert [f.key for f in observe(scenario, scenario.seed)] == [result.target.key]


def test_the_engine_itself_keeps_its_invariants_on_the_core() -> None:
    """Without the hook the same scenario breaks no invariant (the rule above is not the engine's)."""
    scenario = scenario_from_data(hidden_core("aof"))
    assert observe(scenario, scenario.seed) == ()  # its only expectations (loose bounds) are met


def test_the_property_printer_shrinks_what_it_prints(stricter: None) -> None:
    """The Hypothesis test's printer runs the shrinker with the property's own checks: for a
    failing scenario it prints a shrunk scenario file (one database, the request and the crash)."""
    note = shrunk_note(hidden_core("disabled"))
    head, _, text = note.partition("\n")
    assert head.startswith("the same failure, shrunk")
    assert text.startswith(MARK)
    scenario = parse_scenario(text)
    assert len(scenario.databases) == 1 and len(scenario.timeline) == 2


def test_the_property_printer_says_when_it_cannot_shrink() -> None:
    """A scenario that passes the property: the printer says so rather than failing the report."""
    note = shrunk_note(hidden_core("aof"))
    assert note.startswith("(the shrinker could not shrink it: NothingToShrink: test with seed 5 passes")
