"""The sweep shortcut `redis_version` (the database upgrade's target, SPEC §10), and the body
flags reaching database-upgrade requests too."""
from __future__ import annotations

from typing import Any

import pytest

from sim.errors import InputError
from sim.sweep import plan_from_data
from sim.sweep.executors import InProcess
from sim.sweep.runner import run_sweep
from sim.sweep.vary import apply_value, parse_axis
from tests.kit import scenario_data, upgrade


def db_upgrade(at: float, **body: Any) -> dict[str, Any]:
    """A timeline step sending POST /v1/bdbs/1/upgrade."""
    return {"at": at, "request": {"method": "POST", "path": "/v1/bdbs/1/upgrade", "body": body}}


def _data() -> dict[str, Any]:
    """A module upgrade at 10 and a database upgrade at 100 of a replicated database."""
    data = scenario_data({"replication": True}, [upgrade(10), db_upgrade(100, redis_version="7.2")])
    data["cluster"]["redis_versions"] = ["7.2", "7.4", "7.10"]
    return data


@pytest.mark.parametrize("spec, values", [
    ("redis_version=7.2,7.10", ("7.2", "7.10")),        # as typed: YAML would read 7.10 as 7.1
    ('redis_version="7.4","7.10"', ("7.4", "7.10")),
])
def test_versions_are_kept_as_typed(spec: str, values: tuple[str, ...]) -> None:
    """redis_version values are version texts, quoted or not."""
    assert parse_axis(spec).values == tuple((v,) for v in values)


def test_redis_version_goes_into_database_upgrade_requests_only() -> None:
    """The target is set in the database upgrade's body, not in the module upgrade's."""
    changed = apply_value(_data(), "redis_version", "7.10")
    bodies = [step["request"]["body"] for step in changed["timeline"]]
    assert "redis_version" not in bodies[0] and bodies[1]["redis_version"] == "7.10"


def test_body_flags_go_into_both_upgrade_requests() -> None:
    """preserve_roles is set in the module upgrade and in the database upgrade."""
    changed = apply_value(_data(), "preserve_roles", True)
    assert [step["request"]["body"]["preserve_roles"] for step in changed["timeline"]] == [True, True]


def test_no_database_upgrade_to_set_it_in() -> None:
    """A scenario with only a module upgrade: the shortcut has nowhere to go (named error)."""
    with pytest.raises(InputError, match="no database-upgrade request"):
        apply_value(scenario_data(), "redis_version", "7.4")


def test_a_sweep_over_the_target() -> None:
    """Two strategies: the database upgrade at 100 lands on 7.4 or 7.10 (numerically the highest)."""
    plan = plan_from_data(_data(), ["redis_version=7.4,7.10"], seeds=1)
    rows = run_sweep(plan, InProcess())
    assert [(row["redis_version"], row["db1.redis_version"]) for row in rows] == [("7.4", "7.4"), ("7.10", "7.10")]
