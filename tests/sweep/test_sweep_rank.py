"""The verdict's question (issue 20): strategies ranked over all conditions and seeds by a stated,
lexicographic objective; each one's worst condition; the master imbalance; bounds on statistics
(`--fail-on`); the worst run and the command that reproduces it — all on tables computed by hand."""
from __future__ import annotations

from typing import Any

import pytest

from sim.errors import InputError
from sim.sweep import evaluate, parse_bound, parse_terms, reproduce_command, verdict_text, verdicts, worst_run
from sim.sweep.gate import gate_junit
from sim.sweep.objective import Term, run_value
from sim.sweep.task import imbalance

S1, S2 = "preserve_roles=true", "preserve_roles=false"
C1, C2 = "timeline.1.at=20", "timeline.1.at=60"


def _row(strategy: str, condition: str, seed: int, downtime: float, writes: float = 0.0, balance: int = 0,
         **more: Any) -> dict[str, Any]:
    row = {"preserve_roles": strategy.split("=")[1], "timeline.1.at": condition.split("=")[1], "strategy": strategy,
           "condition": condition, "seed": seed, "expectations_unmet": 0, "db1.availability": 1 - downtime / 100,
           "db1.downtime_s": downtime, "db1.longest_outage_s": downtime, "db1.keys_lost": 0, "db1.bytes_lost": 0,
           "db1.writes_lost": writes, "db1.upgrade_duration_s": 30.0, "db1.imbalance": balance,
           "db1.roles_preserved": balance == 0, "db1.status": "active"}
    row.update(more)
    return row


def _rows() -> list[dict[str, Any]]:
    """S1 (preserve_roles): 2 s down, balanced, but 100 writes lost under C2 with seed 2.
    S2: 1 s down, nothing lost, masters piled up: imbalance 1 under C1, 2 under C2."""
    return [
        _row(S1, C1, 1, 2.0), _row(S1, C1, 2, 2.0), _row(S1, C2, 1, 2.0), _row(S1, C2, 2, 2.0, writes=100.0),
        _row(S2, C1, 1, 1.0, balance=1), _row(S2, C1, 2, 1.0, balance=1),
        _row(S2, C2, 1, 1.0, balance=2), _row(S2, C2, 2, 1.0, balance=2),
    ]


@pytest.mark.parametrize("rank_by, first, objective_s1", [
    # default: keys (0 = 0), writes: S1 100/4 = 25 > S2 0 -> S2 first
    (None, S2, {"keys_lost.mean": 0.0, "writes_lost.mean": 25.0, "downtime_s.mean": 2.0, "imbalance.mean": 0.0}),
    # downtime alone: S2 (1 < 2)
    ("downtime_s", S2, {"downtime_s.mean": 2.0}),
    # the master imbalance first: S1 (0 < 1.5)
    ("imbalance,downtime_s", S1, {"imbalance.mean": 0.0, "downtime_s.mean": 2.0}),
    # keys tie at 0, then the worst imbalance decides: S1 0 < S2 2
    ("keys_lost,imbalance.worst", S1, {"keys_lost.mean": 0.0, "imbalance.worst": 0.0}),
    # the p95 of writes (4 runs: nearest rank 4 -> 100 for S1, 0 for S2)
    ("db1.writes_lost.p95", S2, {"db1.writes_lost.p95": 100.0}),
    # availability is better high: S2 0.99 > S1 0.98
    ("availability.mean", S2, {"availability.mean": 0.98}),
])
def test_strategies_are_ranked_by_the_stated_objective(rank_by: str | None, first: str,
                                                       objective_s1: dict[str, float]) -> None:
    """Lexicographic: the first figure decides, the next breaks its ties; ranks 1 and 2, grid order kept."""
    terms = parse_terms("--rank-by", rank_by) if rank_by else None
    s1, s2 = verdicts(_rows(), terms)
    assert (s1["strategy"], s2["strategy"]) == (S1, S2)
    assert {r["strategy"]: r["rank"] for r in (s1, s2)}[first] == 1
    assert s1["objective"] == objective_s1


def test_each_strategy_names_its_worst_condition() -> None:
    """S1's worst is C2 (writes mean 50 against 0); S2's is C2 too (imbalance 2 against 1, the rest tied)."""
    s1, s2 = verdicts(_rows())
    assert (s1["worst_condition"], s2["worst_condition"]) == (C2, C2)
    assert [(c["condition"], c["runs"], c["objective"]["writes_lost.mean"]) for c in s1["conditions"]] == [
        (C1, 2, 0.0), (C2, 2, 50.0)]
    assert s2["overall"]["imbalance"] == {"mean": 1.5, "p95": 2.0, "worst": 2.0}
    assert (s1["data_lost"], s2["data_lost"]) == (1, 0)


def test_the_verdict_starts_with_one_short_table() -> None:
    """Header, the objective, the ranking table (downtime and imbalance beside each other, the worst
    condition), then the details with a table per condition."""
    text = verdict_text("demo", verdicts(_rows()), None, {"strategy": ["preserve_roles"],
                                                          "condition": ["timeline.1.at"]})
    lines = text.splitlines()
    assert lines[:4] == ["Sweep of demo: 2 strategies x 2 conditions x 2 seeds = 8 runs (seeds 1..2)",
                         "strategy keys: preserve_roles", "condition keys: timeline.1.at",
                         "ranked by keys_lost mean, then writes_lost mean, then downtime_s mean, then imbalance mean "
                         "(better first; each breaks the ties of the one before)"]
    header = lines[5]
    assert header.index("downtime_s mean") < header.index("imbalance mean") < header.index("downtime_s p95")
    assert lines[6].split() == ["1", S2, "0", "0", "1", "1.5", "1", "2", "0/4", "0/4", C2]
    assert lines[7].split() == ["2", S1, "0", "25", "2", "0", "2", "0", "1/4", "0/4", C2]
    assert lines[8:10] == ["", "Details"]
    assert f"    {C2} (worst)" in text


@pytest.mark.parametrize("masters, expected", [
    ({"before": {"1": 1, "2": 1, "3": 1}, "after": {"1": 1, "2": 1, "3": 1}}, 0),   # roles preserved
    ({"before": {"1": 1, "2": 1, "3": 1}, "after": {"1": 2, "2": 1, "3": 0}}, 1),   # one master moved onto node 1
    ({"before": {"1": 1, "2": 1, "3": 1}, "after": {"1": 3, "2": 0, "3": 0}}, 2),   # all on node 1: 3 - 1
    ({"before": {"1": 2, "2": 0}, "after": {"1": 1, "2": 1}}, 0),                   # better than at t=0: not below 0
    ({"before": {"1": 2, "2": 2}, "after": {"1": 4, "2": 0}}, 2),
    ({}, 0),
])
def test_imbalance_counts_masters_piled_on_the_busiest_node(masters: dict[str, dict[str, int]],
                                                            expected: int) -> None:
    """Masters on the busiest node at the end minus on the busiest at t = 0, never below 0."""
    assert imbalance(masters) == expected


@pytest.mark.parametrize("term, value", [
    (Term(None, "downtime_s", "mean"), 5.0),          # 2 + 3
    (Term(None, "availability", "mean"), 0.97),       # the worse of 0.98 and 0.97
    (Term(None, "longest_outage_s", "mean"), 3.0),    # the longer
    (Term(None, "upgrade_duration_s", "mean"), 30.0),  # the longer of those that completed (db2: none)
    (Term("2", "downtime_s", "mean"), 3.0),
    (Term("2", "upgrade_duration_s", "mean"), None),
    (Term(None, "expectations_unmet", "mean"), 2.0),
])
def test_a_run_figure_combines_its_databases(term: Term, value: float | None) -> None:
    """Sums for losses and times, the minimum availability, the maximum of outages and durations."""
    row = _row(S1, C1, 1, 2.0, expectations_unmet=2, **{"db2.availability": 0.97, "db2.downtime_s": 3.0,
                                                        "db2.longest_outage_s": 3.0, "db2.upgrade_duration_s": None})
    assert run_value(row, term, ["1", "2"]) == (pytest.approx(value) if value is not None else None)


@pytest.mark.parametrize("text, fragment", [
    ("downtime_s,nonsense", "--rank-by nonsense: unknown figure 'nonsense'"),
    ("downtime_s,downtime_s.mean", "a figure is named twice"),
    ("db1.expectations_unmet", "is a figure of the run, not of a database"),
    (",", "name at least one figure"),
])
def test_bad_objectives_are_named(text: str, fragment: str) -> None:
    """An unknown or repeated figure is one InputError."""
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        parse_terms("--rank-by", text)


@pytest.mark.parametrize("text, normalised", [
    ("db1.downtime_s.p95>30", "db1.downtime_s.p95>30"),
    (" db1.availability.worst < 0.99 ", "db1.availability.worst<0.99"),
    ("keys_lost.worst>=1", "keys_lost.worst>=1"),
    ("expectations_unmet.worst>0", "expectations_unmet.worst>0"),
])
def test_bounds_parse(text: str, normalised: str) -> None:
    """`[dbUID.]FIGURE.STAT OP NUMBER`."""
    assert parse_bound(text).text == normalised


@pytest.mark.parametrize("text, fragment", [
    ("db1.downtime_s>30", "name the statistic"),
    ("db1.downtime_s.p95", "write FIGURE.STAT>NUMBER"),
    ("db1.downtime_s.p95 = 30", "write FIGURE.STAT>NUMBER"),
    ("db1.downtime_s.p95>nan", "is not a finite number"),
    ("db1.downtime_s.p95>lots", "is not a finite number"),
    ("db1.uptime.p95>1", "unknown figure 'uptime'"),
])
def test_bad_bounds_are_named(text: str, fragment: str) -> None:
    """One InputError naming --fail-on and the bound."""
    with pytest.raises(InputError) as error:
        parse_bound(text)
    assert str(error.value).startswith("--fail-on ") and fragment in str(error.value)


@pytest.mark.parametrize("bound, failed", [
    ("db1.downtime_s.p95>1.5", {S1: True, S2: False}),     # p95 2 and 1
    ("db1.downtime_s.p95>=1", {S1: True, S2: True}),
    ("db1.writes_lost.worst>0", {S1: True, S2: False}),   # S1 lost 100 once
    ("db1.writes_lost.mean>30", {S1: False, S2: False}),  # 25 and 0
    ("db1.availability.p95<0.985", {S1: True, S2: False}),  # 0.98 and 0.99
    ("imbalance.worst>1", {S1: False, S2: True}),
    ("db1.upgrade_duration_s.worst>40", {S1: False, S2: False}),
    ("db1.downtime_s.worst<=1", {S1: False, S2: True}),    # worst 2 and 1: "<=" takes the equal one
])
def test_a_bound_fails_a_strategy_whose_statistic_crosses_it(bound: str, failed: dict[str, bool]) -> None:
    """Per strategy, over all its conditions and seeds."""
    results = evaluate([parse_bound(bound)], _rows())
    assert {r.strategy: r.failed for r in results} == failed
    assert all(r.runs == 4 for r in results)


def test_a_statistic_without_a_value_fails_the_bound() -> None:
    """No run completed the upgrade: its duration has no value, and nothing shows the bound holds."""
    rows = [{**r, "db1.upgrade_duration_s": None} for r in _rows()]
    results = evaluate([parse_bound("db1.upgrade_duration_s.worst>1000")], rows)
    assert [(r.value, r.failed) for r in results] == [(None, True), (None, True)]


def test_the_worst_run_and_the_command_that_reproduces_it() -> None:
    """By the default objective the worst run is S1 under C2 with seed 2 (100 writes lost); its
    command sets every varied key, strategy keys first, values as typed, quoted for the shell."""
    rows = _rows()
    index = worst_run(rows, parse_terms("--rank-by", "keys_lost,writes_lost,downtime_s,imbalance"))
    assert index == 3
    assert reproduce_command("my plan.yaml", rows[index], ["preserve_roles", "timeline.1.at"], "t.yaml") == (
        "upgrade-sim run 'my plan.yaml' --seed 2 --set preserve_roles=true --set timeline.1.at=60 --timing t.yaml")
    # by downtime alone every S1 run ties at 2 s: the first in grid order
    assert worst_run(rows, parse_terms("--rank-by", "downtime_s")) == 0


def test_a_runs_upgrade_duration_is_its_longest_databases() -> None:
    """Durations combine by the maximum (the run's upgrades end when the longest does), not the sum."""
    row = _row(S1, C1, 1, 2.0, **{"db2.availability": 1.0, "db2.downtime_s": 0.0, "db2.longest_outage_s": 0.0,
                                  "db2.upgrade_duration_s": 45.0})
    assert run_value(row, Term(None, "upgrade_duration_s", "mean"), ["1", "2"]) == 45.0


def test_a_strategy_without_a_value_ranks_last() -> None:
    """By upgrade duration, S2 never completed (no value): S1 (30 s) ranks first."""
    rows = [r if r["strategy"] == S1 else {**r, "db1.upgrade_duration_s": None} for r in _rows()]
    s1, s2 = verdicts(rows, parse_terms("--rank-by", "upgrade_duration_s"))
    assert (s1["rank"], s2["rank"]) == (1, 2)


def test_the_verdict_counts_the_runs_that_missed_an_expectation() -> None:
    """`unmet` counts runs with one or more unmet expectations: S1's one run with 1 unmet counts."""
    rows = [{**r, "expectations_unmet": 1} if (r["strategy"], r["seed"], r["condition"]) == (S1, 1, C1) else r
            for r in _rows()]
    s1, s2 = verdicts(rows, None)
    assert (s1["expectations_unmet"], s2["expectations_unmet"]) == (1, 0)


def test_the_gate_names_the_worst_run_and_counts_its_failures() -> None:
    """The worst run for `db1.writes_lost` is S1's under C2, seed 2 (100 writes); the JUnit suite
    counts each failed bound-and-strategy."""
    results = evaluate([parse_bound("db1.writes_lost.worst>0"), parse_bound("db1.downtime_s.worst>=1")], _rows())
    worst = next(r for r in results if r.strategy == S1 and r.bound.term.figure == "writes_lost").worst
    assert (worst["condition"], worst["seed"], worst["db1.writes_lost"]) == (C2, 2, 100.0)
    suite = gate_junit("plan", results, lambda r: r.strategy).find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("4", "3")   # S1 twice, S2 on downtime
