"""Helpers of the plot tests: run a scenario into a folder and fold its log; find what a figure drew."""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sim import load_scenario, run_scenario
from sim.events import read_log
from sim.plots.history import History, fold_events
from sim.plots.style import plot_style
from sim.scenario import Scenario, scenario_from_data

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@dataclass(frozen=True)
class Run:
    """A finished run: its summary, its output folder and its folded log."""

    summary: dict[str, Any]
    folder: Path
    history: History

    @property
    def log(self) -> Path:
        """The run's events.jsonl."""
        return self.folder / "events.jsonl"


def simulate(scenario: Scenario, folder: Path, plots: bool = False) -> Run:
    """Run a scenario into `folder` with invariants checked, and fold its log."""
    result = run_scenario(scenario, out=folder, plots=plots, check_invariants=True)
    _, events = read_log(folder / "events.jsonl")
    return Run(result.summary, folder, fold_events(events))


def from_data(data: dict[str, Any], folder: Path, plots: bool = False) -> Run:
    """Validate scenario data and run it."""
    return simulate(scenario_from_data(copy.deepcopy(data)), folder, plots)


def library(name: str, folder: Path, plots: bool = False) -> Run:
    """Run a scenario of the bundled library (`scenarios/NAME.yaml`)."""
    return simulate(load_scenario(SCENARIOS / f"{name}.yaml"), folder, plots)


def build(make: Callable[..., Figure], *args: Any) -> Figure:
    """Build a figure as the report does (matplotlib's default style)."""
    with plot_style():
        return make(*args)


def with_gid(figure: Figure, gid: str) -> list[Artist]:
    """Every artist of the figure whose gid is `gid`, in drawing-tree order."""
    return list(figure.findobj(lambda a: a.get_gid() == gid))


def drawn_texts(figure: Figure) -> list[tuple[Text, Bbox]]:
    """Every non-empty text the figure actually draws (tick labels out of view, hidden axes and the
    like excluded), with its extent in pixels, its box (a node's frame) included."""
    drawn: list[Text] = []
    original = Text.draw

    def spy(self: Text, renderer: Any) -> None:
        """Note the text, then draw it as usual (it draws nothing if hidden or empty)."""
        drawn.append(self)
        original(self, renderer)

    Text.draw = spy  # type: ignore[method-assign]
    try:
        figure.canvas.draw()
    finally:
        Text.draw = original  # type: ignore[method-assign]
    renderer = figure.canvas.get_renderer()
    out = []
    for text in dict.fromkeys(drawn):
        if text.get_visible() and text.get_text().strip():
            box = text.get_window_extent(renderer)
            patch = text.get_bbox_patch()
            out.append((text, Bbox.union([box, patch.get_window_extent(renderer)]) if patch else box))
    return out


def collisions(figure: Figure, slack: float = 1.0) -> list[str]:
    """Pairs of drawn texts (and legends against foreign texts) that overlap by more than `slack`
    pixels, and texts that stick out of the figure; empty when the figure is legible."""
    texts = drawn_texts(figure)
    found = []
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            if _overlap(box_a, box_b, slack):
                found.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    renderer = figure.canvas.get_renderer()
    for legend in figure.legends + [ax.get_legend() for ax in figure.axes if ax.get_legend()]:
        own = set(legend.get_texts()) | {legend.get_title()}
        frame = legend.get_window_extent(renderer)
        found += [f"legend overlaps {t.get_text()!r}" for t, box in texts if t not in own and _overlap(frame, box, slack)]
    page = figure.bbox
    found += [f"{t.get_text()!r} sticks out of the figure" for t, box in texts
              if box.x0 < page.x0 - slack or box.y0 < page.y0 - slack or box.x1 > page.x1 + slack
              or box.y1 > page.y1 + slack]
    return found


def _overlap(a: Bbox, b: Bbox, slack: float) -> bool:
    return a.x0 < b.x1 - slack and b.x0 < a.x1 - slack and a.y0 < b.y1 - slack and b.y0 < a.y1 - slack


@dataclass
class PageTable:
    """A table of report.html read back: its heads and each row's cell texts (tags stripped)."""

    heads: list[str]
    rows: list[list[str]]

    def column(self, head: str) -> list[str]:
        """The texts of one column, top to bottom."""
        i = self.heads.index(head)
        return [row[i] for row in self.rows]


class _TableReader(HTMLParser):
    """Collects every table's heads and cell texts (nested markup flattened to its text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[PageTable] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a table, a row or a cell."""
        if tag == "table":
            self.tables.append(PageTable([], []))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell, self._heading = [], tag == "th"

    def handle_endtag(self, tag: str) -> None:
        """Close a cell or a row into the current table."""
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            target = self.tables[-1].heads if self._heading else self.tables[-1].rows
            if self._heading:
                target.extend(self._row)
            else:
                self.tables[-1].rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        """Text inside a cell."""
        if self._cell is not None:
            self._cell.append(data)


def page_tables(page: str) -> list[PageTable]:
    """Every table of an HTML page, in order."""
    reader = _TableReader()
    reader.feed(page)
    return reader.tables


def page_table(page: str, first_head: str) -> PageTable:
    """The table whose first head is `first_head`."""
    (found,) = [t for t in page_tables(page) if t.heads and t.heads[0] == first_head]
    return found
