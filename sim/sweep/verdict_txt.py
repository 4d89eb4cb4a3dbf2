"""The verdict of a sweep as text (`verdict.txt`): one short table ranking the strategies first,
the details after (per database, and per condition).

Numbers are written for people: integers whole with thousands separated (`1,250`), others
with up to 6 significant digits (`0.996667`) — never in scientific notation (`sim.plots.units.number`).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.plots.units import number
from sim.sweep.objective import Term
from sim.sweep.verdict import METRICS, default_terms, plural

__all__ = ["verdict_text", "text_table"]


#: Columns of text (left-aligned); numbers are right-aligned.
_TEXT = {"rank", "strategy", "condition", "worst condition"}


def text_table(rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Rows (the first is the header) in padded columns: text columns (`_TEXT`, and the first)
    to the left, numbers to the right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    left = {i for i, head in enumerate(rows[0]) if i == 0 or head in _TEXT}
    return [(indent + "  ".join(c.ljust(w) if i in left else c.rjust(w)
                                for i, (c, w) in enumerate(zip(row, widths)))).rstrip() for row in rows]


def verdict_text(scenario: str, records: list[dict[str, Any]], rank_by: Sequence[Term] | None = None,
                 keys: dict[str, list[str]] | None = None) -> str:
    """The verdict: a header, the ranking table, then the details. `keys` (role → varied keys)
    names the strategy and condition keys in the header."""
    if not records:
        return f"Sweep of {scenario}: no runs\n"
    terms = tuple(rank_by or default_terms())
    lines = _header(scenario, records, terms, keys or {})
    lines += ["", *_ranking(records, terms)]
    lines += ["", "Details"]
    for record in sorted(records, key=lambda r: r["rank"]):
        lines += ["", f"{record['strategy']}  (rank {record['rank']}; {plural(record['runs'], 'run')})"]
        for uid, figures in record["databases"].items():
            lines += _block(uid, figures, record["runs"])
        if record["conditions"]:
            lines += ["  by condition:", *_conditions(record, terms)]
    return "\n".join(lines) + "\n"


def _header(scenario: str, records: list[dict[str, Any]], terms: tuple[Term, ...],
            keys: dict[str, list[str]]) -> list[str]:
    first, last = min(r["seeds"][0] for r in records), max(r["seeds"][1] for r in records)
    conditions = max(1, len(records[0]["conditions"]))
    seeds = last - first + 1
    runs = sum(r["runs"] for r in records)
    grid = f"{plural(len(records), 'strategy', 'strategies')}"
    if all(r["runs"] == conditions * seeds for r in records):
        if conditions > 1 or keys.get("condition"):
            grid += f" x {plural(conditions, 'condition')}"
        grid += f" x {plural(seeds, 'seed')} ="
    else:  # rows not from one grid (a table put together by hand)
        grid += ","
    lines = [f"Sweep of {scenario}: {grid} {plural(runs, 'run')} "
             f"({'seed ' + str(first) if first == last else f'seeds {first}..{last}'})"]
    for role in ("strategy", "condition"):
        if keys.get(role):
            lines.append(f"{role} keys: {', '.join(keys[role])}")
    ranked = ", then ".join(f"{t.column} {t.stat}" for t in terms)
    lines.append(f"ranked by {ranked} (better first; each breaks the ties of the one before)")
    return lines


def _columns(terms: tuple[Term, ...]) -> list[tuple[str, str, str]]:
    """(header, source, key) of the ranking table: the objective, then downtime and imbalance
    (always shown, side by side), without repeats."""
    columns = [(f"{t.column} {t.stat}", "objective", t.text) for t in terms]
    shown = {t.text for t in terms}
    for figure, stat in (("downtime_s", "mean"), ("downtime_s", "p95"), ("imbalance", "mean"), ("imbalance", "worst")):
        if f"{figure}.{stat}" not in shown:
            columns.append((f"{figure} {stat}", figure, stat))
    return columns


def _value(record: dict[str, Any], source: str, key: str) -> str:
    if source == "objective":
        return number(record["objective"][key])
    return number(record["overall"][source][key])


def _ranking(records: list[dict[str, Any]], terms: tuple[Term, ...]) -> list[str]:
    columns = _columns(terms)
    conditions = any(r["conditions"] for r in records)
    header = ["rank", "strategy", *(c[0] for c in columns), "data lost", "unmet"]
    rows = [header + (["worst condition"] if conditions else [])]
    for record in sorted(records, key=lambda r: r["rank"]):
        runs = record["runs"]
        row = [str(record["rank"]), record["strategy"], *(_value(record, s, k) for _, s, k in columns),
               f"{record['data_lost']}/{runs}", f"{record['expectations_unmet']}/{runs}"]
        rows.append(row + ([record["worst_condition"] or "-"] if conditions else []))
    return text_table(rows)


def _block(uid: str, figures: dict[str, Any], runs: int) -> list[str]:
    rows = [[f"db{uid}", "mean", "p95", "worst"]]
    rows += [[name, *(number(figures[name][k]) for k in ("mean", "p95", "worst"))] for name, _ in METRICS]
    c = figures["counts"]
    return text_table(rows, indent="  ") + [
        f"  upgrade completed in {c['upgrade_completed']}/{runs} runs, roles preserved in "
        f"{c['roles_preserved']}/{runs}, data lost in {c['data_lost']}/{runs}, unplanned failovers in "
        f"{c['unplanned_failovers']}/{runs}, a request rejected in {c['request_rejected']}/{runs}, "
        f"expectations unmet in {c['expectations_unmet']}/{runs}"]


def _conditions(record: dict[str, Any], terms: tuple[Term, ...]) -> list[str]:
    columns = _columns(terms)
    rows = [["condition", "runs", *(c[0] for c in columns), "unmet"]]
    for entry in record["conditions"]:
        worst = " (worst)" if entry["condition"] == record["worst_condition"] else ""
        rows.append([entry["condition"] + worst, str(entry["runs"]), *(_value(entry, s, k) for _, s, k in columns),
                     f"{entry['expectations_unmet']}/{entry['runs']}"])
    return text_table(rows, indent="    ")
