"""The verdict box that leads report.html, and the explanation drawn as lists: built from a
summary alone, so the cases are written out here."""
from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from sim.plots.verdict import ACTIONS_LISTED, NAMED, action_outcome, explanation_html, verdict_box


def _database(**figures: Any) -> dict[str, Any]:
    base = {"availability": 1.0, "downtime_s": 0.0, "request_availability": 1.0, "failed_requests": 0.0,
            "longest_outage_s": 0.0, "keys_lost": 0, "bytes_lost": 0, "writes_lost": 0.0}
    return {**base, **figures}


def _action(uid: str, status: str, ended: float | None, error: str | None = None, bdb: int = 1) -> dict[str, Any]:
    state = {"completed": "completed", "failed": "prepare"}.get(status, "wait_for_version")
    return {"action_uid": uid, "bdb": bdb, "name": "SMUpgradeBDB", "status": status, "state": state,
            "progress": 100 if status == "completed" else 40, "error": error, "accepted_at": 10.0, "ended_at": ended}


SUMMARY: dict[str, Any] = {
    "responses": [{"status": 200, "error_code": None}],
    "actions": [_action("a1", "completed", 42.0)],
    "databases": {"1": _database(), "2": _database()},
    "expectations": [{"what": "databases.1.downtime_max_s", "expected": 2, "actual": 0.0, "ok": True}],
}


def _items(box: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", box)]


def test_a_quiet_run() -> None:
    """Every expectation met, the action completed 32 s after acceptance (10 → 42), no outage, no loss."""
    box = verdict_box(SUMMARY)
    assert box.startswith('<section class="verdict met"') and "✔ All 1 expectations met." in box
    assert _items(box) == [
        "Action a1 (SMUpgradeBDB) on database 1: completed at t=42 (accepted at t=10, 32 s).",
        "No outage: every hash slot of every database was served throughout the window.",
        "No data lost: no key and no acknowledged write."]


def test_the_worst_outage_and_every_loss() -> None:
    """The longest outage wins (database 2's 30 s over database 1's 5 s, though 1 has more downtime);
    losses are named per database with keys, their bytes and writes; rejected requests are counted."""
    summary = copy.deepcopy(SUMMARY)
    summary["databases"]["1"] = _database(longest_outage_s=5.0, downtime_s=40.0, availability=0.9, writes_lost=1250.0,
                                          failed_requests=2556250.0)
    summary["databases"]["2"] = _database(longest_outage_s=30.0, downtime_s=30.0, availability=0.95, keys_lost=1_000_000,
                                          bytes_lost=10**9, failed_requests=1.0)
    summary["responses"].append({"status": 409, "error_code": "db_busy"})
    items = _items(verdict_box(summary))
    assert items[1:] == [
        "Worst outage: database 2, 30 s in one stretch; 30 s of downtime in all (availability 95 %, 1 failed request).",
        "Data lost from database 1: 1,250 acknowledged writes.",
        "Data lost from database 2: 1,000,000 keys (1 GB).",
        "1 of 2 requests rejected: 409 db_busy."]


def test_a_failed_action_says_why() -> None:
    """A failed action: its time, vendor state and reason, marked as bad."""
    summary = copy.deepcopy(SUMMARY)
    summary["actions"] = [_action("a9", "failed", 20.0, "shard 1 died with node 1 at t=20")]
    box = verdict_box(summary)
    assert ('<span class="bad">Action a9 (SMUpgradeBDB) on database 1: FAILED at t=20 in state prepare (accepted at '
            't=10): shard 1 died with node 1 at t=20.</span>') in box


def test_an_action_still_running_at_the_end() -> None:
    """An action the window cut short says so, with its state and progress."""
    assert action_outcome(_action("a2", "active", None)) == (
        "Action a2 (SMUpgradeBDB) on database 1: still active at the window's end, in state wait_for_version, "
        "40 % done (accepted at t=10).")


def test_many_actions_are_counted_and_the_failed_named() -> None:
    """Beyond ACTIONS_LISTED actions the verdict counts them by status and names each failed one (up
    to NAMED, then how many more)."""
    summary = copy.deepcopy(SUMMARY)
    failed = NAMED + 2
    summary["actions"] = ([_action(f"ok{i}", "completed", 42.0, bdb=i) for i in range(ACTIONS_LISTED)]
                          + [_action(f"bad{i}", "failed", 20.0, f"reason {i}", bdb=i) for i in range(failed)])
    items = _items(verdict_box(summary))
    assert items[0] == f"{ACTIONS_LISTED + failed} actions: {ACTIONS_LISTED} completed, {failed} failed."
    assert [i for i in items if "FAILED" in i] == [
        f"Action bad{i} (SMUpgradeBDB) on database {i}: FAILED at t=20 in state prepare (accepted at t=10): reason {i}."
        for i in range(NAMED)]
    assert "and 2 more failed actions (see Actions)." in items


@pytest.mark.parametrize("expectations, kind, headline", [
    (None, "none", "Expectations not evaluated: this is a replay (a log does not carry them)."),
    ([], "none", "The scenario states no expectations."),
    ([{"what": "databases.1.keys_lost_max", "expected": 0, "actual": 2000000, "ok": False},
      {"what": "databases.1.status", "expected": "active", "actual": "active", "ok": True}], "unmet",
     "✘ 1 of 2 expectations unmet: <code>databases.1.keys_lost_max</code>: expected 0, got 2,000,000."),
])
def test_the_headline_names_unmet_expectations(expectations: Any, kind: str, headline: str) -> None:
    """A replay, no expectations, or an unmet one (named, with its figures in human form)."""
    summary = {**SUMMARY, "expectations": expectations}
    box = verdict_box(summary)
    assert box.startswith(f'<section class="verdict {kind}"') and f'<p class="headline">{headline}</p>' in box


def test_no_action_at_all() -> None:
    """A run without an accepted request says no action was started."""
    assert "No upgrade action was started." in _items(verdict_box({**SUMMARY, "actions": []}))


def test_the_explanation_as_lists() -> None:
    """A heading per database with something to tell, an item per line (outage, loss, failed action
    labelled); databases with nothing to tell share one line; text is escaped."""
    lines = ["database 1 (orders):", "  outage: t=20-105 (85 s) pair 0: <crash>", "  loss: t=105: 10 writes",
             "  action a9 (SMUpgradeBDB) failed at t=20 in state prepare: why", "database 2 (carts):",
             "  no outage and no loss", "database 3 (x):", "  no outage and no loss"]
    assert explanation_html(lines) == (
        '<h3>database 1 (orders)</h3><ul class="why"><li><b>outage</b> t=20-105 (85 s) pair 0: &lt;crash&gt;</li>'
        "<li><b>loss</b> t=105: 10 writes</li>"
        '<li class="bad"><b>failed action</b> a9 (SMUpgradeBDB) failed at t=20 in state prepare: why</li></ul>'
        "<p>No outage and no loss: database 2 (carts), database 3 (x).</p>")
    assert explanation_html([]) == "<p>Nothing to explain: no outage, no loss, no failed action.</p>"
