"""A scenario built in code (`scenario_from_data`: notebooks, the importer, the sweep) obeys the
bounds a scenario file does: integers within 64 bits, texts without lone surrogates — or a run
could write a log, a summary or a report its readers (or UTF-8 itself) refuse."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.errors import InputError
from sim.run import replay_log, run_scenario
from sim.scenario import scenario_from_data
from tests.kit import scenario_data


def _with(change: dict[str, Any]) -> dict[str, Any]:
    data = scenario_data({"replication": True}, [])
    for path, value in change.items():
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
        target[last] = value
    return data


@pytest.mark.parametrize(("change", "says"), [
    ({"cluster.policy.parallel_shards_upgrade": 2**63}, "cluster.policy.parallel_shards_upgrade: too large: integers "
                                                          "fit in 64 bits"),
    ({"databases.0.dataset.keys": 2**64}, "databases[0].dataset.keys: too large"),
    ({"seed": 10**400}, "seed: too large"),
    ({"databases.0.name": "orders\ud800"}, "databases[0].name: a lone surrogate"),
    ({"cluster.nodes.0.rack_id": "\udfff"}, "cluster.nodes[0].rack_id: a lone surrogate"),
    ({"databases.0.replica_sources": ["redis://\ud800"]}, "databases[0].replica_sources: a lone surrogate"),
    ({"databases.0.shard_key_regex": [".*\ud800"]}, "databases[0].shard_key_regex: a lone surrogate"),
    ({"expect.databases.1.module_versions": {"ReJSON": "\ud800"}}, "module_versions: a lone surrogate"),
    ({"timeline": [{"at": 5, "request": {"path": "/v1/bdbs/1/upgrade\ud800"}}]}, "request.path: a lone surrogate"),
    ({"timeline": [{"at": 5, "request": {"path": "/v1/bdbs/1/upgrade", "user": "x\udfff"}}]},
     "request.user: a lone surrogate"),
])
def test_values_a_scenario_file_could_not_hold_are_refused(change: dict[str, Any], says: str) -> None:
    with pytest.raises(InputError) as raised:
        scenario_from_data(_with(change))
    assert says in str(raised.value)


@pytest.mark.parametrize("change", [{"cluster.policy.parallel_shards_upgrade": 2**63 - 1},
                                    {"databases.0.name": "orders-\u00fc-\U0001f600"},
                                    {"timeline": [{"at": 5, "request": {"path": "/v1/bdbs/1/upgrade", "body": 2e15}}]},
                                    {"timeline": [{"at": 5, "request": {"path": "/v1/bdbs/1/upgrade",
                                                                        "body": {"x": 1e308}}}]}])
def test_the_largest_integer_and_any_real_text_run_and_replay(change: dict[str, Any], tmp_path: Path) -> None:
    """The controls: 2**63 - 1, non-ASCII text (an emoji too) and a body that is a large number
    (data, not a setting: no 10¹⁵ bound) run, and the log replays to the same summary."""
    result = run_scenario(scenario_from_data(_with(change)), out=tmp_path / "run", plots=False)
    replayed = replay_log(tmp_path / "run" / "events.jsonl")
    assert replayed.summary["databases"] == result.summary["databases"]


def test_a_database_named_twice_with_padding_zeros_is_still_refused() -> None:
    """`"00000000000000000001"` (20 digits) is database 1 as pydantic reads it: given beside `1`,
    one expectation was silently dropped once uids were bounded to 19 digits."""
    data = _with({"expect.databases": {"00000000000000000001": {"downtime_max_s": 0}, 1: {"downtime_max_s": 5}}})
    with pytest.raises(InputError, match="database 1 is given twice"):
        scenario_from_data(data)


def test_a_body_changed_by_its_caller_after_validation_does_not_change_the_scenario() -> None:
    """The scenario keeps a copy of each body: a NaN put in afterwards reached the log unchecked."""
    body = {"redis_version": "7.4"}
    scenario = scenario_from_data(_with({"timeline": [{"at": 5, "request": {"path": "/v1/bdbs/1/upgrade",
                                                                           "body": body}}]}))
    body["note"] = float("nan")
    assert scenario.timeline[0].request.body == {"redis_version": "7.4"}
