"""report.html rendered by headless Chromium at 1,400, 1,250 and 800 px: the main column never scrolls
sideways (every <details> opened), the outcome table's status and roles are on screen, the verdict
(and a failed action's reason) is on the first screen, images load, and nothing is fetched."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

#: Reports rendered: bundled scenarios with a failed action, with 17 rejected or accepted requests and
#: long messages, with 24 shards on 6 nodes and an unplanned failover, a database upgrade; and 6
#: databases on 9 nodes (conftest's MANY_DATABASES).
SCENARIOS = ["vulnerability-aof", "rejections", "six-node-sharded", "redis-upgrade", "many-databases"]

#: The two widths asked for, and 1,250 px: the narrowest that shows the outcome table as a table.
WIDTHS = [1400, 1250, 800]
HEIGHT = 900

#: Measures, after opening every <details>: the page's and the main column's widths, and the
#: elements whose right edge passes the main column's (the first few, to name in a failure).
MEASURE = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const main = document.querySelector('main');
  const edge = main.getBoundingClientRect().right;
  const sticking = [...main.querySelectorAll('*')]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > edge + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ': '
              + (e.textContent || '').trim().slice(0, 40));
  return {page: document.documentElement.scrollWidth, inner: window.innerWidth,
          main: main.scrollWidth, mainClient: main.clientWidth, sticking: sticking.slice(0, 5)};
}"""

#: Where the outcome table's status and roles cells are, and whether they are shown.
CELLS = """() => [...document.querySelector('table.cards')
                     .querySelectorAll('td[data-label="status"], td[data-label="roles preserved"]')]
  .map(td => { const r = td.getBoundingClientRect(), s = getComputedStyle(td);
               return {label: td.dataset.label, text: td.textContent.trim(), left: r.left, right: r.right,
                       width: r.width, shown: s.display !== 'none' && s.visibility !== 'hidden'}; })"""


@dataclass
class Tab:
    """A browser page, and the URLs it tried to fetch besides the report's file."""

    page: Any
    width: int
    fetched: list[str] = field(default_factory=list)

    def open(self, report: Path) -> Any:
        """Load the report; returns the Playwright page."""
        self.page.goto(report.as_uri())
        self.page.wait_for_load_state("load")
        return self.page


@pytest.fixture
def tab(browser: Any, request: pytest.FixtureRequest) -> Iterator[Tab]:
    """A page of `request.param` px wide that refuses (and records) every request but file:// ones."""
    context = browser.new_context(viewport={"width": request.param, "height": HEIGHT})
    opened = Tab(context.new_page(), request.param)

    def refuse(route: Any) -> None:
        """Let the report itself load; anything else would be the page reaching out: note it, abort it."""
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            opened.fetched.append(route.request.url)
            route.abort()

    opened.page.route("**/*", refuse)
    yield opened
    context.close()


@pytest.mark.parametrize("tab", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_main_column_never_overflows(tab: Tab, reports: Any, name: str) -> None:
    """Neither the page nor its main column is wider than the window, with every body unfolded;
    no element sticks out of the main column; the page fetched nothing."""
    sizes = tab.open(reports[name]).evaluate(MEASURE)
    assert sizes["inner"] == tab.width
    assert sizes["page"] <= sizes["inner"], sizes["sticking"]
    assert sizes["main"] <= sizes["mainClient"], sizes["sticking"]
    assert sizes["sticking"] == [], sizes
    assert tab.fetched == []


@pytest.mark.parametrize("tab", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_status_and_roles_are_on_screen(tab: Tab, reports: Any) -> None:
    """vulnerability-aof's outcome row: status `active-change-pending` and roles preserved `no` are
    drawn inside the window (a table at 1,400 and 1,250 px, a card at 800 px)."""
    cells = {c["label"]: c for c in tab.open(reports["vulnerability-aof"]).evaluate(CELLS)}
    assert cells.keys() == {"status", "roles preserved"}
    assert cells["status"]["text"] == "active-change-pending" and cells["roles preserved"]["text"] == "no"
    for cell in cells.values():
        assert cell["shown"] and cell["width"] > 0 and 0 <= cell["left"] and cell["right"] <= tab.width, cell


@pytest.mark.parametrize("tab", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_verdict_and_the_failure_are_on_the_first_screen(tab: Tab, reports: Any) -> None:
    """The verdict box comes before the outcome table, and the failed action's reason is visible
    without scrolling."""
    page = tab.open(reports["vulnerability-aof"])
    verdict = page.locator("section.verdict")
    reason = verdict.get_by_text("shard 1 died with node 1 at t=20")
    table = page.locator("table.cards").first
    assert verdict.bounding_box()["y"] < table.bounding_box()["y"]
    box = reason.bounding_box()
    assert reason.is_visible() and box["y"] + box["height"] <= HEIGHT


@pytest.mark.parametrize("tab", [800], indirect=True, ids=lambda w: f"{w}px")
def test_figures_load_and_fit(tab: Tab, reports: Any) -> None:
    """six-node-sharded: its 4 embedded figures decode and are scaled to the main column."""
    images = tab.open(reports["six-node-sharded"]).evaluate("""() => [...document.images].map(i => ({w: i.naturalWidth, shown: i.width,
        room: document.querySelector('main').clientWidth}))""")
    assert len(images) == 4
    assert all(i["w"] > 0 and i["shown"] <= i["room"] for i in images), images
