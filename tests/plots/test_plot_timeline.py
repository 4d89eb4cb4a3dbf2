"""The shard timeline: its rows, bars, marks and shaded fault windows, read back from the figure."""
from __future__ import annotations

import copy
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.plots.intervals import CATEGORIES
from sim.plots.timeline import SHORT, TALL, _binned, _merged, _shares, timeline_figure
from tests.kit import scenario_data, upgrade
from tests.plots.helpers import Run, build, from_data, library, with_gid


def _rows(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.axes[0].get_yticklabels()]


def _groups(figure: Figure) -> list[str]:
    (right,) = figure.axes[0].child_axes
    return [t.get_text() for t in right.get_yticklabels()]


def _row_of(figure: Figure, label: str) -> float:
    ax: Axes = figure.axes[0]
    return dict(zip(_rows(figure), ax.get_yticks()))[label]


def test_default_has_one_row_per_shard_grouped_by_node(default_run: Run) -> None:
    """Sparse placement of 3 pairs on 3 nodes puts shards 1, 4 on node 1, 2, 5 on node 2 and 3, 6
    on node 3: six rows under the request lane, three node groups on the right."""
    figure = build(timeline_figure, default_run.history, default_run.summary)
    assert _rows(figure) == ["requests", "shard 1 · db 1", "shard 4 · db 1", "shard 2 · db 1", "shard 5 · db 1",
                             "shard 3 · db 1", "shard 6 · db 1"]
    assert _groups(figure) == ["node 1 · rack az-a", "node 2 · rack az-b", "node 3 · rack az-c"]
    assert with_gid(figure, "fault-window") == []
    assert figure.axes[0].get_xlim() == (0, 300)


def test_every_row_is_covered_for_the_whole_window(six_node_run: Run) -> None:
    """The bars of each of the 24 rows add up to the 300 s window, tall while a master, short while a
    replica: shard 9 (row 'shard 9 · db 1') is a tall down bar 150-155, then a short one 155-200."""
    figure = build(timeline_figure, six_node_run.history, six_node_run.summary)
    covered: dict[float, float] = defaultdict(float)
    down: list[tuple[float, float, float]] = []
    for state in CATEGORIES:
        for role in ("master", "slave"):
            for collection in with_gid(figure, f"bars:{state}:{role}"):
                for path in collection.get_paths():
                    (x0, y0), (x1, y1) = path.vertices.min(axis=0), path.vertices.max(axis=0)
                    covered[(y0 + y1) / 2] += x1 - x0
                    assert y1 - y0 == pytest.approx(TALL if role == "master" else SHORT)
                    if state == "down" and (y0 + y1) / 2 == _row_of(figure, "shard 9 · db 1"):
                        down.append((x0, x1, y1 - y0))
    assert len(covered) == 24 and all(total == pytest.approx(300) for total in covered.values())
    assert sorted(down) == [(150, 155, pytest.approx(TALL)), (155, 200, pytest.approx(SHORT))]


def test_one_shaded_span_per_fault_window(six_node_run: Run) -> None:
    """Node 3 is down 150-200: one shaded span over exactly that stretch."""
    figure = build(timeline_figure, six_node_run.history, six_node_run.summary)
    (span,) = with_gid(figure, "fault-window")
    assert (span.get_x(), span.get_x() + span.get_width()) == (150, 200)


def test_two_fault_windows_two_spans_the_open_one_to_the_end(tmp_path: Path) -> None:
    """Node 1 down 100-150, node 2 down from 200 without recovery: two spans, the second to 300."""
    data = scenario_data(db={"replication": True}, duration=300, timeline=[
        {"at": 100, "node_crash": 1}, {"at": 150, "node_recover": 1}, {"at": 200, "node_crash": 2}])
    run = from_data(data, tmp_path / "run")
    figure = build(timeline_figure, run.history, run.summary)
    spans = with_gid(figure, "fault-window")
    assert sorted((s.get_x(), s.get_x() + s.get_width()) for s in spans) == [(100, 150), (200, 300)]


def test_failovers_and_requests_are_marked(six_node_run: Run) -> None:
    """24 planned failovers (12 pairs, twice) and 2 unplanned ones at 155 promoting shards 10 and 22;
    one accepted request at t=10 in the request lane."""
    figure = build(timeline_figure, six_node_run.history, six_node_run.summary)
    (planned,) = with_gid(figure, "failover:master:planned")
    (unplanned,) = with_gid(figure, "failover:master:unplanned")
    assert len(planned.get_xdata()) == 24 and set(planned.get_xdata()) == {56, 102}
    assert list(unplanned.get_xdata()) == [155, 155]
    assert sorted(unplanned.get_ydata()) == sorted(_row_of(figure, f"shard {u} · db 1") for u in (10, 22))
    (demoted,) = with_gid(figure, "failover:replica:unplanned")
    assert sorted(demoted.get_ydata()) == sorted(_row_of(figure, f"shard {u} · db 1") for u in (9, 21))
    (requests,) = with_gid(figure, "requests:accepted")
    assert (list(requests.get_xdata()), list(requests.get_ydata())) == ([10], [_row_of(figure, "requests")])
    assert with_gid(figure, "requests:rejected") == []


def test_beyond_the_row_limit_rows_are_nodes_then_racks(six_node_run: Run) -> None:
    """With a limit of 10 rows the 24 shards become 6 node rows grouped by rack; with 3, 3 racks.
    The aggregated view marks failovers in a lane of their own (planned at 56 and 102, unplanned 155)."""
    nodes = build(timeline_figure, six_node_run.history, six_node_run.summary, 10)
    assert _rows(nodes) == ["requests", "failovers"] + [f"node {n} (4 shards)" for n in range(1, 7)]
    assert _groups(nodes) == ["rack az-a", "rack az-b", "rack az-c"]
    (planned,) = with_gid(nodes, "failovers:planned")
    (unplanned,) = with_gid(nodes, "failovers:unplanned")
    assert (list(planned.get_xdata()), list(unplanned.get_xdata())) == ([56, 102], [155])
    assert len(with_gid(nodes, "fault-window")) == 1
    racks = build(timeline_figure, six_node_run.history, six_node_run.summary, 3)
    assert _rows(racks) == ["requests", "failovers", "rack az-a (2 nodes)", "rack az-b (2 nodes)",
                            "rack az-c (2 nodes)"]


def test_a_node_row_shows_the_share_of_its_shards_in_each_state(six_node_run: Run) -> None:
    """Node 3's four shards are all down 150-200, all restarting 200-205, all syncing 205-215."""
    intervals = [iv for ivs in six_node_run.history.intervals.values() for iv in ivs if iv.node == 3]
    times, shares = _shares(intervals, 300)
    at = {t: {s: float(v[i]) for s, v in shares.items() if v[i]} for i, t in enumerate(times)}
    assert at[150] == {"down": 1.0} and at[200] == {"restarting": 1.0} and at[205] == {"syncing": 1.0}
    assert at[215] == {"up": 1.0} and times[-1] == 300
    assert at[71] == {"up": 0.75, "restarting": 0.25}  # shard 9 restarting, the other three up


def test_a_row_with_many_steps_is_drawn_as_area_exact_means() -> None:
    """Up 0-1, down 1-3, up 3-4 (by hand): in two slices of 2 s each, up is 1 s of 2 in each (0.5), down
    the rest; the shares still add up to 1 in every slice, and the last step holds to the end."""
    times = [0.0, 1.0, 3.0, 4.0]
    shares = {"up": np.array([1.0, 0.0, 1.0, 1.0]), "down": np.array([0.0, 1.0, 0.0, 0.0])}
    edges, means = _binned(times, shares, 2)
    assert edges == [0.0, 2.0, 4.0]
    assert means["up"].tolist() == [0.5, 0.5, 0.5] and means["down"].tolist() == [0.5, 0.5, 0.5]
    uneven, = _binned([0.0, 3.0, 4.0], {"up": np.array([1.0, 0.0, 0.0])}, 4)[1].values()
    assert uneven.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]  # up for three of the four 1-s slices


def test_steps_that_change_nothing_are_not_drawn() -> None:
    """Up, up, down, down, up (then to the end at 5): the breakpoints at 1 and 3 change no share."""
    times = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    shares = {"up": np.array([1.0, 1.0, 0.0, 0.0, 1.0, 1.0]), "down": np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0])}
    kept, merged = _merged(times, shares)
    assert kept == [0.0, 2.0, 4.0, 5.0]
    assert merged["up"].tolist() == [1.0, 0.0, 1.0, 1.0] and merged["down"].tolist() == [0.0, 1.0, 0.0, 0.0]


def test_a_migrated_replica_is_marked(tmp_path: Path) -> None:
    """healthy-failover.yaml: node 1 never returns; replica HA re-creates shard 1 on node 3 at t=220."""
    run = library("healthy-failover", tmp_path / "run")
    figure = build(timeline_figure, run.history, run.summary)
    (star,) = with_gid(figure, "migration")
    assert (list(star.get_xdata()), list(star.get_ydata())) == ([220], [_row_of(figure, "shard 1 · db 1")])


def test_requests_at_one_instant_are_counted(tmp_path: Path) -> None:
    """Three upgrades of three databases at t=10 (all accepted) and a second one of database 1 at
    t=10 (409 db_busy: its action runs): one accepted marker counted ×3, one rejected marker beside
    it, the lane split between them (accepted 0.22 row above the lane's middle, rejected below)."""
    data = scenario_data(db={"replication": True}, timeline=[upgrade(), upgrade()])
    for uid in (2, 3):
        database = copy.deepcopy(data["databases"][0])
        database.update(uid=uid, name=f"db{uid}")
        data["databases"].append(database)
        step = upgrade()
        step["request"]["path"] = f"/v1/bdbs/{uid}/modules/upgrade"
        data["timeline"].insert(0, step)
    run = from_data(data, tmp_path / "run")
    assert [r["status"] for r in run.summary["responses"]] == [200, 200, 200, 409]
    figure = build(timeline_figure, run.history, run.summary)
    lane = _row_of(figure, "requests")
    (accepted,) = with_gid(figure, "requests:accepted")
    (rejected,) = with_gid(figure, "requests:rejected")
    assert (list(accepted.get_xdata()), list(accepted.get_ydata())) == ([10], [pytest.approx(lane - 0.22)])
    assert (list(rejected.get_xdata()), list(rejected.get_ydata())) == ([10], [pytest.approx(lane + 0.22)])
    (count,) = with_gid(figure, "requests:count:accepted")
    assert count.get_text() == "×3" and count.xy == (10, pytest.approx(lane - 0.22))
    assert with_gid(figure, "requests:count:rejected") == []  # one rejected request: no count
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert "request accepted (×N: N at one instant)" in legend and "request rejected" in legend


def test_a_lone_request_keeps_the_middle_of_its_lane(default_run: Run) -> None:
    """One request at t=10: on the lane's middle, no count."""
    figure = build(timeline_figure, default_run.history, default_run.summary)
    (accepted,) = with_gid(figure, "requests:accepted")
    assert list(accepted.get_ydata()) == [_row_of(figure, "requests")]
    assert with_gid(figure, "requests:count:accepted") == []


def test_a_failed_action_is_marked_with_its_time_and_reason(tmp_path: Path) -> None:
    """retry-after-failure.yaml: node 2 dies at t=18 while its replica syncs: the first action fails
    then. A dashed line at t=18 and a marker in the request lane; the legend says why."""
    run = library("retry-after-failure", tmp_path / "run")
    figure = build(timeline_figure, run.history, run.summary)
    (line,) = with_gid(figure, "action-failed")
    assert list(line.get_xdata()) == [18, 18]
    (marker,) = with_gid(figure, "action-failed:marker")
    assert (list(marker.get_xdata()), list(marker.get_ydata())) == ([18], [_row_of(figure, "requests")])
    legend = [t.get_text().replace("\n", " ") for t in figure.legends[0].get_texts()]
    assert "action failed at t=18 (db 1, state prepare): shard 2 died with node 2 at t=18" in legend
    aggregated = build(timeline_figure, run.history, run.summary, 1)  # marked in the per-node view too
    assert len(with_gid(aggregated, "action-failed")) == 1


def test_a_run_without_failure_marks_none(default_run: Run) -> None:
    """The default upgrade completes: no failed-action line."""
    figure = build(timeline_figure, default_run.history, default_run.summary)
    assert with_gid(figure, "action-failed") == [] and with_gid(figure, "action-failed:marker") == []
