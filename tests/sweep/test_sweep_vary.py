"""`--vary` axes: parsing KEY=V1,V2 as YAML scalars, shortcuts and dotted paths applied to
scenario data, and one clear error naming a bad key or value."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from sim.errors import InputError
from sim.scenario import Scenario
from sim.sweep.vary import SHORTCUTS, apply_value, parse_axis
from tests.kit import scenario_data, upgrade


def _data() -> dict[str, Any]:
    """Two databases, two module-upgrade requests and a node crash in between."""
    data = scenario_data(timeline=[upgrade(10), {"at": 20, "node_crash": 2}, upgrade(30, preserve_roles=False)])
    data["databases"].append({**copy.deepcopy(data["databases"][0]), "uid": 2, "name": "other"})
    data["expect"] = {"databases": {1: {"keys_lost_max": 0}}}
    return data


@pytest.mark.parametrize("spec, values", [
    ("preserve_roles=true,false", (True, False)),
    ("parallel_shards_upgrade=1, 4 ,0", (1, 4, 0)),
    ("data_persistence=aof,snapshot,disabled", ("aof", "snapshot", "disabled")),
    ('databases.0.redis_version="7.2","7.4"', ("7.2", "7.4")),
    ("timing.full_sync_bytes_per_s=100MB,1.5e+8", ("100MB", 1.5e8)),
    ("duration=null,900", (None, 900)),
])
def test_values_are_yaml_scalars(spec: str, values: tuple[Any, ...]) -> None:
    """Each value is read as YAML reads it; the text as typed is kept for the table."""
    axis = parse_axis(spec)
    assert axis.values == tuple((v,) for v in values)  # one value per key of the axis (one key here)
    assert len(axis.texts) == len(values) and all(t == t.strip() for t in axis.texts)


@pytest.mark.parametrize("key, value, where", [
    ("parallel_shards_upgrade", 4, [("cluster", "policy", "parallel_shards_upgrade")]),
    ("slave_ha", False, [("cluster", "policy", "slave_ha")]),
    ("replication", True, [("databases", 0, "replication"), ("databases", 1, "replication")]),
    ("data_persistence", "aof", [("databases", 0, "data_persistence"), ("databases", 1, "data_persistence")]),
    ("master_persistence", True, [("databases", 0, "master_persistence"), ("databases", 1, "master_persistence")]),
    ("shard_restart_s", 9, [("timing", "shard_restart_s")]),
    ("mtbf_s", 1500, [("faults", "random", "mtbf_s")]),
    ("cluster.nodes.1.rack_id", "az9", [("cluster", "nodes", 1, "rack_id")]),
    ("expect.databases.1.keys_lost_max", 5, [("expect", "databases", 1, "keys_lost_max")]),
])
def test_a_value_lands_where_its_key_says(key: str, value: Any, where: list[tuple[Any, ...]]) -> None:
    """Shortcuts set their field in every place they stand for; dotted paths in one (int keys found)."""
    base = _data()
    changed = apply_value(base, key, value)
    for path in where:
        node: Any = changed
        for part in path:
            node = node[part]
        assert node == value
    assert base == _data()  # the input is never modified


def test_body_flags_go_into_every_module_upgrade_request_only() -> None:
    """preserve_roles is set in both upgrade requests (overriding one's own value), not in the crash step."""
    changed = apply_value(_data(), "preserve_roles", True)
    bodies = [step["request"]["body"] for step in changed["timeline"] if "request" in step]
    assert [b["preserve_roles"] for b in bodies] == [True, True]
    assert changed["timeline"][1] == {"at": 20, "node_crash": 2}


def test_shortcuts_do_not_shadow_top_level_keys() -> None:
    """A one-word key means a shortcut or a top-level scenario key, never both."""
    assert not set(SHORTCUTS) & set(Scenario.model_fields)
    assert {"preserve_roles", "may_discard_data", "parallel_shards_upgrade", "replication",
            "data_persistence"} <= set(SHORTCUTS)


@pytest.mark.parametrize("spec, fragment", [
    ("preserve_roles", "write KEY=V1,V2"),
    ("=true", "write KEY=V1,V2"),
    ("nosuchkey=1", "--vary nosuchkey: unknown key"),
    ("seed=1,2", "--vary seed: the seeds come from --seeds"),
    ("preserve_roles=true,,false", "--vary preserve_roles: an empty value"),
    ("preserve_roles=true,true", "--vary preserve_roles: a value is repeated"),
    ("preserve_roles=maybe", "--vary preserve_roles=maybe: preserve_roles is true or false"),
    ("parallel_shards_upgrade=[1", "--vary parallel_shards_upgrade=[1: not a YAML value"),
    ("parallel_shards_upgrade={a: 1}", "values are YAML scalars"),
])
def test_bad_axes_are_named(spec: str, fragment: str) -> None:
    """A malformed spec, an unknown key or an unreadable value is an InputError naming it."""
    with pytest.raises(InputError) as error:
        parse_axis(spec)
    assert fragment in str(error.value)


@pytest.mark.parametrize("key, fragment", [
    ("timeline.7.request.body.preserve_roles", "timeline has 3 items; '7' is not an index"),
    ("timeline.x.at", "timeline has 3 items; 'x' is not an index"),
    ("cluster.version.major", "cluster.version is a value ('7.4.2-54')"),
])
def test_paths_that_lead_nowhere_are_named(key: str, fragment: str) -> None:
    """A path through a list needs an index in range; a path cannot go inside a plain value."""
    with pytest.raises(InputError) as error:
        apply_value(_data(), key, 1)
    assert str(error.value).startswith(f"--vary {key}: ") and fragment in str(error.value)


def test_shortcuts_need_something_to_set() -> None:
    """preserve_roles without a module-upgrade request, replication without databases: named errors."""
    with pytest.raises(InputError, match="no module-upgrade request"):
        apply_value(scenario_data(timeline=[{"at": 5, "node_crash": 1}]), "preserve_roles", True)
    with pytest.raises(InputError, match="no databases"):
        apply_value({**scenario_data(), "databases": []}, "replication", True)


def test_master_persistence_is_the_lever_on_the_window_of_vulnerability() -> None:
    """The shortcut compares replica-only persistence with master_persistence on the SPEC §5 worked
    example: 10,000 writes lost against 1,000."""
    from pathlib import Path

    from sim.run import run_scenario
    from sim.scenario import scenario_from_data
    from sim.scenario.yamlsource import load_yaml

    data, _, _ = load_yaml(Path(__file__).resolve().parents[2] / "scenarios" / "vulnerability-aof.yaml")
    lost = [run_scenario(scenario_from_data(apply_value(data, "master_persistence", flag)))
            .summary["databases"]["1"]["writes_lost"] for flag in (False, True)]
    assert lost == [10_000.0, 1_000.0]
