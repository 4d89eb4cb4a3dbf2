"""The verdict of a sweep, as data: per strategy — over all its conditions and seeds — the
objective's statistics and its rank, the mean, p95 and worst of each figure per database, how
often data was lost or roles moved, and, per condition, the same objective and the worst one.

Statistics and the objective (`--rank-by`) are defined in `sim.sweep.objective`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sim.sweep.objective import (
    DEFAULT_RANK_BY, FIGURES, Term, databases_of, order_key, parse_terms, run_value, stats,
)
from sim.sweep.plan import AS_WRITTEN

__all__ = ["METRICS", "OVERALL", "verdicts", "databases_of", "groups", "plural", "default_terms"]

#: Figures per database in the details: (figure, True if higher is better).
METRICS: tuple[tuple[str, bool], ...] = tuple(
    (name, FIGURES[name][0]) for name in ("availability", "downtime_s", "longest_outage_s", "keys_lost",
                                           "writes_lost", "upgrade_duration_s", "imbalance"))
#: Figures of the whole run (databases combined) in the short table and per condition.
OVERALL = ("downtime_s", "imbalance", "keys_lost", "writes_lost")

Row = dict[str, Any]


def default_terms() -> tuple[Term, ...]:
    """The objective when none is given (`DEFAULT_RANK_BY`)."""
    return parse_terms("--rank-by", DEFAULT_RANK_BY)


def groups(rows: Sequence[Row], column: str = "strategy") -> dict[str, list[Row]]:
    """Rows by strategy (or another column), in the order they first appear."""
    found: dict[str, list[Row]] = {}
    for row in rows:
        found.setdefault(row.get(column, AS_WRITTEN), []).append(row)
    return found


def verdicts(rows: Sequence[Row], rank_by: Sequence[Term] | None = None) -> list[dict[str, Any]]:
    """One record per strategy, in grid order, each with its `rank` by the objective (ties: grid order)."""
    terms = tuple(rank_by or default_terms())
    databases = databases_of(rows)
    records = [_record(label, runs, terms, databases) for label, runs in groups(rows).items()]
    ranked = sorted(range(len(records)), key=lambda i: order_key(list(records[i]["objective"].values()), terms))
    for rank, i in enumerate(ranked, start=1):
        records[i]["rank"] = rank
    return records


def _objective(runs: list[Row], terms: Sequence[Term], databases: list[str]) -> dict[str, float | None]:
    return {t.text: stats([run_value(r, t, databases) for r in runs], t.better_high)[t.stat] for t in terms}


def _overall(runs: list[Row], databases: list[str]) -> dict[str, dict[str, float | None]]:
    return {name: stats([run_value(r, Term(None, name, "mean"), databases) for r in runs], FIGURES[name][0])
            for name in OVERALL}


def _record(label: str, runs: list[Row], terms: Sequence[Term], databases: list[str]) -> dict[str, Any]:
    seeds = [r["seed"] for r in runs]
    record: dict[str, Any] = {
        "strategy": label, "runs": len(runs), "seeds": [min(seeds), max(seeds)], "rank": 0,
        "objective": _objective(runs, terms, databases), "overall": _overall(runs, databases),
        "data_lost": sum(1 for r in runs if any(_lost(r, f"db{uid}.") for uid in databases)),
        "expectations_unmet": sum(1 for r in runs if r["expectations_unmet"] > 0),
        "databases": {uid: _database(runs, f"db{uid}.") for uid in databases},
        "conditions": [], "worst_condition": None,
    }
    if any("condition" in r for r in runs):
        record["conditions"] = [
            {"condition": condition, "runs": len(part), "objective": _objective(part, terms, databases),
             "overall": _overall(part, databases),
             "expectations_unmet": sum(1 for r in part if r["expectations_unmet"] > 0)}
            for condition, part in groups(runs, "condition").items()]
        worst = max(record["conditions"], key=lambda c: order_key(list(c["objective"].values()), terms))
        record["worst_condition"] = worst["condition"]
    return record


def _lost(row: Row, prefix: str) -> bool:
    return bool(row.get(prefix + "keys_lost") or row.get(prefix + "bytes_lost") or row.get(prefix + "writes_lost"))


def _database(runs: list[Row], prefix: str) -> dict[str, Any]:
    record: dict[str, Any] = {name: stats([_float(r.get(prefix + name)) for r in runs], better_high)
                              for name, better_high in METRICS}
    record["counts"] = _counts(runs, prefix)
    return record


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _counts(runs: list[Row], prefix: str) -> dict[str, int]:
    """How many runs completed the upgrade, kept the roles, lost data, and so on."""
    def count(test: Callable[[Row], bool]) -> int:
        return sum(1 for r in runs if test(r))

    return {
        "upgrade_completed": count(lambda r: r.get(prefix + "upgrade_duration_s") is not None),
        "roles_preserved": count(lambda r: r.get(prefix + "roles_preserved") is True),
        "data_lost": count(lambda r: _lost(r, prefix)),
        "unplanned_failovers": count(lambda r: bool(r.get(prefix + "failovers.unplanned"))),
        "not_active": count(lambda r: r.get(prefix + "status") != "active"),
        "request_rejected": count(lambda r: any(k.startswith("response") and k.endswith(".status")
                                                and (v or 0) >= 400 for k, v in r.items())),
        "expectations_unmet": count(lambda r: r["expectations_unmet"] > 0),
    }


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 run`, `2 runs`."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"
