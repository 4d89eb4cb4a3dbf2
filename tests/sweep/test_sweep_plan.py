"""Planning a sweep: the grid in order, the seeds, tasks that cover every run once, and
validation of every grid point before anything runs, naming the setting at fault."""
from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import InputError
from sim.sweep import plan_from_data, plan_sweep
from sim.sweep.plan import MAX_RUNS
from sim.sweep.runner import MAX_CHUNK, chunk_size
from tests.kit import scenario_data

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_the_grid_varies_the_first_key_slowest() -> None:
    """2 × 3 strategies in grid order; the scenario's data is changed in each."""
    plan = plan_from_data(scenario_data(), ["preserve_roles=true,false", "parallel_shards_upgrade=1,4,0"], seeds=2)
    assert [s.label for s in plan.strategies] == [
        "preserve_roles=true, parallel_shards_upgrade=1", "preserve_roles=true, parallel_shards_upgrade=4",
        "preserve_roles=true, parallel_shards_upgrade=0", "preserve_roles=false, parallel_shards_upgrade=1",
        "preserve_roles=false, parallel_shards_upgrade=4", "preserve_roles=false, parallel_shards_upgrade=0"]
    last = plan.cells[-1].data
    assert last["cluster"]["policy"]["parallel_shards_upgrade"] == 0
    assert last["timeline"][0]["request"]["body"]["preserve_roles"] is False
    assert plan.runs == 12


def test_seeds_start_at_the_scenarios_seed_unless_told() -> None:
    """Seeds: the scenario's seed (7 here) and the N-1 after it; --first-seed moves the start."""
    assert plan_from_data(scenario_data(), [], seeds=3).seeds == (7, 8, 9)
    assert plan_from_data(scenario_data(), [], seeds=2, first_seed=100).seeds == (100, 101)


def test_no_vary_is_one_strategy_as_written() -> None:
    """Without --vary, the sweep is the scenario itself over the seeds."""
    plan = plan_sweep(SCENARIOS / "random-node-faults.yaml", [], seeds=4)
    assert [s.label for s in plan.strategies] == ["as written"] and plan.random_faults


def test_random_faults_are_noticed_when_a_strategy_adds_them() -> None:
    """A plan knows whether seeds matter: the scenario or a varied setting asks for random faults."""
    assert not plan_from_data(scenario_data(), [], seeds=1).random_faults
    plan = plan_from_data(scenario_data(), ["mtbf_s=600,1200", "mttr_s=60"], seeds=1)
    assert plan.random_faults


@pytest.mark.parametrize("seeds, workers", [(1, 2), (7, 2), (50, 2), (200, 8), (1000, 2)])
def test_tasks_cover_every_run_once_in_order(seeds: int, workers: int) -> None:
    """Chunked tasks list every (strategy, seed) exactly once, in grid then seed order."""
    plan = plan_from_data(scenario_data(), ["preserve_roles=true,false"], seeds=seeds)
    chunk = chunk_size(plan.runs, workers)
    tasks = plan.tasks(chunk)
    assert 1 <= chunk <= MAX_CHUNK and all(len(t.seeds) <= chunk for t in tasks)
    assert [t.order for t in tasks] == list(range(len(tasks)))
    flat = [(t.settings, s) for t in tasks for s in t.seeds]
    assert flat == [(st.settings, s) for st in plan.strategies for s in plan.seeds]


@pytest.mark.parametrize("vary, message", [
    (["parallel_shards_upgrade=1,-1"],
     "--vary parallel_shards_upgrade=-1: <scenario>:1: cluster.policy.parallel_shards_upgrade: "
     "Input should be greater than or equal to 0 (got -1)"),
    (["preserve_roles=true,false", "data_persistence=aof,sometimes"],
     "--vary data_persistence=sometimes: <scenario>:1: databases[0].data_persistence: "
     "Input should be 'disabled', 'aof' or 'snapshot' (got 'sometimes')"),
    (["cluster.polcy.parallel_shards_upgrade=1"],
     "--vary cluster.polcy.parallel_shards_upgrade=1: <scenario>:1: cluster.polcy: unknown key 'polcy'; "
     "did you mean 'policy'?"),
    (["mtbf_s=100", "mttr_s=-1"],
     "--vary mtbf_s=100 mttr_s=-1: <scenario>:1: faults.random.mttr_s: Input should be greater than 0 (got -1)"),
])
def test_a_bad_grid_point_names_the_setting(vary: list[str], message: str) -> None:
    """The setting wrong on its own is named; when only the combination is wrong, all of it is."""
    with pytest.raises(InputError) as error:
        plan_from_data(scenario_data(), vary, seeds=1)
    assert str(error.value) == message


def test_errors_name_the_scenario_file_and_line(tmp_path: Path) -> None:
    """Planning from a file keeps its line numbers in the message."""
    with pytest.raises(InputError) as error:
        plan_sweep(SCENARIOS / "default.yaml", ["parallel_shards_upgrade=-2"], seeds=1)
    assert str(error.value).startswith("--vary parallel_shards_upgrade=-2: ")
    assert "default.yaml:19: cluster.policy.parallel_shards_upgrade" in str(error.value)


@pytest.mark.parametrize("vary, seeds, first, fragment", [
    (["preserve_roles=true", "preserve_roles=false"], 1, None, "--vary preserve_roles: given twice"),
    ([], 0, None, "--seeds 0: give at least 1 seed"),
    ([], 1, -1, "--first-seed -1"),
])
def test_bad_plans_are_named(vary: list[str], seeds: int, first: int | None, fragment: str) -> None:
    """A key given twice, no seeds, or a negative first seed is bad input."""
    with pytest.raises(InputError) as error:
        plan_from_data(scenario_data(), vary, seeds=seeds, first_seed=first)
    assert fragment in str(error.value)


def test_a_sweep_holds_at_most_max_runs() -> None:
    """Cells x seeds past MAX_RUNS (a million) is refused before any cell is validated: every
    run's row is kept until the outputs are written (1.6e9 runs were accepted before)."""
    assert plan_from_data(scenario_data(), [], seeds=MAX_RUNS).runs == MAX_RUNS
    with pytest.raises(InputError, match="1 combinations x 1,000,001 seeds = 1,000,001 runs: more than"):
        plan_from_data(scenario_data(), [], seeds=MAX_RUNS + 1)
    with pytest.raises(InputError) as error:
        plan_from_data(scenario_data(), ["parallel_shards_upgrade=0,1"], seeds=MAX_RUNS // 2 + 1)
    assert str(error.value) == ("2 combinations x 500,001 seeds = 1,000,002 runs: more than the 1,000,000 runs a "
                                "sweep may hold; give fewer seeds or vary fewer values")


def test_a_sweep_holds_at_most_max_cells_combinations() -> None:
    """73 strategies x 137 conditions = 10,001 combinations: one more than MAX_CELLS, refused."""
    axes = [("--strategy", "parallel_shards_upgrade=1..73"), ("--condition", "duration=600..736")]
    with pytest.raises(InputError, match="73 strategies x 137 conditions: more than the 10,000 combinations"):
        plan_from_data(scenario_data(), axes, seeds=1)
