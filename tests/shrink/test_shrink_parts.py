"""The shrinker's parts: ddmin, short numbers, failure patterns, random faults made explicit,
pinned placement (kept, moved within the rules, split), the judge's cache, response targets."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sim.run import run_scenario
from sim.scenario import load_scenario, scenario_from_data
from sim.errors import InvariantViolation
from sim.shrink import ERROR, INVARIANT, NothingToShrink, failure_of_exception, shrink
from sim.shrink.case import Case, Target
from sim.shrink.ddmin import chunks, ddmin
from sim.shrink.failure import EXPECTATION, Failure, observe, pattern
from sim.shrink.faults import drawn_faults, explicit_faults
from sim.shrink.judge import Judge
from sim.shrink.layout import keep_pairs, move_off, pin_all
from sim.shrink.numbers import short_candidates, short_numbers_between
from sim.shrink.search import choose_target
from sim.shrink.tidy import optional_keys
from tests.kit import events_of, run, scenario_data, upgrade

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("needed, size, expected_max_calls", [
    ({3, 7}, 10, 50), ({0}, 8, 20), ({0}, 1, 1), (set(), 6, 1), ({0, 1, 2, 3}, 4, 20),
])
def test_ddmin_finds_the_needed_items(needed: set[int], size: int, expected_max_calls: int) -> None:
    """A list fails when it holds every needed item: ddmin returns exactly those, in order,
    within a bounded number of tests (the empty list is tried first: 1 test when nothing is needed)."""
    calls: list[list[int]] = []

    def fails(items: list[int]) -> bool:
        calls.append(items)
        return needed <= set(items)

    assert ddmin(list(range(size)), fails) == sorted(needed)
    assert len(calls) <= expected_max_calls


def test_chunks_split_evenly_longer_first() -> None:
    """10 items in 4 chunks: 3, 3, 2, 2."""
    assert chunks(list(range(10)), 4) == [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]]


@pytest.mark.parametrize("value, integer, expected", [
    (23.71892, False, [0, 20, 30, 24, 23, 23.7, 23.8, 23.72, 23.71, 23.719, 23.718, 23.7189]),
    (1234, True, [0, 1000, 2000, 1200, 1300, 1230, 1240]),
    (1000, True, [0]),       # already one significant digit
    (20.0, False, [0]),
    (0, False, []),
    (0.15, False, [0, 0.2, 0.1]),
])
def test_short_candidates_come_shortest_first(value: float, integer: bool, expected: list[float]) -> None:
    """0, then 1 significant digit (nearest, down, up), then 2, …, in decimal (23.7, not 23.700000000000003)."""
    assert short_candidates(value, integer) == expected


def test_short_numbers_between_are_ascending_with_two_digits_at_most() -> None:
    """Between 80 and 300: 81 … 99, then 100, 110, … 290."""
    found = short_numbers_between(80, 300)
    assert found[:3] == [81, 82, 83] and found[18:21] == [99, 100, 110] and found[-1] == 290
    assert len(found) == 19 + 20


@pytest.mark.parametrize("message, expected", [
    ("after event 12 (NodeCrashed at t=20.5): pair 0 of database 3 has masters [1, 2]",
     "after event # (NodeCrashed at t=#): pair # of database # has masters [#, #]"),
    ("shard 7's file has point 1e-05, after now", "shard #'s file has point #, after now"),
])
def test_patterns_drop_the_numbers(message: str, expected: str) -> None:
    """The same broken rule elsewhere or at another time has the same pattern."""
    assert pattern(message) == expected


@pytest.mark.parametrize("keys, expected", [
    (["databases.1.downtime_max_s", "databases.2.keys_lost_max"], "databases.2.keys_lost_max"),
    (["responses.0.status", "databases.1.writes_lost_max", "databases.1.keys_lost_max"], "databases.1.keys_lost_max"),
    (["databases.1.status", "databases.1.availability_min"], "databases.1.availability_min"),
    (["databases.1.status", "responses.0.status"], "databases.1.status"),  # equal rank: the first listed
    (["databases.2.writes_lost_max", "databases.1.writes_lost_max"], "databases.2.writes_lost_max"),
])
def test_the_default_target_is_the_severest(keys: list[str], expected: str) -> None:
    """Keys lost, then writes lost, then availability figures, then the others; ties: as listed."""
    failures = tuple(Failure(EXPECTATION, key) for key in keys)
    assert choose_target(failures, None, "x").key == expected


def test_expect_cannot_pick_when_the_run_breaks_before_expectations() -> None:
    """A broken invariant (or any exception) comes before expectations: --expect is refused, naming it."""
    broken = failure_of_exception(InvariantViolation("after event 3 (NodeCrashed at t=2.0): pair 0 bad"))
    assert broken == Failure(INVARIANT, "after event # (NodeCrashed at t=#): pair # bad")
    with pytest.raises(NothingToShrink, match="fails before expectations are checked .*leave out --expect"):
        choose_target((broken,), "databases.1.keys_lost_max", "x")
    assert choose_target((broken,), None, "x") is broken


def test_another_exception_is_a_failure_of_its_type_and_pattern() -> None:
    """A KeyError raised by a run is kept by its type and message, numbers left out."""
    assert failure_of_exception(KeyError(12)).key == "KeyError: #"
    assert failure_of_exception(ValueError("shard 3 at t=4.5")) == Failure(ERROR, "ValueError: shard # at t=#")


def test_random_faults_become_the_steps_the_seed_drew(tmp_path: Path) -> None:
    """The steps are the run's NodeCrashed / NodeRecovered events (times and nodes exact), and
    the scenario with them instead of faults.random gives the same figures."""
    scenario = load_scenario(ROOT / "scenarios" / "random-node-faults.yaml")
    live = run_scenario(scenario, seed=10, out=tmp_path / "run", plots=False)
    logged = [(e["t"], e["node"], e["type"]) for e in events_of(live, "NodeCrashed") + events_of(live, "NodeRecovered")]
    steps = drawn_faults(scenario, 10)
    assert sorted(logged) == sorted((s["at"], s.get("node_crash", s.get("node_recover")),
                                     "NodeCrashed" if "node_crash" in s else "NodeRecovered") for s in steps)
    assert len(steps) == 10
    data = scenario.model_dump(mode="json", exclude_unset=True)
    case = Case(data, tuple(range(len(data["timeline"]))))
    converted, made = explicit_faults(case, scenario, 10)
    assert made == 10 and "faults" not in converted.data
    assert [s["at"] for s in converted.steps] == sorted(s["at"] for s in converted.steps)
    again = run_scenario(scenario_from_data(converted.data), seed=10)
    assert again.summary["databases"] == live.summary["databases"]
    assert again.summary["responses"] == live.summary["responses"]


@pytest.mark.parametrize("name", ["default", "six-node-sharded", "vulnerability-parallel-all", "replica-ha"])
def test_pinning_the_placement_changes_nothing(name: str) -> None:
    """Every database pinned where the placement algorithm put it: the same figures."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    data = pin_all(scenario.model_dump(mode="json", exclude_unset=True), scenario.initial_state())
    assert all(db["shards"] for db in data["databases"])
    pinned = run_scenario(scenario_from_data(data))
    assert pinned.summary["databases"] == run_scenario(scenario).summary["databases"]


def _pinned(nodes: list[dict[str, Any]], shards: list[tuple[int, int, str]], **db: Any) -> dict[str, Any]:
    data = scenario_data({"replication": True, **db}, [])
    data["cluster"]["nodes"] = nodes
    data["databases"][0]["shards"] = [{"uid": u, "node": n, "role": r, "slots": "0-16383"} for u, n, r in shards]
    return data


@pytest.mark.parametrize("nodes, gone, expected", [
    # the replica's node 3 goes: node 1 holds its master, so the lowest allowed is 2
    ([{"uid": 1}, {"uid": 2}, {"uid": 3}], {3}, [1, 2]),
    # node 2 is quorum-only: nothing goes there; node 4 takes the replica
    ([{"uid": 1}, {"uid": 2, "quorum_only": True}, {"uid": 3}, {"uid": 4}], {3}, [1, 4]),
    # node 2 is full (max_redis_servers 1 and it holds... nothing here, so 1 fits); node 1 is the master's
    ([{"uid": 1}, {"uid": 2, "max_redis_servers": 1}, {"uid": 3}], {3}, [1, 2]),
    # only the master's node is left: nowhere to go
    ([{"uid": 1}, {"uid": 3}], {3}, None),
])
def test_pinned_shards_move_off_removed_nodes_within_the_rules(nodes: list[dict[str, Any]], gone: set[int],
                                                               expected: list[int] | None) -> None:
    """A shard on a removed node moves to the lowest-uid node the placement rules allow."""
    data = _pinned(nodes, [(1, 1, "master"), (2, 3, "slave")])
    moved = move_off(data, gone)
    if expected is None:
        assert moved is None
        return
    assert moved is not None
    assert [s["node"] for s in moved["databases"][0]["shards"]] == expected
    moved["cluster"]["nodes"] = [n for n in moved["cluster"]["nodes"] if n["uid"] not in gone]
    scenario_from_data(moved)  # valid: the rules hold


def test_moving_keeps_racks_apart_for_a_rack_aware_database() -> None:
    """Rack-aware: the replica leaves node 3 for node 4 (rack b), not node 2 (rack a, the master's)."""
    nodes = [{"uid": 1, "rack_id": "a"}, {"uid": 2, "rack_id": "a"}, {"uid": 3, "rack_id": "b"},
             {"uid": 4, "rack_id": "b"}]
    data = _pinned(nodes, [(1, 1, "master"), (2, 3, "slave")], rack_aware=True)
    data["cluster"]["rack_aware"] = True
    moved = move_off(data, {3})
    assert moved is not None and [s["node"] for s in moved["databases"][0]["shards"]] == [1, 4]


def test_keeping_some_pairs_splits_the_slots_again() -> None:
    """3 pinned pairs, keep the 1st and 3rd: 8192 slots each (16384 split over 2), shards_count 2."""
    data = scenario_data({"replication": True, "shards_count": 3}, [], nodes=3)
    scenario = scenario_from_data(data)
    pinned = pin_all(scenario.model_dump(mode="json", exclude_unset=True), scenario.initial_state())
    kept = keep_pairs(pinned, 0, [0, 2])
    db = kept["databases"][0]
    assert db["shards_count"] == 2
    assert [(s["uid"], s["role"], s["slots"]) for s in db["shards"]] == [
        (1, "master", "0-8191"), (2, "slave", "0-8191"), (5, "master", "8192-16383"), (6, "slave", "8192-16383")]
    scenario_from_data(kept)


def test_the_judge_runs_a_candidate_once() -> None:
    """The same candidate twice: one run (the cache), the same answer; an invalid one: no run."""
    data = scenario_data({"replication": True, "data_persistence": "aof"},
                         [upgrade(10), {"at": 20, "node_crash": 1}, {"at": 80, "node_recover": 1}])
    data["expect"] = {"databases": {1: {"writes_lost_max": 0}}}
    scenario = scenario_from_data(copy.deepcopy(data))
    expect = data.pop("expect")
    case = Case(data, (0, 1, 2))
    judge = Judge(Target.of(observe(scenario, 7)[0], expect, case), 7)
    assert judge.fails(case) and judge.fails(Case(copy.deepcopy(data), (0, 1, 2)))
    assert judge.runs == 1
    broken = copy.deepcopy(data)
    broken["timeline"][1]["node_crash"] = 99
    assert not judge.fails(Case(broken, (0, 1, 2)))
    assert (judge.runs, judge.invalid) == (1, 1)


def test_a_response_expectation_follows_its_request() -> None:
    """Expected 200 for a second upgrade sent while the first runs (it gets 409 db_busy), after
    noise requests to another database: the shrunk scenario keeps both upgrades of database 1
    (a 409 needs the first; a lone request answered 400 is another failure: a status is a value)
    and the expectation list for them, the key renumbered to the request's new place."""
    other = {"at": 1, "request": {"path": "/v1/bdbs/2/modules/upgrade", "body": upgrade()["request"]["body"]}}
    data = scenario_data({"replication": True}, [other, upgrade(10), upgrade(12)])
    data["databases"].append({**data["databases"][0], "uid": 2, "name": "other"})
    data["expect"] = {"responses": [{"status": 200}, {"status": 200}, {"status": 200}]}
    assert [r.what for r in run(data).failed] == ["responses.2.status"]
    result = shrink(data)
    # both times rounded to 0: at one instant the steps happen in file order, so the first is
    # accepted and its action started before the second arrives (README "Simultaneous events")
    assert [(s["at"], s["request"]["path"]) for s in result.data["timeline"]] == [
        (0, "/v1/bdbs/1/modules/upgrade"), (0, "/v1/bdbs/1/modules/upgrade")]
    assert result.data["expect"] == {"responses": [{"status": 200}, {"status": 200}]}
    assert result.failure == Failure(EXPECTATION, "responses.1.status", "409")
    assert "expected 200, got 409" in result.failure.detail
    assert json.dumps(result.data).count("/v1/bdbs/2/") == 0


def test_an_answer_expected_to_no_request_keeps_the_list_as_written() -> None:
    """Three answers expected, one request sent: responses.count and responses.1.status fail; the
    list is kept as written (its entries name no request), the request and a node or two go."""
    data = scenario_data({"replication": True}, [upgrade(10)])
    data["expect"] = {"responses": [{"status": 200}, {"status": 200}, {"status": 200}]}
    assert [r.what for r in run(data).failed] == ["responses.count", "responses.1.status", "responses.2.status"]
    result = shrink(data, expect="responses.1.status")
    assert result.data["expect"] == data["expect"] and "timeline" not in result.data
    assert result.failure.key == "responses.1.status"


def test_what_is_rehearsed_is_never_offered_for_removal() -> None:
    """The defaults pass never tries a database's data protection, nor anything of a request."""
    data = scenario_data({"replication": True, "data_persistence": "aof", "aof_policy": "appendfsync-always",
                          "snapshot_policy": [{"secs": 60}], "master_persistence": True, "rack_aware": False,
                          "eviction_policy": "noeviction"}, [upgrade(10, preserve_roles=True)])
    data["cluster"]["policy"] = {"slave_ha": False}
    offered = {path[-1] for path in optional_keys(data)}
    assert {"eviction_policy", "name", "slave_ha", "version", "rack_id", "dataset", "keys"} <= offered
    assert not offered & {"replication", "data_persistence", "aof_policy", "snapshot_policy", "master_persistence",
                          "rack_aware", "body", "preserve_roles", "modules", "method", "path"}
