"""Legible at 100 % zoom: every figure of the default and the six-node scenarios, of two databases
(shards labelled with their database) and of a failed action (its reason in the legend) has a
legend and axis units, and none of its tick labels, titles, labels or annotations overlap or
leave the page."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import sim.plots.topology as topology
from sim.plots.availability import availability_figure
from sim.plots.masters import masters_figure
from sim.plots.style import DPI
from sim.plots.timeline import timeline_figure
from sim.plots.topology import topology_figure
from tests.plots.helpers import Run, build, collisions, drawn_texts

FIGURES: dict[str, Callable[[Run], Figure]] = {
    "timeline": lambda run: timeline_figure(run.history, run.summary),
    "timeline per node": lambda run: timeline_figure(run.history, run.summary, 4),
    "availability": lambda run: availability_figure(run.history, run.summary, 1),
    "masters": lambda run: masters_figure(run.history, run.summary, 1),
    "topology": lambda run: topology_figure(run.history, run.summary),
}
#: The time axis of each figure that has one, and a y label that must name its unit.
UNITS = {"timeline": ("time (s)", None), "timeline per node": ("time (s)", None),
         "availability": ("time (s)", "slots available (%)"), "masters": ("node (rack)", "master shards (count)")}


@pytest.fixture(params=["default_run", "six_node_run", "two_database_run", "failed_action_run"])
def run(request: pytest.FixtureRequest) -> Run:
    """The scenarios whose figures must be legible."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", FIGURES)
def test_no_text_overlaps_and_nothing_is_cut(run: Run, name: str) -> None:
    """Rendered at the report's resolution, no two texts overlap and none leaves the figure."""
    figure = build(FIGURES[name], run)
    assert figure.dpi == DPI
    assert collisions(figure) == []
    assert len(drawn_texts(figure)) >= 10  # the check looked at a real figure


@pytest.mark.parametrize("name", FIGURES)
def test_a_legend_and_axis_units(run: Run, name: str) -> None:
    """Every figure has a non-empty legend; time axes are labelled in seconds, counts as counts."""
    figure = build(FIGURES[name], run)
    legends = figure.legends + [ax.get_legend() for ax in figure.axes if ax.get_legend()]
    assert legends and all(len(legend.get_texts()) >= 2 for legend in legends)
    if name in UNITS:
        x_label, y_label = UNITS[name]
        assert x_label in [ax.get_xlabel() for ax in figure.axes]
        if y_label is not None:
            assert y_label in [ax.get_ylabel() for ax in figure.axes]


def test_the_large_topology_is_legible(six_node_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The node-by-node topology (used beyond 96 shards) keeps its labels apart too."""
    monkeypatch.setattr(topology, "SHARD_LIMIT", 10)
    figure = build(topology_figure, six_node_run.history, six_node_run.summary)
    assert collisions(figure) == []


def test_the_check_catches_an_overlap() -> None:
    """Two texts drawn on top of each other, or outside the page, are reported (the check can fail)."""
    figure = _with_canvas(Figure(figsize=(4, 3), dpi=DPI))
    figure.text(0.1, 0.5, "one label")
    figure.text(0.15, 0.5, "another label")
    figure.text(0.9, 0.2, "cut off at the edge")
    found = collisions(figure)
    assert "'one label' overlaps 'another label'" in found
    assert "'cut off at the edge' sticks out of the figure" in found


def _with_canvas(figure: Figure) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    return figure


def test_drawn_texts_skip_what_is_not_drawn() -> None:
    """Tick labels beyond the view and texts of hidden axes are not counted as drawn."""
    figure = _with_canvas(Figure(figsize=(4, 3), dpi=DPI))
    shown, hidden = figure.subplots(1, 2)
    shown.set_xticks([0, 1, 5], ["in", "view", "beyond"])
    shown.set_xlim(0, 1)  # after the ticks: set_xticks widens the view to show them all
    hidden.set_title("hidden")
    hidden.set_visible(False)
    texts = [t.get_text() for t, _ in drawn_texts(figure)]
    assert "in" in texts and "view" in texts
    assert "beyond" not in texts and "hidden" not in texts
    assert all(isinstance(t, Text) for t, _ in drawn_texts(figure))
