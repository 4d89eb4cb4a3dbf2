"""The fold behind every figure: per-shard intervals, availability steps, fault windows, marks
and losses, checked against hand-computed timelines and against summary.json."""
from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import LogFormatError
from sim.events import read_log
from sim.plots.history import Window, fold_events
from tests.kit import scenario_data
from tests.plots.helpers import SCENARIOS, Run, from_data, library


def _shape(run: Run, shard: int) -> list[tuple[str, str, float, float]]:
    return [(iv.role, iv.state, iv.start, iv.end) for iv in run.history.intervals[shard]]


def test_default_shard_timelines_match_the_hand_computation(default_run: Run) -> None:
    """Replica 2 is upgraded first (restart 10-15, sync 15-25); every pair fails over 55-56 and back
    101-102; old master 1 restarts 56-61 and syncs 61-71 (scenarios/default.yaml header)."""
    assert _shape(default_run, 2) == [
        ("slave", "up", 0, 10), ("slave", "restarting", 10, 15), ("slave", "syncing", 15, 25),
        ("slave", "up", 25, 55), ("slave", "paused", 55, 56), ("master", "up", 56, 101),
        ("master", "paused", 101, 102), ("slave", "up", 102, 300)]
    assert _shape(default_run, 1) == [
        ("master", "up", 0, 55), ("master", "paused", 55, 56), ("slave", "restarting", 56, 61),
        ("slave", "syncing", 61, 71), ("slave", "up", 71, 101), ("slave", "paused", 101, 102),
        ("master", "up", 102, 300)]


def test_a_crashed_master_is_down_then_demoted_then_recovers(six_node_run: Run) -> None:
    """Shard 9 (master on node 3): upgraded 71-86, down with its node from 150, demoted by the
    unplanned failover at 155, restarts 200-205 and syncs 205-215; its replica 10 takes over."""
    assert _shape(six_node_run, 9) == [
        ("master", "up", 0, 55), ("master", "paused", 55, 56), ("slave", "up", 56, 71),
        ("slave", "restarting", 71, 76), ("slave", "syncing", 76, 86), ("slave", "up", 86, 101),
        ("slave", "paused", 101, 102), ("master", "up", 102, 150), ("master", "down", 150, 155),
        ("slave", "down", 155, 200), ("slave", "restarting", 200, 205), ("slave", "syncing", 205, 215),
        ("slave", "up", 215, 300)]
    assert _shape(six_node_run, 10)[-3:] == [("slave", "up", 102, 153), ("slave", "paused", 153, 155),
                                             ("master", "up", 155, 300)]
    assert {iv.node for iv in six_node_run.history.intervals[9]} == {3}


def test_intervals_tile_the_window(six_node_run: Run) -> None:
    """Every shard's intervals follow each other without gap or overlap from 0 to the window's end."""
    for uid, intervals in six_node_run.history.intervals.items():
        assert intervals[0].start == 0 and intervals[-1].end == 300, uid
        assert all(a.end == b.start for a, b in zip(intervals, intervals[1:])), uid
        assert all(iv.length > 0 for iv in intervals), uid


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_availability_integral_and_totals_match_the_summary(path: Path, tmp_path: Path) -> None:
    """For every bundled scenario, the availability step function integrates to downtime_s, and the
    cumulative failed requests, keys and writes lost end at the summary's figures."""
    run = library(path.stem, tmp_path / "run")
    for uid, figures in run.summary["databases"].items():
        series = run.history.availability[int(uid)]
        times, values = series.available()
        integral = sum((1 - v) * (b - a) for a, b, v in zip(times, times[1:], values))
        assert integral == pytest.approx(figures["downtime_s"], rel=1e-6, abs=1e-9)
        assert series.failed_requests()[1][-1] == pytest.approx(figures["failed_requests"], rel=1e-6, abs=1e-9)
        losses = run.history.losses[int(uid)]
        assert losses.cumulative("keys", 0, run.history.end)[1][-1] == figures["keys_lost"]
        assert losses.cumulative("writes", 0, run.history.end)[1][-1] == pytest.approx(figures["writes_lost"])


def test_six_node_downtime_is_exact(six_node_run: Run) -> None:
    """2 s of upgrade failovers for every slot + 5 s for pairs 4 and 10 (1365 slots each)."""
    assert six_node_run.history.availability[1].downtime() == 2 + 5 * 2730 / 16384


def test_fault_windows_close_at_recovery_or_at_the_window_end(tmp_path: Path) -> None:
    """A replicated pair (master on node 1, replica on node 2). Node 1 down 100-150 and node 2 down
    from 200 to the end: two windows, the second open. Each crash hits the master, with its replica
    in sync (shard 1 re-synced 155-165): 3 s detection + 2 s failover, so 10 s of downtime, and
    0.1 s × 1000 writes/s lost at each unplanned failover."""
    data = scenario_data(db={"replication": True}, timeline=[{"at": 100, "node_crash": 1}, {"at": 150, "node_recover": 1},
                                   {"at": 200, "node_crash": 2}], duration=300)
    run = from_data(data, tmp_path / "run")
    assert run.history.faults == [Window(1, 100, 150, False), Window(2, 200, 300, True)]
    assert run.history.availability[1].downtime() == 10
    assert [m.data["planned"] for m in run.history.marks_of("failover")] == [False, False]
    assert run.history.losses[1].cumulative("writes", 0, 300) == ([0, 105, 205, 300], [0, 100, 200, 200])


def test_quorum_loss_is_a_window_of_its_own(tmp_path: Path) -> None:
    """no-quorum.yaml: nodes 2 and 3 down at 100, node 3 back at 150, the lost cluster recovered at
    170, node 2 back at 200: no service 100-170 (quorum, but lost, from 150); with quorum_loss resume
    the window ends when quorum returns, 150. The requests at 120 and 160 (503) and 250 are marked."""
    resumed = library("no-quorum-resume", tmp_path / "resume")
    assert resumed.history.no_quorum == [Window(None, 100, 150, False)]
    run = library("no-quorum", tmp_path / "run")
    assert run.history.no_quorum == [Window(None, 100, 170, False)]
    assert run.history.faults == [Window(2, 100, 200, False), Window(3, 100, 150, False)]
    requests = run.history.marks_of("request")
    assert [(m.t, m.data["status"]) for m in requests] == [
        (r["at"], r["status"]) for r in run.summary["responses"]]
    assert (requests[0].t, requests[0].data["error_code"]) == (120, "no_quorum")


def test_lost_keys_are_marked_when_the_last_copy_goes(tmp_path: Path) -> None:
    """vulnerability-no-persistence.yaml: 1,000,000 keys lost at t=20; shard 1 comes back empty."""
    run = library("vulnerability-no-persistence", tmp_path / "run")
    assert run.history.losses[1].cumulative("keys", 0, 300) == ([0, 20, 300], [0, 1_000_000, 1_000_000])
    assert ("master", "empty", 105, 300) in _shape(run, 1)


def test_the_fold_refuses_an_incomplete_stream(default_run: Run) -> None:
    """A stream cut before SimulationEnded, or not starting with SimulationStarted, is refused."""
    _, events = read_log(default_run.log)
    events = list(events)
    with pytest.raises(LogFormatError, match="SimulationEnded"):
        fold_events(events[:-1])
    with pytest.raises(LogFormatError, match="SimulationStarted"):
        fold_events(events[1:])
