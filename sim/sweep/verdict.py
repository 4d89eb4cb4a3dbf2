"""The verdict of a sweep: per strategy and database, the mean, p95 and worst of each figure,
how often data was lost or roles moved, and which strategy did best — as data and as text.

p95 is the nearest-rank 95th percentile on the bad side: the value 95 % of the runs do
at least as well as (for availability, where higher is better, the 5th percentile).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from sim.metrics.summary import ROUND

__all__ = ["METRICS", "verdicts", "verdict_text", "databases_of", "groups", "plural"]

#: (figure, True if higher is better).
METRICS: tuple[tuple[str, bool], ...] = (
    ("availability", True), ("downtime_s", False), ("longest_outage_s", False), ("keys_lost", False),
    ("writes_lost", False), ("upgrade_duration_s", False),
)

Row = dict[str, Any]


def groups(rows: list[Row]) -> dict[str, list[Row]]:
    """Rows by strategy, strategies in the order they first appear."""
    found: dict[str, list[Row]] = {}
    for row in rows:
        found.setdefault(row["strategy"], []).append(row)
    return found


def databases_of(rows: list[Row]) -> list[str]:
    """Database uids that have figures in the rows (`dbUID.availability` columns), in order."""
    seen = dict.fromkeys(k[2:-len(".availability")] for row in rows for k in row
                         if k.startswith("db") and k.endswith(".availability"))
    return list(seen)


def verdicts(rows: list[Row]) -> list[dict[str, Any]]:
    """One record per strategy: its runs, and per database the statistics and counts."""
    return [{"strategy": label, "runs": len(runs), "seeds": [runs[0]["seed"], runs[-1]["seed"]],
             "databases": {uid: _database(runs, f"db{uid}.") for uid in databases_of(rows)}}
            for label, runs in groups(rows).items()]


def _database(runs: list[Row], prefix: str) -> dict[str, Any]:
    record: dict[str, Any] = {name: _stats([r.get(prefix + name) for r in runs], better_high)
                              for name, better_high in METRICS}
    record["counts"] = _counts(runs, prefix)
    return record


def _counts(runs: list[Row], prefix: str) -> dict[str, int]:
    """How many runs completed the upgrade, kept the roles, lost data, and so on."""
    def count(test: Callable[[Row], bool]) -> int:
        return sum(1 for r in runs if test(r))

    return {
        "upgrade_completed": count(lambda r: r.get(prefix + "upgrade_duration_s") is not None),
        "roles_preserved": count(lambda r: r.get(prefix + "roles_preserved") is True),
        "data_lost": count(lambda r: bool(r.get(prefix + "keys_lost") or r.get(prefix + "bytes_lost")
                                          or r.get(prefix + "writes_lost"))),
        "unplanned_failovers": count(lambda r: bool(r.get(prefix + "failovers.unplanned"))),
        "not_active": count(lambda r: r.get(prefix + "status") != "active"),
        "request_rejected": count(lambda r: any(k.startswith("response") and k.endswith(".status")
                                                and (v or 0) >= 400 for k, v in r.items())),
        "expectations_unmet": count(lambda r: r["expectations_unmet"] > 0),
    }


def _stats(values: list[Any], better_high: bool) -> dict[str, float | None]:
    known = sorted((float(v) for v in values if v is not None), reverse=better_high)
    if not known:
        return {"mean": None, "p95": None, "worst": None}
    rank = math.ceil(0.95 * len(known)) - 1
    return {"mean": round(math.fsum(known) / len(known), ROUND), "p95": known[rank], "worst": known[-1]}


def verdict_text(scenario: str, records: list[dict[str, Any]]) -> str:
    """The verdict as plain text: a block per strategy, then the best strategy per question."""
    if not records:
        return f"Sweep of {scenario}: no runs\n"
    first, last = records[0]["seeds"]
    runs = sum(r["runs"] for r in records)
    lines = [f"Sweep of {scenario}: {plural(len(records), 'strategy', 'strategies')}, {plural(runs, 'run')} "
             f"(seeds {first}..{last} each)"]
    for record in records:
        lines += ["", f"{record['strategy']}  ({plural(record['runs'], 'run')})"]
        for uid, figures in record["databases"].items():
            lines += _block(uid, figures, record["runs"])
    for uid in records[0]["databases"] if len(records) > 1 else []:
        lines += ["", f"Best for database {uid}:"] + _best(uid, records)
    return "\n".join(lines) + "\n"


def _block(uid: str, figures: dict[str, Any], runs: int) -> list[str]:
    rows: list[tuple[str, ...]] = [(f"  db{uid}", "mean", "p95", "worst")]
    rows += [(f"  {name}",) + tuple(_number(figures[name][k]) for k in ("mean", "p95", "worst")) for name, _ in METRICS]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [r[0].ljust(widths[0]) + "".join("  " + c.rjust(w) for c, w in zip(r[1:], widths[1:])) for r in rows]
    c = figures["counts"]
    lines.append(f"  upgrade completed in {c['upgrade_completed']}/{runs} runs, roles preserved in "
                 f"{c['roles_preserved']}/{runs}, data lost in {c['data_lost']}/{runs}, unplanned failovers in "
                 f"{c['unplanned_failovers']}/{runs}, a request rejected in {c['request_rejected']}/{runs}, "
                 f"expectations unmet in {c['expectations_unmet']}/{runs}")
    return lines


def _best(uid: str, records: list[dict[str, Any]]) -> list[str]:
    def pick(name: str, better_high: bool) -> str:
        known = [r for r in records if r["databases"][uid][name]["mean"] is not None]
        if not known:
            return "-"
        best = (max if better_high else min)(known, key=lambda r: r["databases"][uid][name]["mean"])
        return f"{best['strategy']} (mean {_number(best['databases'][uid][name]['mean'])})"
    safe = [r["strategy"] for r in records if r["databases"][uid]["counts"]["data_lost"] == 0]
    return [f"  least downtime: {pick('downtime_s', False)}",
            f"  shortest upgrade: {pick('upgrade_duration_s', False)}",
            f"  no data lost in any run: {'; '.join(safe) if safe else 'none'}"]


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 run`, `2 runs`."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"
