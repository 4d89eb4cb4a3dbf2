"""Axes of a sweep (issue 20): several keys varied together, numeric ranges, and strategy keys
told apart from condition keys — by key, or as --strategy / --condition say."""
from __future__ import annotations

from typing import Any

import pytest

from sim.errors import InputError
from sim.sweep import plan_from_data
from sim.sweep.roles import CONDITION, STRATEGY, role_of
from sim.sweep.values import MAX_RANGE, expand_range
from sim.sweep.vary import parse_axis, parse_setting
from tests.kit import scenario_data, upgrade


def _data() -> dict[str, Any]:
    """An upgrade at 10, node 2 crashing at 30 and recovering at 60."""
    return scenario_data(timeline=[upgrade(10), {"at": 30, "node_crash": 2}, {"at": 60, "node_recover": 2}],
                         duration=300)


@pytest.mark.parametrize("spec, keys, texts, values", [
    # one value for both keys
    ("timeline.1.node_crash,timeline.2.node_recover=1,2,3", ("timeline.1.node_crash", "timeline.2.node_recover"),
     ("1", "2", "3"), ((1, 1), (2, 2), (3, 3))),
    # one value per key
    ("timeline.1.node_crash,timeline.2.node_recover=1:1,2:3", ("timeline.1.node_crash", "timeline.2.node_recover"),
     ("1:1", "2:3"), ((1, 1), (2, 3))),
    # the issue's own spelling, spaces allowed
    ("cluster.name , databases.0.name = 1 : 2 , 3:4", ("cluster.name", "databases.0.name"), ("1:2", "3:4"), ((1, 2), (3, 4))),
    # a range: 20, 40, …, 120
    ("timeline.1.at=20..120/20", ("timeline.1.at",), ("20", "40", "60", "80", "100", "120"),
     ((20,), (40,), (60,), (80,), (100,), (120,))),
    # no step: 1; the end included; decimals exact (no 0.30000000000000004)
    ("timeline.1.at=1..3", ("timeline.1.at",), ("1", "2", "3"), ((1,), (2,), (3,))),
    ("timing.planned_failover_s=0.1..0.3/0.1", ("timing.planned_failover_s",), ("0.1", "0.2", "0.3"),
     ((0.1,), (0.2,), (0.3,))),
    # 10..25/10: 10, 20 (25 is not reached)
    ("timeline.1.at=10..25/10", ("timeline.1.at",), ("10", "20"), ((10,), (20,))),
    # ranges and single values mix; a range zips onto every key
    ("timeline.1.at=5,20..40/10", ("timeline.1.at",), ("5", "20", "30", "40"), ((5,), (20,), (30,), (40,))),
    ("cluster.name,databases.0.name=1..2", ("cluster.name", "databases.0.name"), ("1", "2"), ((1, 1), (2, 2))),
])
def test_zipped_keys_and_ranges(spec: str, keys: tuple[str, ...], texts: tuple[str, ...],
                                values: tuple[tuple[Any, ...], ...]) -> None:
    """Each item of an axis gives one value to every key; texts are what the table shows."""
    axis = parse_axis(spec)
    assert (axis.keys, axis.texts, axis.values) == (keys, texts, values)


@pytest.mark.parametrize("spec, fragment", [
    ("cluster.name,databases.0.name=1:2:3", "--vary cluster.name,databases.0.name=1:2:3: 3 values for 2 keys"),
    ("cluster.name,databases.0.name=1:", "--vary cluster.name,databases.0.name=1:: 2 values for 2 keys"),
    ("cluster.name,cluster.name=1", "--vary cluster.name,cluster.name: a key is given twice"),
    ("cluster.name,databases.0.name=1..3:4", "a range applies to every key at once"),
    ("timeline.1.at=120..20/20", "a range goes up"),
    ("timeline.1.at=0..10/0", "the step of a range is above 0"),
    (f"timeline.1.at=1..{MAX_RANGE + 1}", f"{MAX_RANGE + 1:,} values; a range gives at most {MAX_RANGE:,}"),
    ("timeline.1.at=20..40/10,30", "a value is repeated"),
    ("cluster.name,nosuch=1", "--vary nosuch: unknown key"),
    ("preserve_roles,may_discard_data=true:maybe", "--vary may_discard_data=maybe: may_discard_data is true or false"),
])
def test_bad_zips_and_ranges_are_named(spec: str, fragment: str) -> None:
    """One InputError naming the option, the keys and the value at fault."""
    with pytest.raises(InputError) as error:
        parse_axis(spec)
    assert fragment in str(error.value), error.value


def test_a_range_stays_bounded() -> None:
    """The largest range allowed gives exactly MAX_RANGE values."""
    assert len(expand_range("--vary", "k", f"1..{MAX_RANGE}")) == MAX_RANGE


def test_a_range_from_a_value_to_itself_is_that_value() -> None:
    """START <= END: `10..10` is the one value 10 (only END < START is refused)."""
    assert expand_range("--vary", "timeline.0.at", "10..10") == ["10"]


@pytest.mark.parametrize("key, role", [
    ("timeline.1.at", CONDITION),              # the crash's time
    ("timeline.1.node_crash", CONDITION),      # the crash's node
    ("timeline.2.node_recover", CONDITION),
    ("timeline.0.at", STRATEGY),               # when the operator sends the upgrade
    ("timeline.0.request.body.preserve_roles", STRATEGY),
    ("preserve_roles", STRATEGY), ("may_discard_data", STRATEGY), ("redis_version", STRATEGY),
    ("parallel_shards_upgrade", STRATEGY), ("cluster.policy.slave_ha", STRATEGY), ("replication", STRATEGY),
    ("data_persistence", STRATEGY), ("shards_count", STRATEGY), ("databases.0.master_persistence", STRATEGY),
    ("mtbf_s", CONDITION), ("mttr_s", CONDITION), ("faults.random.nodes", CONDITION),
    ("shard_restart_s", CONDITION), ("timing.failure_detection_s.high", CONDITION),
    ("databases.0.dataset.bytes", CONDITION), ("databases.0.workload.writes_per_sec", CONDITION),
    ("duration", CONDITION), ("expect.databases.1.keys_lost_max", STRATEGY),
    ("timeline.9.at", STRATEGY),               # no such step: not a fault (the plan then names the bad path)
])
def test_keys_are_classed_by_what_they_set(key: str, role: str) -> None:
    """What the operator chooses is a strategy; what the plan must survive is a condition."""
    assert role_of(key, _data()) == role


def test_a_cluster_recovery_step_is_a_condition() -> None:
    """`node_crash`, `node_recover` *or `cluster_recover`* steps are conditions."""
    data = _data()
    data["timeline"].append({"at": 90, "cluster_recover": True})
    assert role_of("timeline.3.at", data) == CONDITION


def test_the_grid_is_strategies_then_conditions_then_seeds() -> None:
    """2 strategies × (3 crash times × 2 nodes zipped with their recovery) = 12 cells; strategies
    name only strategy keys; conditions vary faster; each cell's data holds its values."""
    plan = plan_from_data(_data(), ["timeline.1.at=20..40/10", "preserve_roles=true,false",
                                    "timeline.1.node_crash,timeline.2.node_recover=1,3"], seeds=2)
    assert [s.label for s in plan.strategies] == ["preserve_roles=true", "preserve_roles=false"]
    assert [c.label for c in plan.conditions] == [
        f"timeline.1.at={t}, timeline.1.node_crash,timeline.2.node_recover={n}" for t in (20, 30, 40) for n in (1, 3)]
    assert (len(plan.cells), plan.runs) == (12, 24)
    assert plan.keys() == ["preserve_roles", "timeline.1.at", "timeline.1.node_crash", "timeline.2.node_recover"]
    last = plan.cells[-1].data
    assert last["timeline"][0]["request"]["body"]["preserve_roles"] is False
    assert (last["timeline"][1], last["timeline"][2]) == ({"at": 40, "node_crash": 3}, {"at": 60, "node_recover": 3})
    tasks = plan.tasks(chunk=1)
    assert [(t.strategy, t.condition, t.seeds) for t in tasks[:3]] == [
        ("preserve_roles=true", plan.conditions[0].label, (7,)), ("preserve_roles=true", plan.conditions[0].label, (8,)),
        ("preserve_roles=true", plan.conditions[1].label, (7,))]
    assert dict(tasks[-1].settings) == {"preserve_roles": "false", "timeline.1.at": "40", "timeline.1.node_crash": "3",
                                        "timeline.2.node_recover": "3"}


def test_strategy_and_condition_options_override_the_class() -> None:
    """`--condition preserve_roles=…` makes it a condition; `--strategy timeline.1.at=…` a strategy."""
    plan = plan_from_data(_data(), [("--condition", "preserve_roles=true,false"),
                                    ("--strategy", "timeline.1.at=20,30")], seeds=1)
    assert [s.label for s in plan.strategies] == ["timeline.1.at=20", "timeline.1.at=30"]
    assert [c.label for c in plan.conditions] == ["preserve_roles=true", "preserve_roles=false"]
    assert [a.role for a in plan.axes] == [CONDITION, STRATEGY]


def test_a_zip_of_a_strategy_key_and_a_condition_key_must_be_classed() -> None:
    """Mixed roles in one --vary are refused, naming both keys; --strategy accepts them."""
    with pytest.raises(InputError, match="--vary preserve_roles,timeline.1.at: preserve_roles is a strategy key "
                                         "and timeline.1.at a condition key"):
        plan_from_data(_data(), ["preserve_roles,timeline.1.at=true:20,false:30"], seeds=1)
    plan = plan_from_data(_data(), [("--strategy", "preserve_roles,timeline.1.at=true:20,false:30")], seeds=1)
    assert len(plan.strategies) == 2 and not plan.has_conditions


def test_a_bad_cell_names_its_setting() -> None:
    """A crash of node 9 (not declared) is named by its option and value."""
    with pytest.raises(InputError) as error:
        plan_from_data(_data(), ["preserve_roles=true,false", "timeline.1.node_crash,timeline.2.node_recover=1,9"],
                       seeds=1)
    assert str(error.value).startswith("--vary timeline.1.node_crash,timeline.2.node_recover=9: <scenario>:")
    assert "node 9 is not declared in cluster.nodes" in str(error.value)


@pytest.mark.parametrize("spec, parsed", [
    ("preserve_roles=false", ("preserve_roles", "false", False)),
    ("timeline.1.at=45", ("timeline.1.at", "45", 45)),
    ("databases.0.name=a,b", ("databases.0.name", "a,b", "a,b")),   # one value: commas are text
    ("redis_version=7.10", ("redis_version", "7.10", "7.10")),      # a version as typed
])
def test_a_setting_is_one_key_and_one_value(spec: str, parsed: tuple[str, str, Any]) -> None:
    """`--set KEY=VALUE` reads one YAML scalar with the sweep's keys and checks."""
    assert parse_setting(spec) == parsed


@pytest.mark.parametrize("spec, fragment", [
    ("preserve_roles", "--set 'preserve_roles': write KEY=VALUE"),
    ("seed=3", "--set seed: the seed comes from --seed"),
    ("preserve_roles=yes please", "--set preserve_roles=yes please: preserve_roles is true or false"),
    ("cluster.nodes=[1, 2]", "values are YAML scalars"),
])
def test_bad_settings_are_named(spec: str, fragment: str) -> None:
    """A malformed or unknown setting is one InputError naming --set."""
    with pytest.raises(InputError) as error:
        parse_setting(spec)
    assert fragment in str(error.value)
