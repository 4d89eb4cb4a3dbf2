"""Figures and statistics of a sweep: `[dbUID.]FIGURE[.STAT]` terms, as `--rank-by` and
`--fail-on` name them, read from the results rows.

A figure without a database combines the run's databases (ours): availabilities by their
minimum (the worst database), `longest_outage_s` and `upgrade_duration_s` by their maximum
(among databases that have one), every other figure by its sum. `expectations_unmet` is the
run's own count. Statistics over runs: `mean`, `p95` — the nearest-rank 95th percentile on
the bad side, the value 95 % of the runs do at least as well as (for availability, where
higher is better, the 5th percentile) — and `worst`. Runs without a value (an upgrade that
never completed has no duration) are left out; a statistic of no value is None.

`--rank-by` is lexicographic (ours): strategies are ordered by the first term, ties broken by
the next, and so on; each term better first, None last.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError
from sim.metrics.summary import ROUND

__all__ = ["FIGURES", "STATS", "Term", "parse_terms", "parse_term", "run_value", "stats", "order_key",
           "databases_of", "DEFAULT_RANK_BY"]

#: figure → (higher is better, how databases combine).
FIGURES: dict[str, tuple[bool, str]] = {
    "availability": (True, "min"), "request_availability": (True, "min"), "downtime_s": (False, "sum"),
    "failed_requests": (False, "sum"), "longest_outage_s": (False, "max"), "keys_lost": (False, "sum"),
    "bytes_lost": (False, "sum"), "writes_lost": (False, "sum"), "upgrade_duration_s": (False, "max"),
    "imbalance": (False, "sum"), "failovers.planned": (False, "sum"), "failovers.unplanned": (False, "sum"),
    "expectations_unmet": (False, "run"),
}
STATS = ("mean", "p95", "worst")
#: The objective when `--rank-by` is not given: data first, then downtime, then balance.
DEFAULT_RANK_BY = "keys_lost,writes_lost,downtime_s,imbalance"

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Term:
    """A figure (of one database, or of the run), and a statistic over runs."""

    database: str | None
    figure: str
    stat: str

    @property
    def better_high(self) -> bool:
        """True when a higher value is better (availability)."""
        return FIGURES[self.figure][0]

    @property
    def column(self) -> str:
        """The figure as named (`db1.downtime_s`, or `downtime_s` for the run)."""
        return f"db{self.database}.{self.figure}" if self.database else self.figure

    @property
    def text(self) -> str:
        """The term as written in full (`db1.downtime_s.p95`)."""
        return f"{self.column}.{self.stat}"


def parse_term(option: str, text: str, default_stat: str | None) -> Term:
    """`[dbUID.]FIGURE[.STAT]`; without STAT, `default_stat` (None: required). InputError naming it."""
    parts = text.strip().split(".")
    database = parts.pop(0)[2:] if parts and parts[0][:2] == "db" and parts[0][2:].isdigit() else None
    stat = parts.pop() if parts and parts[-1] in STATS else default_stat
    figure = ".".join(parts)
    if figure not in FIGURES:
        raise InputError(f"{option} {text.strip()}: unknown figure {figure!r} (one of {', '.join(FIGURES)}, "
                         "optionally after dbUID. and before .mean, .p95 or .worst)")
    if stat is None:
        raise InputError(f"{option} {text.strip()}: name the statistic ({text.strip()}.p95: mean, p95 or worst)")
    if database is not None and FIGURES[figure][1] == "run":
        raise InputError(f"{option} {text.strip()}: {figure} is a figure of the run, not of a database")
    return Term(database, figure, stat)


def parse_terms(option: str, text: str) -> tuple[Term, ...]:
    """A comma-separated list of terms (statistic `mean` unless named); InputError for none or a repeat."""
    terms = tuple(parse_term(option, part, "mean") for part in text.split(",") if part.strip())
    if not terms:
        raise InputError(f"{option} {text!r}: name at least one figure (e.g. {DEFAULT_RANK_BY})")
    texts = [t.text for t in terms]
    if len(set(texts)) != len(texts):
        raise InputError(f"{option} {text}: a figure is named twice")
    return terms


def databases_of(rows: Sequence[Row]) -> list[str]:
    """Database uids that have figures in the rows (`dbUID.availability` columns), in order."""
    return list(dict.fromkeys(k[2:-len(".availability")] for row in rows for k in row
                              if k.startswith("db") and k.endswith(".availability")))


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    return float(value)


def run_value(row: Row, term: Term, databases: Sequence[str]) -> float | None:
    """The term's figure in one run (no statistic): of its database, or combined over `databases`."""
    how = FIGURES[term.figure][1]
    if how == "run":
        return _number(row.get(term.figure))
    if term.database is not None:
        return _number(row.get(term.column))
    known = [v for v in (_number(row.get(f"db{uid}.{term.figure}")) for uid in databases) if v is not None]
    if not known:
        return None
    return min(known) if how == "min" else max(known) if how == "max" else math.fsum(known)


def stats(values: Sequence[float | None], better_high: bool) -> dict[str, float | None]:
    """mean, p95 (bad side, nearest rank) and worst of the known values; None each without one."""
    known = sorted((v for v in values if v is not None), reverse=better_high)
    if not known:
        return {"mean": None, "p95": None, "worst": None}
    rank = math.ceil(0.95 * len(known)) - 1
    return {"mean": round(math.fsum(known) / len(known), ROUND), "p95": known[rank], "worst": known[-1]}


def order_key(values: Sequence[float | None], terms: Sequence[Term]) -> tuple[float, ...]:
    """A sort key putting the better first, term by term (None last)."""
    return tuple(math.inf if v is None else (-v if t.better_high else v) for v, t in zip(values, terms))
