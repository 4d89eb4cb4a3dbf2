"""The shrink benchmark measures what it says: a 20-node, 5-database scenario under random faults
that fails, shrunk in-process (no timing is asserted: the machine is shared)."""
from __future__ import annotations

from benchmarks.bench_shrink import measure, scenario_data
from sim.scenario import scenario_from_data
from sim.shrink.failure import observe


def test_the_benchmark_scenario_is_big_random_and_failing() -> None:
    """20 nodes, 5 databases of 3 pairs, random faults on every node; seed 9 fails two expectations."""
    scenario = scenario_from_data(scenario_data(9))
    assert len(scenario.cluster.nodes) == 20 and len(scenario.databases) == 5
    assert {d.shards_count for d in scenario.databases} == {3}
    assert scenario.faults.random is not None and scenario.faults.random.nodes == []  # every node may fail
    assert [f.key for f in observe(scenario, 9)] == ["databases.1.writes_lost_max", "databases.4.writes_lost_max"]


def test_the_section_has_a_row_per_failing_seed() -> None:
    """measure() on seeds 8 (passes) and 9 (fails): one row, for seed 9, with its runs counted."""
    section = measure((8, 9))
    rows = [line for line in section.splitlines() if line.startswith("| 9 ") or line.startswith("| 8 ")]
    assert section.startswith("## Shrink speed") and len(rows) == 1 and rows[0].startswith("| 9 | `databases.1.")
