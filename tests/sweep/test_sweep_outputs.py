"""The sweep's outputs: flat result rows, the CSV table, the verdict (mean, p95, worst) computed
by hand on small tables, and the comparison plots."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.run import run_scenario
from sim.scenario import load_scenario
from sim.sweep import csv_text, result_row, verdict_text, verdicts

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _row(strategy: str, seed: int, downtime: float, **figures: Any) -> dict[str, Any]:
    row = {"strategy": strategy, "seed": seed, "expectations_unmet": 0, "response1.status": 200,
           "db1.availability": 1 - downtime / 100, "db1.downtime_s": downtime, "db1.longest_outage_s": downtime,
           "db1.keys_lost": 0, "db1.bytes_lost": 0, "db1.writes_lost": 0.0, "db1.failovers.unplanned": 0,
           "db1.upgrade_duration_s": 30.0, "db1.roles_preserved": True, "db1.status": "active"}
    row.update({k if k in ("expectations_unmet", "response1.status") else f"db1.{k}": v for k, v in figures.items()})
    return row


def _table() -> list[dict[str, Any]]:
    """Strategy A: 20 runs, downtime 1..20 s (two without a completed upgrade, one losing writes);
    strategy B: one run that lost keys and had its request rejected."""
    rows = [_row("A", i, float(i)) for i in range(1, 21)]
    rows[0]["db1.upgrade_duration_s"] = rows[1]["db1.upgrade_duration_s"] = None
    rows[5]["db1.writes_lost"] = 300.0
    rows.append(_row("B", 1, 0.0, keys_lost=10, bytes_lost=1000, upgrade_duration_s=None, roles_preserved=False,
                     status="active-change-pending", expectations_unmet=2, **{"response1.status": 406}))
    return rows


def test_mean_p95_and_worst_by_hand() -> None:
    """Downtime 1..20: mean 10.5, p95 (nearest rank 19 of 20) 19, worst 20; availability the mirror image."""
    a, b = verdicts(_table())
    assert (a["strategy"], a["runs"], a["seeds"], b["runs"]) == ("A", 20, [1, 20], 1)
    db = a["databases"]["1"]
    assert db["downtime_s"] == {"mean": 10.5, "p95": 19.0, "worst": 20.0}
    assert db["availability"] == {"mean": 0.895, "p95": pytest.approx(0.81), "worst": pytest.approx(0.80)}
    assert db["upgrade_duration_s"] == {"mean": 30.0, "p95": 30.0, "worst": 30.0}  # the 18 completed runs
    assert db["writes_lost"] == {"mean": 15.0, "p95": 0.0, "worst": 300.0}
    assert db["counts"] == {"upgrade_completed": 18, "roles_preserved": 20, "data_lost": 1, "unplanned_failovers": 0,
                            "not_active": 0, "request_rejected": 0, "expectations_unmet": 0}
    assert b["databases"]["1"]["upgrade_duration_s"] == {"mean": None, "p95": None, "worst": None}
    assert b["databases"]["1"]["counts"] == {"upgrade_completed": 0, "roles_preserved": 0, "data_lost": 1,
                                             "unplanned_failovers": 0, "not_active": 1, "request_rejected": 1,
                                             "expectations_unmet": 1}


def test_the_verdict_text_ranks_first_and_details_after() -> None:
    """A header and one ranking table first (default objective: keys lost, writes lost, downtime,
    imbalance — B lost keys, so A ranks first), then a block per strategy with its figures."""
    text = verdict_text("demo", verdicts(_table()))
    lines = text.splitlines()
    assert lines[0] == "Sweep of demo: 2 strategies, 21 runs (seeds 1..20)"
    assert lines[1].startswith("ranked by keys_lost mean, then writes_lost mean, then downtime_s mean")
    table = lines[3:6]
    assert table[0].split()[:4] == ["rank", "strategy", "keys_lost", "mean"]
    # A: keys 0, writes 300/20 = 15, downtime 10.5, imbalance -, downtime p95 19; data lost in 1 of 20 runs
    assert table[1].split() == ["1", "A", "0", "15", "10.5", "-", "19", "-", "1/20", "0/20"]
    assert table[2].split() == ["2", "B", "10", "0", "0", "-", "0", "-", "1/1", "1/1"]
    assert lines[6:8] == ["", "Details"]
    assert text.index("A  (rank 1; 20 runs)") < text.index("B  (rank 2; 1 run)")
    assert any(line.split() == ["downtime_s", "10.5", "19", "20"] for line in lines)
    assert any(line.split() == ["upgrade_duration_s", "-", "-", "-"] for line in lines)


def test_csv_has_every_column_and_plain_cells() -> None:
    """Columns are the union in first-seen order; true/false, empty for none, floats in full."""
    rows = [{"a": True, "b": None, "c": 0.1}, {"a": False, "d": 2, "c": 1 / 3}]
    assert csv_text(rows) == "a,b,c,d\ntrue,,0.1,\nfalse,,0.3333333333333333,2\n"


def test_a_row_flattens_the_whole_summary() -> None:
    """The SPEC worked example as a row: strategy, seed, every figure under dbUID.… and the response."""
    summary = run_scenario(load_scenario(SCENARIOS / "preserve-roles.yaml"), plots=False).summary
    row = result_row((("preserve_roles", "true"),), summary)
    assert list(row)[:8] == ["preserve_roles", "strategy", "seed", "window_s", "events", "expectations_unmet",
                             "responses.0.status", "responses.0.error_code"]  # numbered from 0, as expectations
    assert (row["preserve_roles"], row["strategy"], row["seed"], row["window_s"]) == (
        "true", "preserve_roles=true", 7, 600.0)
    assert (row["responses.0.status"], row["responses.0.error_code"], row["expectations_unmet"]) == (200, None, 0)
    assert row["db1.imbalance"] == 0  # roles preserved: masters where they were
    assert (row["db1.availability"], row["db1.downtime_s"], row["db1.upgrade_duration_s"]) == (0.996667, 2.0, 32.0)
    assert (row["db1.failovers.planned"], row["db1.failovers.unplanned"], row["db1.roles_preserved"]) == (2, 0, True)
    assert (row["db1.masters_per_node.after.1"], row["db1.masters_per_node.after.2"]) == (1, 0)
    assert (row["db1.module_versions.ReJSON"], row["db1.status"]) == ("2.2.2", "active")
    figures = summary["databases"]["1"]
    assert {k for k in row if k.startswith("db1.")} >= {f"db1.{k}" for k, v in figures.items() if not isinstance(v, dict)}


def test_plots_are_written_even_for_a_strategy_without_values(tmp_path: Path) -> None:
    """Both figures in PNG and SVG; a strategy whose upgrade never completed is drawn as 'no value'."""
    from sim.plots.sweep_plots import write_sweep_plots

    paths = write_sweep_plots(tmp_path, _table(), "1")
    assert sorted(p.name for p in paths) == ["distributions-db1.png", "distributions-db1.svg",
                                             "tradeoff-db1.png", "tradeoff-db1.svg"]
    svg = (tmp_path / "distributions-db1.svg").read_text()
    assert "no value" in svg and "<dc:date>" not in svg
    assert "3 of 21 runs without a completed upgrade" in (tmp_path / "tradeoff-db1.svg").read_text()


def _drawn(rows: list[dict[str, Any]]) -> list[tuple[float, float, str]]:
    """Every point of the trade-off figure of `rows`: (x, y, marker: o kept data, X lost some)."""
    from sim.plots.sweep_plots import _tradeoff

    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["strategy"], []).append(row)
    points = []
    for collection in _tradeoff(groups, "db1.", "1").axes[0].collections:
        marker = "X" if collection.get_edgecolor().size and collection.get_edgecolor()[0][3] > 0 else "o"
        points += [(float(x), float(y), marker) for x, y in collection.get_offsets()]
    return points


def test_the_tradeoff_figure_draws_every_run_and_marks_losses() -> None:
    """21 runs, 21 points: the 18 completed at their duration (30 s), the 3 without a completed upgrade
    in the strip right of the longest duration; the two losing runs (A's 300 writes, B's keys) as crosses."""
    points = _drawn(_table())
    assert len(points) == 21
    completed = [p for p in points if p[0] == 30.0]
    strip = [p for p in points if p[0] != 30.0]
    assert len(completed) == 18 and len(strip) == 3 and all(x > 30.0 for x, _, _ in strip)
    assert sorted(y for _, y, m in points if m == "X") == [0.0, 6.0]


def test_the_tradeoff_figure_is_not_empty_when_no_upgrade_completes() -> None:
    """Every upgrade failed: every run is still a point (downtime 1..5 s), none at a made-up duration 0."""
    rows = [_row("A", i, float(i), upgrade_duration_s=None) for i in range(1, 6)]
    points = _drawn(rows)
    assert sorted(y for _, y, _ in points) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert all(x > 0.5 for x, _, _ in points)


def test_a_run_without_figures_is_not_drawn_at_zero_and_an_instant_upgrade_counts_as_completed() -> None:
    """A crashed run (no downtime) is left out and named in the title, never drawn as 0 s of downtime;
    an upgrade completed in 0 s is a completed one (the title does not say none completed)."""
    from sim.plots.sweep_plots import _tradeoff

    rows = [_row("A", 1, 2.0, upgrade_duration_s=0.0), _row("A", 2, 3.0, upgrade_duration_s=None),
            _row("A", 3, 1.0, downtime_s=None)]
    assert sorted(y for _, y, _ in _drawn(rows)) == [2.0, 3.0]
    title = _tradeoff({"A": rows}, "db1.", "1").axes[0].get_title()
    assert "1 of 3 runs without a completed upgrade" in title and "1 runs without figures" in title
    assert "no upgrade completed" not in title


def test_a_row_counts_every_unmet_expectation() -> None:
    """`expectations_unmet` is how many of the run's expectations failed: here two of three."""
    summary = {"seed": 1, "duration": 10.0, "events": 3, "responses": [], "databases": {},
               "expectations": [{"what": "a", "ok": False}, {"what": "b", "ok": True}, {"what": "c", "ok": False}]}
    assert result_row((), summary)["expectations_unmet"] == 2
