"""SPEC §7 figures and §9 expectations at their edges, hand-computed (tests.kit's cluster: 16,384
slots split over the masters with the remainder to the first, the workload split evenly, restart
5 s). A mutation audit found each of these broken by a one-line change with every other test
still passing."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.errors import InvariantViolation
from sim.metrics import check_accounting
from sim.run import explain_log, run_scenario
from sim.scenario import load_scenario
from tests.kit import crash, db1, recover, run, scenario_data, upgrade


def _three_shards(workload: dict[str, int] | None = None, **top: Any) -> dict[str, Any]:
    """Three unreplicated, unpersisted masters on nodes 1–3 (slots 5,462 / 5,461 / 5,461; with
    the default 1,000 writes/s, rates 334 / 333 / 333); node 1 is down 10 → 40 and its shard
    restarts empty, serving again at 45: pair 0 is down 35 s of the 100 s window."""
    db: dict[str, Any] = {"shards_count": 3, "sharding": True, "shards_placement": "sparse"}
    if workload is not None:
        db["workload"] = workload
    return scenario_data(db, [crash(10, 1), recover(40, 1)], nodes=5, duration=100, **top)


def test_request_availability_weighs_requests_not_slots(tmp_path: Path) -> None:
    """§7: availability = 1 − 5,462 × 35 / (16,384 × 100) = 0.883319; request availability =
    1 − 334 × 35 / (1,000 × 100) = 0.8831 (11,690 failed): two figures, and
    `request_availability_min` reads the second (0.8832 is unmet by it, though met by the first)."""
    result = run(_three_shards(expect={"databases": {1: {"request_availability_min": 0.8832}}}), out=tmp_path)
    figures = db1(result)
    assert (figures["availability"], figures["request_availability"], figures["failed_requests"]) == \
        (0.883319, 0.8831, 11_690)
    [check] = result.expectations
    assert (check.what, check.actual, check.ok) == ("databases.1.request_availability_min", 0.8831, False)


def test_request_availability_is_1_without_a_workload(tmp_path: Path) -> None:
    """§7: "1.0 when there is no workload" — even while slots are down (availability 0.883319)."""
    figures = db1(run(_three_shards({"reads_per_sec": 0, "writes_per_sec": 0}), out=tmp_path))
    assert (figures["availability"], figures["request_availability"], figures["failed_requests"]) == (0.883319, 1.0, 0)


def test_the_longest_outage_is_the_union_over_slots_to_the_windows_end(tmp_path: Path) -> None:
    """§7: two masters (8,192 slots each); node 1 down at 10, node 2 at 20, node 1 back at 30
    (its shard serves again at 35), node 2 never: some slot is down from 10 to the end, 100 — one
    outage of 90 s; downtime (25 + 80) / 2 = 52.5 s."""
    data = scenario_data({"shards_count": 2, "sharding": True, "shards_placement": "sparse"},
                         [crash(10, 1), crash(20, 2), recover(30, 1)], nodes=5, duration=100)
    figures = db1(run(data, out=tmp_path))
    assert (figures["longest_outage_s"], figures["downtime_s"]) == (90, 52.5)


def test_the_accounting_check_compares_bytes_too(tmp_path: Path) -> None:
    """§7: keys *and bytes* at t=0 = held at the end + reported lost. The crash of an unpersisted
    master loses its 333,334 keys / 333,333,334 bytes; a tally one byte off does not reconcile."""
    result = run(_three_shards(), out=tmp_path)
    check_accounting(result.projection, result.state)
    tally = result.projection.tallies[1]
    assert (tally.keys_lost, tally.bytes_lost) == (333_334, 333_333_334)
    tally.bytes_lost += 1
    with pytest.raises(InvariantViolation, match="accounting does not reconcile"):
        check_accounting(result.projection, result.state)


@pytest.mark.parametrize("versions, ok", [({"ReJSON": "2.2.2"}, True), ({"ReJSON": "2.2.1"}, False),
                                          ({"ReJSON": "2.2.2", "search": "2.4.0"}, False)])
def test_module_versions_compares_each_version(versions: dict[str, str], ok: bool, tmp_path: Path) -> None:
    """§9 `module_versions`: after the upgrade to 2.2.2, each named module must be at that version."""
    result = run(scenario_data({"replication": True}, [upgrade()], expect={"databases": {1: {"module_versions": versions}}}),
                 out=tmp_path)
    assert [(c.what, c.ok) for c in result.expectations] == [("databases.1.module_versions", ok)]


def test_an_upgrade_duration_bound_is_unmet_when_no_upgrade_completed(tmp_path: Path) -> None:
    """§7 `upgrade_duration_s` is null when no action completed; `upgrade_duration_max_s` then
    fails (nothing was upgraded within the bound)."""
    result = run(scenario_data({"replication": True}, [], expect={"databases": {1: {"upgrade_duration_max_s": 60}}}),
                 out=tmp_path)
    [check] = result.expectations
    assert (check.actual, check.ok) == (None, False)


@pytest.mark.parametrize("name, lines", [
    # how service came back after a crash: an *unplanned* failover
    ("healthy-failover", ["  outage: t=100-105 (5 s) pair 0: shard 1 (master, node 1) crashed with its node; its replica "
                          "shard 2 was in sync; back: unplanned failover completed (shard 2 is master)"]),
    # a failed action names the state it failed in
    ("vulnerability-aof", ["failed at t=20 in state prepare: shard 1 died with node 1 at t=20"]),
    # an outage still open at the window's end
    ("aof-load-timeout", ["  outage: t=10-end pair 0: shard 1 (master, node 1) restarting for the upgrade; back: still "
                          "not served at the window's end"]),
    # pairs sharing an outage: ten named at most, then "…"
    ("six-node-sharded", ["  outage: t=55-56 (1 s) 12 pairs (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, …): planned failover for "
                          "the upgrade; back: planned failover completed"]),
])
def test_the_explanation_says_what_happened_in_plain_words(name: str, lines: list[str], tmp_path: Path) -> None:
    """`upgrade-sim explain` (README): each line hand-checked against the scenario's timeline."""
    run_scenario(load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / f"{name}.yaml"),
                 out=tmp_path / "run", plots=False)
    text = explain_log(tmp_path / "run" / "events.jsonl")
    for line in lines:
        assert line in text, text
