"""write_report: the figures as PNG and SVG, a self-contained report.html that leads with a verdict
(expectations, actions and why one failed, worst outage, losses), then the outcome table, the
explanation and the figures, numbers in human units, bodies collapsible; byte-identical outputs."""
from __future__ import annotations

import base64
import copy
import gc
import html
import json
import re
import weakref
from pathlib import Path

import pytest

import sim.plots.selection as selection
from sim import replay_log
from sim.events import read_log
from sim.metrics.explain import explain_lines
from sim.plots import write_report
from sim.plots.style import discard_figure, new_figure, save_figure
from tests.kit import scenario_data, upgrade
from tests.plots.helpers import Run, from_data, library, page_table, page_tables

FIGURE_STEMS = ["timeline", "availability-db1", "masters", "topology"]


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
    """The outcome row in human units (the default scenario's hand figures: 2 s down out of 300 →
    99.3333 %, 18,000 failed requests, 6 planned failovers, 92 s upgrade), the response, the
    expectations, the timing profile from the log's first event with units, and every line of the
    explanation of outages are in the page."""
    page = _page(plotted)
    outcome = page_table(page, "database")
    assert outcome.rows == [["1", "active", "yes", "99.3333 %", "2 s", "1 s", "99.3333 % (18,000 failed)", "0 (0 B)",
                             "0", "6 planned, 0 unplanned", "92 s", "node 1: 1 → 1, node 2: 1 → 1, node 3: 1 → 1",
                             "Redis 7.2, ReJSON 2.8.4"]]
    responses = page_table(page, "at")
    assert [row[:5] for row in responses.rows] == [["10 s", "POST", "/v1/bdbs/1/modules/upgrade", "200", ""]]
    assert "11 of 11 expectations met" in page and page_table(page, "expectation").column("result") == ["ok"] * 11
    assert page.count('<td data-label="result" class="ok">') == 11
    timing = dict(page_table(page, "timing").rows)
    assert timing == {"shard_restart_s": "5 s", "rdb_load_bytes_per_s": "100 MB/s", "aof_load_bytes_per_s": "50 MB/s",
                      "full_sync_bytes_per_s": "100 MB/s", "planned_failover_s": "1 s",
                      "failure_detection_s.high": "3 s", "failure_detection_s.low": "12 s",
                      "unplanned_failover_s": "2 s", "replication_lag_s": "0.1 s"}
    _, events = read_log(plotted.log)
    lines = explain_lines(events)
    assert len(lines) > 2
    for line in lines:  # "  outage: t=55-56 …" is drawn "<b>outage</b> t=55-56 …"
        assert html.escape(line.strip().split(": ", 1)[-1] if line.startswith(" ") else line.rstrip(":")) in page


def test_the_page_leads_with_the_verdict_then_the_table_the_why_and_the_figures(plotted: Run) -> None:
    """Sections in this order: verdict, outcome table, explanation, figures, then the details."""
    page = _page(plotted)
    heads = re.findall(r"<h2>(.*?)</h2>", page)
    assert heads == ["Verdict", "Outcome per database", "Why: outages, losses and failed actions explained",
                     "Figures", "Actions", "Responses", "Expectations", "Timing profile"]
    assert '<section class="verdict met"' in page and "✔ All 11 expectations met." in page


def test_a_failed_action_is_explained_at_the_top(tmp_path: Path) -> None:
    """vulnerability-aof: node 1 dies at t=20 while shard 2 re-syncs; the action fails in state
    prepare. The verdict box (before the outcome table) names the action, its time, its state and
    why, the 85 s outage (t=20-105) and the 10,000 writes lost (1,000 writes/s × 10 s since the
    replica's file froze at t=10); the actions table gives the same reason."""
    run = library("vulnerability-aof", tmp_path / "run")
    page = _page(run)
    (action,) = run.summary["actions"]
    box = page[page.index('<section class="verdict'):page.index("</section>")]
    assert (f"Action {action['action_uid']} (SMUpgradeBDB) on database 1: FAILED at t=20 in state prepare "
            "(accepted at t=10): shard 1 died with node 1 at t=20.") in box
    assert "Worst outage: database 1, 85 s in one stretch; 85 s of downtime in all (availability 71.6667 %, " \
           "85,000 failed requests)." in box
    assert "Data lost from database 1: 10,000 acknowledged writes." in box
    assert page.index("shard 1 died with node 1") < page.index("<h2>Outcome per database</h2>")
    actions = page_table(page, "action")
    assert actions.rows == [[action["action_uid"], "1", "SMUpgradeBDB", "failed", "prepare", "15 %", "10 s", "20 s",
                             "shard 1 died with node 1 at t=20"]]
    assert f"<b>failed action</b> {action['action_uid']} (SMUpgradeBDB) failed at t=20" in page


def test_bodies_are_pretty_printed_and_collapsible(tmp_path: Path) -> None:
    """rejections.yaml: each of its 17 answers is a closed <details> whose summary is the error's
    message (or the action it started) and whose <pre> holds the body as indented JSON."""
    run = library("rejections", tmp_path / "run")
    page = _page(run)
    details = re.findall(r"<details><summary>(.*?)</summary><pre>(.*?)</pre></details>", page, re.S)
    responses = run.summary["responses"]
    assert len(details) == len(responses) == 17
    for (summary, pre), response in zip(details, responses):
        body = response["body"]
        assert html.unescape(pre) == json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False)
        expected = body["message"] if "message" in body else f"action {body['action_uid']}"
        assert html.unescape(summary) == expected
    assert "<details open" not in page
    assert "12 of 14 requests rejected" not in page  # counted over all 17
    assert "16 of 17 requests rejected: 401 unauthorized, 401 unauthorized, 403 insufficient_permissions" in page


def test_no_raw_float_or_exponent_anywhere(tmp_path: Path) -> None:
    """Numbers read as numbers: no `100000000.0`, no `85000.0`, no exponent in any table cell (but
    versions, `7.2` or `1.8.0`, and the bodies as the API sent them)."""
    for name in ("vulnerability-aof", "six-node-sharded", "rejections"):
        page = _page(library(name, tmp_path / name))
        cells = [c for t in page_tables(page) for row in t.rows for head, c in zip(t.heads, row)
                 if head not in ("versions", "body")]
        assert len(cells) > 40 and not [c for c in cells if re.search(r"(?<![\d.])\d+\.0(?![\d.])|\d[eE][+-]\d", c)], name


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
    assert '<section class="verdict none"' in page and "Expectations not evaluated: this is a replay" in page


def test_an_unmet_expectation_is_flagged(tmp_path: Path) -> None:
    """A bound the run misses is shown as FAILED (the default upgrade has 1 s of downtime, not 0)."""
    data = scenario_data(db={"replication": True}, expect={"databases": {1: {"downtime_max_s": 0}}})
    run = from_data(data, tmp_path / "run")
    page = _page(run)
    assert "0 of 1 expectations met" in page and '<td data-label="result" class="fail"><div>FAILED</div></td>' in page
    assert page_table(page, "expectation").rows == [["databases.1.downtime_max_s", "0 s", "1 s", "FAILED"]]
    assert '<section class="verdict unmet"' in page
    assert "✘ 1 of 1 expectations unmet: <code>databases.1.downtime_max_s</code>: expected 0, got 1." in page


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


def test_a_live_run_draws_the_figures_its_replay_draws(tmp_path: Path) -> None:
    """The live run folds its figures as it goes (starting from the scenario's own t = 0 state)
    and a replay folds the log from its snapshot: every figure file is byte-identical. A crash,
    a failover and a migration make every kind of mark and window appear."""
    live = library("random-node-faults", tmp_path / "live", plots=True)
    replay_log(live.log, out=tmp_path / "replay", plots=True)
    figures = sorted(p.name for p in live.folder.iterdir() if p.suffix in (".png", ".svg"))
    assert len(figures) >= 8 and live.history.faults
    for name in figures:
        assert (live.folder / name).read_bytes() == (tmp_path / "replay" / name).read_bytes(), name


def test_a_saved_figure_is_discarded_with_its_pixel_buffer(tmp_path: Path) -> None:
    """A figure and its canvas are a reference cycle that a large run's rare collections keep for
    long: `discard_figure` drops the canvas's renderer (megabytes of pixels) at once."""
    figure = new_figure(4, 3)
    figure.add_subplot().plot([0, 1], [1, 0])
    save_figure(figure, tmp_path / "f")
    buffer = weakref.ref(figure.canvas.renderer)  # type: ignore[attr-defined]
    gc.disable()
    try:
        discard_figure(figure)
        assert buffer() is None and not figure.axes
    finally:
        gc.enable()
