"""`Scenario.model_copy` (issue 16, item 12): the cached initial state is not carried over, so a
copy with other databases simulates its own cluster (a copy with `shards_count: 1` simulated 6
shards)."""
from __future__ import annotations

from pathlib import Path

from sim.run import run_scenario
from sim.scenario import load_scenario

DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "default.yaml"


def test_a_copy_with_fewer_shards_builds_and_runs_its_own_cluster() -> None:
    """default.yaml: 3 replicated pairs = 6 shards; its copy with shards_count 1 has 2."""
    scenario = load_scenario(DEFAULT)
    assert len(scenario.initial_state().shards) == 6  # built and cached
    database = scenario.databases[0].model_copy(update={"shards_count": 1})
    copy = scenario.model_copy(update={"databases": [database]})
    assert len(copy.initial_state().shards) == 2
    assert len(run_scenario(copy).state.shards) == 2
    assert len(scenario.initial_state().shards) == 6  # the original keeps its own
