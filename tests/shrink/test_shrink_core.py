"""Shrinking finds the known core hidden in a 20-node, 5-database scenario with noise requests,
noise faults and random faults: one database, its upgrade request, the crash of its master's
node (and the recovery only when the failure needs it), the failing expectation only."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from sim.scenario import parse_scenario
from sim.shrink import MARK, ShrinkResult, shrink
from sim.shrink.failure import observe
from tests.kit import run, upgrade
from tests.shrink.cores import hidden_core


def _aof_core() -> dict[str, Any]:
    data = hidden_core("aof", recover=True)
    data["expect"]["databases"][1]["writes_lost_max"] = 5000
    return data


def _discard_core() -> dict[str, Any]:
    data = hidden_core("disabled", recover=True)
    data["expect"]["databases"][1]["keys_lost_max"] = 0
    return data


@pytest.fixture(scope="module")
def aof() -> ShrinkResult:
    """The AOF core shrunk (once for the module)."""
    return shrink(_aof_core())


@pytest.fixture(scope="module")
def discard() -> ShrinkResult:
    """The no-persistence core shrunk (once for the module)."""
    return shrink(_discard_core())


def _master_node(result: ShrinkResult) -> int:
    state = parse_scenario(result.text).initial_state()
    [pair] = state.bdbs[1].pairs
    return state.shards[pair.shards[0]].node_uid


def test_the_noise_is_really_there() -> None:
    """The big scenario fails only on database 1's expectation, has random faults that fire
    (turned into 9 explicit steps) and noise everywhere else."""
    data = _aof_core()
    result = run(data)
    assert [r.what for r in result.failed] == ["databases.1.writes_lost_max"]
    # SPEC §5 worked example: the replica's file froze at t=10; the pair is reloaded from it at
    # recovery: 10 s x 1,000 writes/s acknowledged after the point are lost
    assert result.summary["databases"]["1"]["writes_lost"] == 10_000
    assert len(data["cluster"]["nodes"]) == 20 and len(data["databases"]) == 5 and len(data["timeline"]) == 11
    assert "Changed: the seed's random faults (faults.random) turned into 9 explicit" in shrink(data).text


def test_the_aof_core_is_request_crash_and_recovery(aof: ShrinkResult) -> None:
    """With AOF the writes are counted lost when the pair is reloaded from the replica's file at
    the master node's return, so the recovery belongs to the core; 3 nodes stay: with 2, the
    crash leaves 1 of 2 up (no quorum), the cluster is lost and nothing is reloaded."""
    data = aof.data
    master = _master_node(aof)
    assert [db["uid"] for db in data["databases"]] == [1]
    assert len(data["cluster"]["nodes"]) == 3
    assert data["timeline"] == [{"at": 10, "request": _request(data)}, {"at": 20, "node_crash": master},
                                {"at": 80, "node_recover": master}]
    assert data["expect"] == {"databases": {1: {"writes_lost_max": 5000}}}
    assert "faults" not in data
    # what is rehearsed stays as written: the data protection and the request's body
    assert (data["databases"][0]["replication"], data["databases"][0]["data_persistence"]) == (True, "aof")
    assert data["timeline"][0]["request"]["body"] == upgrade()["request"]["body"]


def test_the_discard_core_needs_no_recovery(discard: ShrinkResult) -> None:
    """Without persistence the keys are lost at the crash itself (no copy left anywhere), so
    the recovery goes; 2 nodes suffice (quorum plays no part in that loss)."""
    data = discard.data
    master = _master_node(discard)
    assert [db["uid"] for db in data["databases"]] == [1]
    assert len(data["cluster"]["nodes"]) == 2
    assert data["timeline"] == [{"at": 10, "request": _request(data)}, {"at": 20, "node_crash": master}]
    assert data["expect"] == {"databases": {1: {"keys_lost_max": 0}}}


def _request(data: dict[str, Any]) -> dict[str, Any]:
    """The shrunk request: the upgrade of database 1 (only keys that matter may have gone)."""
    request = data["timeline"][0]["request"]
    assert request["path"] == "/v1/bdbs/1/modules/upgrade"
    assert request["body"]["modules"][0]["new_module"] == upgrade()["request"]["body"]["modules"][0]["new_module"]
    return request


@pytest.mark.parametrize("name, key, actual", [
    ("aof", "databases.1.writes_lost_max", "got 10,000"),
    ("discard", "databases.1.keys_lost_max", "got 1,000,000"),
])
def test_the_shrunk_scenario_fails_with_the_same_key(name: str, key: str, actual: str,
                                                     request: pytest.FixtureRequest) -> None:
    """The written text, read back, fails the same expectation and only it, by as much."""
    result: ShrinkResult = request.getfixturevalue(name)
    scenario = parse_scenario(result.text)
    failures = observe(scenario, scenario.seed)
    assert [f.key for f in failures] == [key]
    assert result.failure.key == result.target.key == key
    assert actual in failures[0].detail
    assert result.text.startswith(MARK)


def test_the_header_says_what_was_removed_and_how_many_runs(aof: ShrinkResult) -> None:
    """The comment names the failing expectation, what went and the number of runs."""
    head = "".join(line[2:] for line in aof.text.splitlines(keepends=True) if line.startswith("#"))
    head = head.replace("\n  ", " ")
    assert "It fails: expectation databases.1.writes_lost_max (expected 5,000, got 10,000)." in head
    assert "Removed: 4 of 5 databases; 17 of 20 nodes; 16 of 18 shards; 17 of 20 timeline steps; " \
           "10 of 11 expectations." in head
    assert f"The search took {aof.runs} runs" in head and aof.runs > 10


def test_shrinking_is_deterministic(aof: ShrinkResult) -> None:
    """The same input gives the same bytes."""
    assert shrink(_aof_core()).text == aof.text


def test_a_shrunk_scenario_does_not_shrink_further(aof: ShrinkResult) -> None:
    """Shrinking the output again changes nothing but the header's run count: it is a fixpoint."""
    again = shrink(copy.deepcopy(aof.data))
    assert again.data["timeline"] == aof.data["timeline"]
    assert again.data["databases"] == aof.data["databases"] and again.data["cluster"] == aof.data["cluster"]
    assert again.data["name"] == aof.data["name"]  # not -shrunk-shrunk
