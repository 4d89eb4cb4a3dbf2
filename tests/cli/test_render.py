"""What the terminal shows (`sim.cli.render`): numbers as integers with thousands separated and
never in scientific notation, and a failed action's reason below the summary table."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.cli.render import cell, failed_actions, summary_table, table

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, text", [
    (2556250.0, "2,556,250"),   # :g printed 2.55625e+06
    (1250.0, "1,250"),          # not 1,250.0
    (1_000_000, "1,000,000"),
    (85.0, "85"),
    (0.993333, "0.993333"),
    (2.833129882, "2.83313"),
    (1e-7, "0.0000001"),
    (None, "-"),
    (True, "yes"),
    (False, "no"),
    ("active", "active"),
    ({"ReJSON": "2.2.2"}, '{"ReJSON":"2.2.2"}'),
])
def test_cells(value: object, text: str) -> None:
    """A table cell: whole numbers as integers, thousands separated, no exponent."""
    assert cell(value) == text


def test_a_table_aligns_formatted_cells() -> None:
    """Columns are as wide as their widest formatted cell (`2,556,250` is 9 characters)."""
    assert table(("db", "failed_requests"), [("1", 2556250.0), ("2", 0.5)]).splitlines() == [
        "db  failed_requests", "--  ---------------", "1   2,556,250", "2   0.5"]


def _summary(actions: list[dict[str, object]]) -> dict[str, object]:
    figures = {"availability": 0.716667, "downtime_s": 85.0, "failed_requests": 2556250.0, "longest_outage_s": 85.0,
               "keys_lost": 0, "writes_lost": 10000.0, "failovers": {"planned": 0, "unplanned": 0},
               "upgrade_duration_s": None, "roles_preserved": False, "status": "active-change-pending"}
    return {"databases": {"1": figures}, "actions": actions}


FAILED = {"action_uid": "a9", "bdb": 1, "name": "SMUpgradeBDB", "status": "failed", "state": "prepare",
          "progress": 15, "error": "shard 1 died with node 1 at t=20", "accepted_at": 10.0, "ended_at": 20.0}


def test_the_summary_table_then_each_failed_action() -> None:
    """Figures as integers where whole; below the table, one line per failed action with its reason."""
    lines = summary_table(_summary([FAILED, {**FAILED, "action_uid": "a8", "status": "completed", "error": None}]))
    assert lines.splitlines()[2].split() == ["1", "0.716667", "85", "2,556,250", "85", "0", "10,000", "0+0", "-", "no",
                                             "active-change-pending"]
    assert lines.splitlines()[3:] == [
        "action a9 (SMUpgradeBDB) on database 1 failed at t=20 in state prepare: shard 1 died with node 1 at t=20"]
    assert "e+" not in lines


def test_no_failed_action_no_line() -> None:
    """Without a failed action (or without `actions`, an older summary) the table stands alone."""
    assert failed_actions(_summary([])) == [] and failed_actions({"databases": {}}) == []
    assert len(summary_table(_summary([])).splitlines()) == 3


def test_run_prints_why_the_action_failed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`upgrade-sim run scenarios/vulnerability-aof.yaml`: 85,000 failed requests (1,000 writes/s × 85 s),
    10,000 writes lost, and the action's failure at t=20 with its reason, under the table."""
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "scenarios" / "vulnerability-aof.yaml"), "--out", str(out), "--no-plots"]) == 0
    printed = capsys.readouterr().out
    (action,) = json.loads((out / "summary.json").read_text())["actions"]
    assert " 85,000 " in printed and " 10,000 " in printed and "10000" not in printed
    assert (f"action {action['action_uid']} (SMUpgradeBDB) on database 1 failed at t=20 in state prepare: "
            "shard 1 died with node 1 at t=20") in printed
