"""Property test (Hypothesis) over random clusters, databases, requests and fault schedules:
no exception, invariants hold on every event, replay equals live, accounting reconciles.

A failing example is shrunk and printed as a scenario YAML one can save and run with
`upgrade-sim run`; then shrunk once more by upgrade-sim's own shrinker (`upgrade-sim shrink`),
judged by the same checks, and printed too.
"""
from __future__ import annotations

import copy
import os
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import yaml
from hypothesis import HealthCheck, event, note, settings
from hypothesis import given
from hypothesis import strategies as st
try:  # the printer shrinks only the example Hypothesis reports (or every one, if this moves)
    from hypothesis.control import should_note
except ImportError:  # pragma: no cover - an older or newer Hypothesis
    def should_note() -> bool:
        return True

from sim.run import RunResult, replay_log, run_scenario
from sim.scenario import Scenario, scenario_from_data
from sim.shrink import Failure, failure_of_exception, shrink
from tests.kit import GB, NEW, scenario_data

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@st.composite
def databases(draw: st.DrawFn, uid: int) -> dict[str, Any]:
    """A database with random replication, persistence, size, shards and workload."""
    return {
        "uid": uid, "name": f"db{uid}",
        "replication": draw(st.booleans()),
        "data_persistence": draw(st.sampled_from(["disabled", "aof", "snapshot"])),
        "aof_policy": draw(st.sampled_from(["appendfsync-every-sec", "appendfsync-always"])),
        "master_persistence": draw(st.booleans()),
        "snapshot_policy": [{"secs": draw(st.sampled_from([10, 60, 3600]))}],
        "shards_count": draw(st.integers(1, 3)),
        "shards_placement": draw(st.sampled_from(["dense", "sparse"])),
        "dataset": {"bytes": draw(st.integers(0, 2 * GB)), "keys": draw(st.integers(0, 1_000_000))},
        "workload": {"reads_per_sec": draw(st.integers(0, 500)), "writes_per_sec": draw(st.integers(0, 2000))},
        "max_aof_load_time": draw(st.sampled_from([3600, 5])),
        "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}],
    }


def _request(draw: st.DrawFn, at: float, uid: int) -> dict[str, Any]:
    body = {"modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1", "new_module": NEW}],
            "preserve_roles": draw(st.booleans()), "may_discard_data": draw(st.booleans())}
    return {"at": at, "request": {"method": "POST", "path": f"/v1/bdbs/{uid}/modules/upgrade", "body": body}}


@st.composite
def steps(draw: st.DrawFn, nodes: int, dbs: int) -> list[dict[str, Any]]:
    """An upgrade of database 1 early on, then more requests (to existing or missing
    databases) and crashes/recoveries of random nodes, most while actions run."""
    result = [_request(draw, draw(st.integers(0, 20)), 1)]
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, 120)) + draw(st.sampled_from([0, 0.5]))
        kind = draw(st.sampled_from(["request", "node_crash", "node_crash", "node_recover", "cluster_recover"]))
        if kind == "request":
            result.append(_request(draw, at, draw(st.integers(1, dbs + 1))))
        elif kind == "cluster_recover":
            result.append({"at": at, "cluster_recover": True})
        else:
            result.append({"at": at, kind: draw(st.integers(1, nodes))})
    return result


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A whole random scenario (3–5 nodes, 1–2 databases, up to 4 steps, a 300 s window)."""
    nodes = draw(st.integers(3, 5))
    dbs = draw(st.integers(1, 2))
    policy = {"parallel_shards_upgrade": draw(st.integers(0, 2)), "max_slave_full_syncs": draw(st.integers(0, 1)),
              "max_redis_forks": draw(st.integers(0, 1)), "slave_ha": draw(st.booleans()),
              "slave_ha_grace_period": draw(st.sampled_from([10, 60])),
              "failure_detection_sensitivity": draw(st.sampled_from(["high", "low"])),
              "quorum_loss": draw(st.sampled_from(["requires_recovery", "resume"])),
              "slave_ha_cooldown_period": draw(st.sampled_from([0, 100, 3600])),
              "slave_ha_bdb_cooldown_period": draw(st.sampled_from([0, 7200]))}
    data = scenario_data(None, draw(steps(nodes, dbs)), nodes=nodes, policy=policy, duration=300)
    data["databases"] = [draw(databases(uid)) for uid in range(1, dbs + 1)]
    if draw(st.booleans()):
        data["cluster"]["nodes"][-1]["quorum_only"] = True
    return data


def check_scenario(scenario: Scenario, seed: int | None = None) -> RunResult:
    """The property's checks on one scenario: invariants on every event, replay == live,
    availability and losses in range; raises on the first that fails."""
    with TemporaryDirectory() as folder:
        live = run_scenario(scenario, seed=seed, out=Path(folder) / "run", plots=False, check_invariants=True)
        replayed = replay_log(Path(folder) / "run" / "events.jsonl").summary
    for key in ("responses", "databases", "events", "duration"):
        assert replayed[key] == live.summary[key]
    for figures in live.summary["databases"].values():
        assert 0.0 <= figures["availability"] <= 1.0
        assert figures["keys_lost"] >= 0 and figures["writes_lost"] >= 0
    return live


def _property_failures(scenario: Scenario, seed: int) -> tuple[Failure, ...]:
    try:
        check_scenario(scenario, seed)
    except Exception as err:  # noqa: BLE001 - whatever the property raises is the failure to keep
        return (failure_of_exception(err),)
    return ()


def shrunk_note(data: dict[str, Any]) -> str:
    """The failing scenario shrunk by upgrade-sim's shrinker (`upgrade-sim shrink`), judged by
    this property's own checks: the smallest scenario found that fails them the same way."""
    try:
        result = shrink(copy.deepcopy(data), observe_fn=_property_failures)
    except Exception as err:  # noqa: BLE001 - the printer must not hide the property's own failure
        return f"(the shrinker could not shrink it: {type(err).__name__}: {err})"
    return "the same failure, shrunk (save as a .yaml and run it with upgrade-sim run --check-invariants):\n" \
        + result.text


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios())
def test_random_scenarios_keep_every_invariant(data: dict[str, Any]) -> None:
    """Invariants on every event, accounting, and replay == live, for any random scenario."""
    note("failing scenario (save as a .yaml and run it with upgrade-sim run):\n"
         + yaml.safe_dump(data, sort_keys=False))
    try:
        live = check_scenario(scenario_from_data(copy.deepcopy(data)))
    except Exception:
        if should_note():  # the example Hypothesis reports: shrink it once more, our way
            note(shrunk_note(data))
        raise
    statuses = sorted({r["status"] for r in live.summary["responses"]})
    event(f"answers {statuses}")
    event("keys lost" if any(f["keys_lost"] for f in live.summary["databases"].values()) else "no key lost")
    event("unplanned failover" if any(f["failovers"]["unplanned"] for f in live.summary["databases"].values())
          else "no unplanned failover")
