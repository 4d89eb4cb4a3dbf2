"""The availability, masters-per-node and topology figures, read back from what they drew."""
from __future__ import annotations

import copy

from pathlib import Path

import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

import sim.plots.topology as topology
from sim.plots.availability import availability_figure
from sim.plots.figures import chosen_databases
from sim.plots.masters import masters_figure
from sim.plots.topology import topology_figure
from tests.kit import scenario_data
from tests.plots.helpers import Run, build, from_data, library, with_gid


def _step_integral_of_shortfall(figure: Figure) -> float:
    (line,) = with_gid(figure, "availability")
    xs, ys = list(line.get_xdata()), list(line.get_ydata())
    assert line.get_drawstyle() == "steps-post"
    return sum((1 - y) * (b - a) for a, b, y in zip(xs, xs[1:], ys))


def _last(figure: Figure, gid: str) -> float:
    (line,) = with_gid(figure, gid)
    return float(line.get_ydata()[-1])


@pytest.mark.parametrize("name, downtime, keys, writes", [
    ("default", 2.0, 0, 0.0),
    ("six-node-sharded", 2 + 5 * 2730 / 16384, 0, 100.0),
    ("vulnerability-no-persistence", 85.0, 1_000_000, 0.0),
])
def test_availability_curve_integrates_to_the_downtime(name: str, downtime: float, keys: int, writes: float,
                                                       tmp_path: Path) -> None:
    """The drawn step function's shortfall integrates to downtime_s (hand figures from each scenario's
    header), and the cumulative curves end at the summary's failed requests, keys and writes lost."""
    run = library(name, tmp_path / "run")
    figures = run.summary["databases"]["1"]
    figure = build(availability_figure, run.history, run.summary, 1)
    integral = _step_integral_of_shortfall(figure)
    assert integral == pytest.approx(downtime, rel=1e-12)
    assert integral == pytest.approx(figures["downtime_s"], rel=1e-6)
    assert _last(figure, "failed-requests") == pytest.approx(figures["failed_requests"], rel=1e-9)
    assert (_last(figure, "keys-lost"), _last(figure, "writes-lost")) == (keys, writes)
    assert (figures["keys_lost"], figures["writes_lost"]) == (keys, writes)
    assert len(with_gid(figure, "fault-window")) == 3 * len(run.history.faults)  # shaded in each panel


def _bars(figure: Figure, gid: str) -> list[float]:
    return [bar.get_height() for bar in sorted(with_gid(figure, gid), key=lambda b: b.get_x())]


@pytest.mark.parametrize("name, before, after", [
    ("six-node-sharded", [2, 2, 2, 2, 2, 2], [2, 2, 0, 2, 4, 2]),
    ("no-preserve-roles", [1, 1, 0], [0, 0, 2]),
    ("default", [1, 1, 1], [1, 1, 1]),
])
def test_masters_bars_match_the_summary(name: str, before: list[int], after: list[int], tmp_path: Path) -> None:
    """One bar per node before and after, as summary.json's masters_per_node (and the hand counts in
    each scenario's header: node 3's masters move to node 5; without preserve_roles both go to node 3)."""
    run = library(name, tmp_path / "run")
    spread = run.summary["databases"]["1"]["masters_per_node"]
    figure = build(masters_figure, run.history, run.summary, 1)
    assert _bars(figure, "before") == [spread["before"][n] for n in sorted(spread["before"], key=int)] == before
    assert _bars(figure, "after") == [spread["after"][n] for n in sorted(spread["after"], key=int)] == after
    labels = [t.get_text().split("\n")[0] for t in figure.axes[0].get_xticklabels()]
    assert labels == sorted(spread["before"], key=int)


def _shard_markers(ax: object) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))  # type: ignore[attr-defined]


def _texts(ax: object) -> list[str]:
    return [t.get_text() for t in ax.texts]  # type: ignore[attr-defined]


def test_topology_draws_every_shard_and_link_before_and_after(six_node_run: Run) -> None:
    """24 shard markers and 12 master–replica links in each panel; 6 node boxes in 3 rack bands."""
    figure = build(topology_figure, six_node_run.history, six_node_run.summary)
    before, after = figure.axes[:2]
    for ax in (before, after):
        assert _shard_markers(ax) == 24
        assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == 12
        assert [t for t in _texts(ax) if t.startswith("node")] == [f"node {n}" for n in range(1, 7)]
        assert sum(p.get_gid() == "rack" for p in ax.patches) == 3
    assert sorted(t for t in _texts(before) if t.isdigit()) == sorted(str(u) for u in range(1, 25))


def test_topology_shows_a_node_still_down_at_the_end(tmp_path: Path) -> None:
    """healthy-failover.yaml: node 1 crashes at 100 and never returns; replica HA moves shard 1 to node 3."""
    run = library("healthy-failover", tmp_path / "run")
    figure = build(topology_figure, run.history, run.summary)
    before, after = figure.axes[:2]
    assert "node 1" in _texts(before) and "node 1 (down)" in _texts(after)
    assert _shard_markers(before) == _shard_markers(after) == 2


def test_large_topology_counts_masters_and_replicas_per_node(six_node_run: Run,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawn node by node, node 3 ends with 0 masters and 4 replicas, node 5 with 4 masters, 0 replicas;
    each box names the database its shards belong to (the only one, db 1)."""
    monkeypatch.setattr(topology, "SHARD_LIMIT", 10)
    figure = build(topology_figure, six_node_run.history, six_node_run.summary)
    before, after = figure.axes[:2]
    assert "node 3\n2 M · 2 R\ndb 1" in _texts(before) and "node 5\n2 M · 2 R\ndb 1" in _texts(before)
    assert "node 3\n0 M · 4 R\ndb 1" in _texts(after) and "node 5\n4 M · 0 R\ndb 1" in _texts(after)
    assert _shard_markers(after) == 0


def test_only_the_most_affected_databases_get_their_own_figures() -> None:
    """Beyond the limit, the databases with most downtime (then keys, then writes lost) are drawn."""
    def outcome(downtime: float, keys: int = 0, writes: float = 0.0) -> dict[str, float]:
        """The three figures the choice looks at."""
        return {"downtime_s": downtime, "keys_lost": keys, "writes_lost": writes}

    summary = {"databases": {"1": outcome(0), "2": outcome(5), "3": outcome(0, keys=1), "4": outcome(5),
                             "5": outcome(0, writes=1.0), "10": outcome(9)}}
    assert chosen_databases(summary, limit=3) == ["2", "4", "10"]
    assert chosen_databases(summary, limit=5) == ["2", "3", "4", "5", "10"]
    assert chosen_databases(summary, limit=8) == ["1", "2", "3", "4", "5", "10"]


def test_availability_shades_only_the_faults_of_nodes_holding_the_database(two_database_run: Run) -> None:
    """Node 3 (down 100-150) holds only carts' shards: carts' figure shades it in each of its 3 panels
    and names node 3 in its legend; orders' figure shades nothing and has no fault legend entry."""
    run = two_database_run
    orders = build(availability_figure, run.history, run.summary, 1)
    carts = build(availability_figure, run.history, run.summary, 2)
    assert with_gid(orders, "fault-window") == []
    spans = with_gid(carts, "fault-window")
    assert len(spans) == 3 and {(s.get_x(), s.get_x() + s.get_width()) for s in spans} == {(100, 150)}
    legend = [t.get_text() for t in carts.legends[0].get_texts()]
    assert any(text.startswith("node down") and text.endswith("(node 3)") for text in legend)
    assert not any(t.get_text().startswith("node down") for t in orders.legends[0].get_texts())
    assert run.summary["databases"]["1"]["downtime_s"] == 0  # orders indeed never noticed node 3


def test_topology_names_each_shards_database(two_database_run: Run) -> None:
    """Beside every shard marker, its database: shards 1, 2 (nodes 1, 2) `db 1`, shards 3, 4 `db 2`."""
    figure = build(topology_figure, two_database_run.history, two_database_run.summary)
    for ax in figure.axes[:2]:
        uids = {(round(t.get_position()[0], 6), round(t.get_position()[1], 6)): t.get_text()
                for t in ax.texts if t.get_text().isdigit()}
        labels = {(round(t.xy[0], 6), round(t.xy[1], 6)): t.get_text() for t in ax.texts if t.get_gid() == "shard-db"}
        assert labels.keys() == uids.keys() and len(labels) == 4
        assert {uids[xy]: labels[xy] for xy in labels} == {"1": "db 1", "2": "db 1", "3": "db 2", "4": "db 2"}


def test_several_databases_share_one_masters_figure_one_panel_each(tmp_path: Path) -> None:
    """Six nodes; database 1 is one replicated pair (2 nodes), database 2 three pairs (all 6 nodes): one
    figure, two stacked panels on the union of their nodes; each panel has bars only on its database's
    nodes, its even spread over those nodes (1 master / 2 nodes = 0.5; 3 / 6 = 0.5), never over all six."""
    data = scenario_data(db={"replication": True}, nodes=6, timeline=[])
    second = copy.deepcopy(data["databases"][0])
    second.update(uid=2, name="db2", shards_count=3, shards_placement="sparse")
    data["databases"].append(second)
    run = from_data(data, tmp_path / "run")
    figure = build(masters_figure, run.history, run.summary, [1, 2])
    assert len(figure.axes) == 2
    spreads = [run.summary["databases"][uid]["masters_per_node"] for uid in ("1", "2")]
    nodes = sorted({int(n) for spread in spreads for n in spread["before"]})
    assert nodes == [1, 2, 3, 4, 5, 6] and len(spreads[0]["before"]) == 2
    for ax, spread in zip(figure.axes, spreads):
        for gid in ("before", "after"):
            bars = sorted((b for b in ax.patches if b.get_gid() == gid), key=lambda b: b.get_x())
            held = [n for n in nodes if str(n) in spread[gid]]
            assert [b.get_height() for b in bars] == [spread[gid][str(n)] for n in held]
        (even,) = [line for line in ax.lines if line.get_gid() == "even"]
        assert even.get_ydata()[0] == 0.5
    assert [t.get_text().split("\n")[0] for t in figure.axes[-1].get_xticklabels()] == [str(n) for n in nodes]
    assert ["database 1" in figure.axes[0].get_title(), "database 2" in figure.axes[1].get_title()] == [True, True]
