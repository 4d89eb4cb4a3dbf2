"""write_report: the figures as PNG and SVG, a self-contained report.html with the summary,
responses, expectations, timing profile and explanation, and byte-identical outputs."""
from __future__ import annotations

import base64
import copy
import html
import re
from pathlib import Path

import pytest

import sim.plots.selection as selection
from sim import replay_log
from sim.events import read_log
from sim.metrics.explain import explain_lines
from sim.plots import write_report
from tests.kit import scenario_data, upgrade
from tests.plots.helpers import Run, from_data, library

FIGURE_STEMS = ["timeline", "availability-db1", "masters-db1", "topology"]


@pytest.fixture(scope="module")
def plotted(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The default scenario run with its figures."""
    return library("default", tmp_path_factory.mktemp("report") / "run", plots=True)


def _page(run: Run) -> str:
    return (run.folder / "report.html").read_text(encoding="utf-8")


def test_the_run_folder_holds_every_figure_in_both_formats(plotted: Run) -> None:
    """run_scenario(plots=True) leaves the log, the summary, the report and 4 figures × (PNG, SVG)."""
    names = sorted(p.name for p in plotted.folder.iterdir())
    expected = [f"{stem}.{fmt}" for stem in FIGURE_STEMS for fmt in ("png", "svg")]
    assert names == sorted(expected + [".upgrade-sim-output", "events.jsonl", "report.html", "summary.json"])
    assert all((plotted.folder / name).read_bytes()[:4] == b"\x89PNG" for name in expected if name.endswith(".png"))


def test_write_report_returns_what_it_wrote(plotted: Run, tmp_path: Path) -> None:
    """The returned paths are the 8 figure files and, last, report.html; nothing else is written."""
    written = write_report(tmp_path, plotted.summary, plotted.log)
    assert written[-1] == tmp_path / "report.html"
    assert sorted(p.name for p in written) == sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 9


def test_the_report_is_self_contained(plotted: Run) -> None:
    """Every image is embedded as a data URI (the timeline's is the PNG on disk); nothing is fetched."""
    page = _page(plotted)
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 4 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert base64.b64decode(sources[0].split(",", 1)[1]) == (plotted.folder / "timeline.png").read_bytes()
    assert "<link" not in page and "<script" not in page and "http" not in page


def test_the_report_says_what_happened_and_why(plotted: Run) -> None:
    """Summary figures, the response, the expectations, the timing profile from the log's first
    event, and every line of the explanation of outages are in the page."""
    page = _page(plotted)
    row = re.search(r"<tr><td>1</td>(.*?)</tr>", page)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    figures_1 = plotted.summary["databases"]["1"]
    assert cells[:3] == [str(figures_1["availability"]), str(figures_1["downtime_s"]),
                         str(figures_1["request_availability"])]
    assert "<td>/v1/bdbs/1/modules/upgrade</td><td>200</td>" in page
    assert "11 of 11 expectations met" in page and page.count('class="ok"') == 11
    assert "<td>shard_restart_s</td><td>5.0</td>" in page and "<td>failure_detection_s.high</td><td>3.0</td>" in page
    _, events = read_log(plotted.log)
    lines = explain_lines(events)
    assert len(lines) > 2 and all(html.escape(line) in page for line in lines)


def test_without_plots_only_the_report_is_written(tmp_path: Path) -> None:
    """plots=False draws nothing but still writes the whole report (timing, explanation included)."""
    run = library("vulnerability-no-persistence", tmp_path / "run")
    assert sorted(p.name for p in run.folder.iterdir()) == [".upgrade-sim-output", "events.jsonl", "report.html",
                                                            "summary.json"]
    page = _page(run)
    assert "Figures were not drawn" in page and "<img" not in page
    assert "1,000,000 keys" in page and "shard_restart_s" in page


def test_a_replay_reports_no_expectations(default_run: Run, tmp_path: Path) -> None:
    """A replayed log carries no expectations: the report says so."""
    replay_log(default_run.log, out=tmp_path / "replay", plots=False)
    page = (tmp_path / "replay" / "report.html").read_text()
    assert "Not evaluated: this is a replay" in page


def test_an_unmet_expectation_is_flagged(tmp_path: Path) -> None:
    """A bound the run misses is shown as FAILED (the default upgrade has 1 s of downtime, not 0)."""
    data = scenario_data(db={"replication": True}, expect={"databases": {1: {"downtime_max_s": 0}}})
    run = from_data(data, tmp_path / "run")
    page = _page(run)
    assert "0 of 1 expectations met" in page and '<td class="fail">FAILED</td>' in page


def test_outputs_are_byte_identical_across_runs(plotted: Run, tmp_path: Path) -> None:
    """The same scenario gives the same bytes in every file, figures included; no date inside."""
    again = library("default", tmp_path / "again", plots=True)
    for path in sorted(plotted.folder.iterdir()):
        assert (again.folder / path.name).read_bytes() == path.read_bytes(), path.name
    svg = (plotted.folder / "timeline.svg").read_text()
    assert "<dc:date>" not in svg
    png = (plotted.folder / "timeline.png").read_bytes()
    assert b"tIME" not in png and b"Date" not in png


def test_many_databases_draw_the_most_affected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a limit of one database, only the upgraded one (1 s of downtime) gets figures; the report
    names database 2 as not drawn."""
    monkeypatch.setattr(selection, "DATABASE_LIMIT", 1)
    data = scenario_data(db={"replication": True}, timeline=[upgrade()])
    second = copy.deepcopy(data["databases"][0])
    second.update(uid=2, name="carts")
    data["databases"].append(second)
    run = from_data(data, tmp_path / "run", plots=True)
    assert run.summary["databases"]["1"]["downtime_s"] == 1 and run.summary["databases"]["2"]["downtime_s"] == 0
    assert (run.folder / "availability-db1.png").exists() and not (run.folder / "availability-db2.png").exists()
    assert "not drawn: 2 (see the outcome table)" in _page(run)
