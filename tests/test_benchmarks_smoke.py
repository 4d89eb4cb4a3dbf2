"""The benchmark harness works on tiny inputs, and its floor program does the same work as the
simulator: the same state changes, at the same simulated times, for every pair. No timings
are asserted (the machine is shared)."""
from __future__ import annotations

import cProfile
from pathlib import Path

import pytest

from benchmarks import bench_plots, bench_startup
import json

from benchmarks.cases import (
    floor_input, floor_pair_changes, ours_pair_changes, run_bare, run_ours, run_write_path_case,
)
from benchmarks.fleet import EMPTY, LARGE, Fleet, fleet_data
from benchmarks.floor import LINES_PER_PAIR
from benchmarks.hotspots import render_profile
from benchmarks.run import collect, render
from benchmarks.sections import loglog_slope
from benchmarks.writepath import run_write_path
from sim.scenario import scenario_from_data

TINY = Fleet(databases=2, pairs=2)
#: What ends each change the floor starts.
ENDS = {"ShardRestartStarted": "ShardRestarted", "ReplicaSyncStarted": "ReplicaSynced",
        "FailoverStarted": "FailoverCompleted"}


def test_the_floor_and_the_simulator_write_the_same_state_changes_per_pair(tmp_path: Path) -> None:
    """Per pair, the floor's lines and the simulator's shard and pair events have the same types
    at the same simulated times (12 each: restart, sync, failover, twice)."""
    ours = ours_pair_changes(run_ours(fleet_data(TINY), tmp_path).log)
    floor = floor_pair_changes(run_bare(floor_input(TINY), tmp_path).log)
    assert sorted(ours) == sorted(floor) == [(1, 0), (1, 1), (2, 0), (2, 1)]
    for pair, changes in ours.items():
        assert len(changes) == LINES_PER_PAIR
        assert sorted(changes) == sorted(floor[pair]), pair


def test_the_floor_staggers_databases_and_ends_when_the_last_pair_is_done(tmp_path: Path) -> None:
    """Database 2 starts 1 s after database 1; its last failover ends 32 s after its request
    (SPEC §6 worked example: 5 + 10 + 1 + 5 + 10 + 1)."""
    outcome = run_bare(floor_input(TINY), tmp_path)
    floor = floor_pair_changes(outcome.log)
    assert floor[(2, 0)][0] == (11.0, "ShardRestartStarted")
    assert outcome.simulated_s == 11.0 + 32.0
    assert outcome.events == LINES_PER_PAIR * TINY.databases * TINY.pairs


def test_the_write_path_logs_the_floors_changes_as_caused_events(tmp_path: Path) -> None:
    """The write path writes the floor's state changes — same pair, shard, type and time — numbered
    0, 1, 2, … with each end caused by its start."""
    outcome = run_write_path_case(floor_input(TINY), tmp_path)
    floor = run_bare(floor_input(TINY), tmp_path)
    ours = [json.loads(line) for line in outcome.log.read_text(encoding="utf-8").splitlines()]
    theirs = [json.loads(line) for line in floor.log.read_text(encoding="utf-8").splitlines()]
    fields = ("bdb", "pair", "shard", "t", "type")
    assert sorted(tuple(r[k] for k in fields) for r in ours) == sorted(tuple(r[k] for k in fields) for r in theirs)
    assert [r["seq"] for r in ours] == list(range(outcome.events)) == list(range(LINES_PER_PAIR * TINY.databases
                                                                                 * TINY.pairs))
    starts = {r["seq"]: r for r in ours if r["cause"] is None}
    for ended in (r for r in ours if r["cause"] is not None):
        started = starts[ended["cause"]]
        assert (started["bdb"], started["pair"], started["shard"]) == (ended["bdb"], ended["pair"], ended["shard"])
        assert ENDS[started["type"]] == ended["type"] and ended["t"] > started["t"]


def test_the_write_paths_state_and_projection_follow_the_failovers(tmp_path: Path) -> None:
    """Hand-computed for a pair requested at r (SPEC §6: 5 s restart, 10 s sync, 1 s failover):
    served from r until the first failover starts (r + 15), again from r + 16 by the promoted
    replica — the old master's restart takes nothing down — until the second failover (r + 31),
    and from r + 32 by its original master, nothing down, syncing or failing over."""
    run = run_write_path(floor_input(TINY), tmp_path / "log.jsonl")
    requested = {1: 10.0, 2: 11.0}
    keys = [(bdb, pair) for bdb in (1, 2) for pair in (0, 1)]
    assert sorted(run.serving.closed) == sorted(
        [(bdb, pair, requested[bdb], requested[bdb] + 15) for bdb, pair in keys]
        + [(bdb, pair, requested[bdb] + 16, requested[bdb] + 31) for bdb, pair in keys])
    assert run.serving.since == {(bdb, pair): requested[bdb] + 32 for bdb, pair in keys}
    assert run.end == requested[2] + 32
    assert {key: (p.master, p.down, p.syncing, p.failing_over) for key, p in run.pairs.items()} == {
        (bdb, pair): (4 * (bdb - 1) + 2 * pair + 1, None, None, False) for bdb, pair in keys}


def test_the_large_cluster_is_valid_input_of_10000_shards() -> None:
    """The issue's large cluster: 100 databases × 50 pairs on 60 nodes in 3 racks, each upgraded once."""
    scenario = scenario_from_data(fleet_data(LARGE))
    assert LARGE.shards == 10_000 and LARGE.max_redis_servers == 300
    assert len(scenario.databases) == 100 and {d.shards_count for d in scenario.databases} == {50}
    assert len({n.rack_id for n in scenario.cluster.nodes}) == 3 and len(scenario.cluster.nodes) == 60
    assert [step.at for step in scenario.timeline] == [10.0 + i for i in range(100)]


def test_node_capacity_grows_when_300_shards_per_node_are_too_few() -> None:
    """50,000 shards on 60 nodes need more than 300 per node: the fleet raises the cap with headroom."""
    assert Fleet(500, 50).max_redis_servers * 60 >= 50_000 * 1.2


@pytest.mark.parametrize(("ys", "slope"), [((1.0, 10.0, 100.0), 1.0), ((5.0, 5.0, 5.0), 0.0),
                                           ((1.0, 100.0, 10_000.0), 2.0)])
def test_the_exponent_fit_recovers_a_power_law(ys: tuple[float, ...], slope: float) -> None:
    """log-log least squares of y = c·x^k over x = 1, 10, 100 gives k."""
    assert loglog_slope((1.0, 10.0, 100.0), ys) == pytest.approx(slope)


def test_the_harness_measures_in_fresh_processes_and_renders_every_section() -> None:
    """`collect` runs both programs in child processes and counts equal work; `render` writes
    every section (here with the empty input only: net figures are zero, ratios not a number)."""
    figures = collect((EMPTY,), repeats=1, large=EMPTY)
    ours, bare = figures.ours[0], figures.bare[0]
    assert ours.best.state_changes == bare.best.state_changes == figures.path[0].best.state_changes == LINES_PER_PAIR
    assert ours.best.events > ours.best.state_changes  # plus the per-database and run events
    assert ours.peak_mb > 0 and bare.peak_mb > 0 and ours.best.simulated_s > bare.best.simulated_s
    text = render(figures, 1, ["## Extra\n\nsection"])
    for title in ("## Machine", "## Targets", "## Large cluster", "## Scaling", "## The floor", "## Extra"):
        assert title in text
    assert "| 2 | 1 × 1 |" in text


def test_a_profile_renders_as_tables_of_the_hot_spots(tmp_path: Path) -> None:
    """A profiled run yields two tables whose entries name functions of the simulator."""
    stats_file = tmp_path / "run.prof"
    profiler = cProfile.Profile()
    profiler.runcall(run_ours, fleet_data(TINY), tmp_path)
    profiler.dump_stats(str(stats_file))
    text = render_profile(stats_file, 1.0, TINY.shards, limit=5)
    assert text.count("\n| `") == 10
    assert "sim/" in text


def test_the_startup_section_times_each_command_and_lists_the_imports_as_a_tree() -> None:
    """`bench_startup`: a row per command with its target and verdict, and the imports of
    `validate` (the scenario layer among them), parents before what they import."""
    section = bench_startup.measure(repeats=1)
    assert "| `upgrade-sim --help` (as `python -m sim`) |" in section and "≤ 0.2 s" in section
    assert "| `upgrade-sim validate scenarios/default.yaml` (as `python -m sim`) |" in section and "≤ 0.3 s" in section
    rows = bench_startup.import_times(("validate", "scenarios/default.yaml"), at_least_s=0.0)
    names = [name for _, name, _ in rows]
    assert "sim.scenario" in names and "sim.cli.main" in names
    depth = {name: level for level, name, _ in rows}
    assert depth["sim.scenario"] > depth["sim.cli.scenario_input"]
    assert names.index("sim.cli.scenario_input") < names.index("sim.scenario")


def test_the_plots_section_compares_a_run_with_and_without_its_figures() -> None:
    """`bench_plots` on a tiny fleet: both modes run in fresh processes; ratios and peaks reported."""
    section = bench_plots.measure(Fleet(databases=2, pairs=2), repeats=1)
    rows = {line.split("|")[1].strip(): line for line in section.splitlines() if line.startswith("| ")}
    assert {"in process", "whole process", "peak memory"} <= set(rows)
    ratio = float(rows["in process"].split("|")[4])
    assert ratio > 1  # drawing figures costs something on any fleet
    assert "≤ 300 MB" in rows["peak memory"]
