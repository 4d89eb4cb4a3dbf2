"""The top of `report.html`: the verdict box (expectations, each action's outcome and why a failed
one failed, the worst outage, the losses) and the explanation of outages and losses as lists.

Pure functions from the summary (and the explanation's lines) to escaped HTML text.
"""
from __future__ import annotations

from html import escape
from typing import Any

from sim.plots.units import count_of, number, percent, seconds, size

__all__ = ["verdict_box", "explanation_html", "action_outcome", "ACTIONS_LISTED"]

#: Up to this many actions the verdict names each one; beyond, it counts them and names the failed.
ACTIONS_LISTED = 5
#: The most failed actions and losing databases the verdict names (the tables below hold them all).
NAMED = 10


def verdict_box(summary: dict[str, Any]) -> str:
    """The box that leads the report; its class is `met` (every expectation met), `unmet` (one
    unmet) or `none` (a replay, or a scenario without expectations)."""
    results = summary.get("expectations")
    head, kind = _expectations(results)
    items = [*_actions(summary.get("actions", [])), _worst_outage(summary["databases"]),
             *_losses(summary["databases"]), *_rejections(summary["responses"])]
    body = "".join(f"<li>{item}</li>" for item in items)
    return (f'<section class="verdict {kind}" id="verdict"><p class="headline">{head}</p>'
            f"<ul>{body}</ul></section>")


def _expectations(results: list[dict[str, Any]] | None) -> tuple[str, str]:
    if results is None:
        return "Expectations not evaluated: this is a replay (a log does not carry them).", "none"
    if not results:
        return "The scenario states no expectations.", "none"
    unmet = [r for r in results if not r["ok"]]
    if not unmet:
        return f"✔ All {len(results)} expectations met.", "met"
    named = "; ".join(f"<code>{escape(r['what'])}</code>: expected {_shown(r['expected'])}, got "
                      f"{_shown(r['actual'])}" for r in unmet[:NAMED])
    more = f"; and {len(unmet) - NAMED} more" if len(unmet) > NAMED else ""
    return f"✘ {len(unmet)} of {len(results)} expectations unmet: {named}{more}.", "unmet"


def _shown(value: Any) -> str:
    if isinstance(value, (bool, int, float)):
        return escape(number(value))
    return escape(str(value))


def action_outcome(action: dict[str, Any]) -> str:
    """One action in words (plain text): what it did on which database, and how it ended."""
    what = f"Action {action['action_uid']} ({action['name']}) on database {action['bdb']}"
    accepted = f"accepted at t={number(action['accepted_at'])}"
    if action["status"] == "completed":
        took = action["ended_at"] - action["accepted_at"]
        return f"{what}: completed at t={number(action['ended_at'])} ({accepted}, {seconds(took)})."
    if action["status"] == "failed":
        when = "" if action["ended_at"] is None else f" at t={number(action['ended_at'])}"
        return (f"{what}: FAILED{when} in state {action['state']} ({accepted}): "
                f"{action['error'] or 'no reason recorded'}.")
    return (f"{what}: still {action['status']} at the window's end, in state {action['state']}, "
            f"{action['progress']} % done ({accepted}).")


def _actions(actions: list[dict[str, Any]]) -> list[str]:
    if not actions:
        return ["No upgrade action was started."]
    failed = [a for a in actions if a["status"] == "failed"]
    if len(actions) <= ACTIONS_LISTED:
        return [_action_item(a) for a in actions]
    counts: dict[str, int] = {}
    for a in actions:
        counts[a["status"]] = counts.get(a["status"], 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in counts.items())
    named = [_action_item(a) for a in failed[:NAMED]]
    more = [f"and {len(failed) - NAMED} more failed actions (see Actions)."] if len(failed) > NAMED else []
    return [f"{len(actions)} actions: {escape(tally)}."] + named + more


def _action_item(action: dict[str, Any]) -> str:
    text = escape(action_outcome(action))
    return f'<span class="bad">{text}</span>' if action["status"] == "failed" else text


def _worst_outage(databases: dict[str, dict[str, Any]]) -> str:
    if not databases:
        return "No database."
    uid = max(databases, key=lambda u: (databases[u]["longest_outage_s"], databases[u]["downtime_s"], -int(u)))
    f = databases[uid]
    if f["longest_outage_s"] == 0 and f["downtime_s"] == 0:
        return "No outage: every hash slot of every database was served throughout the window."
    return (f"Worst outage: database {escape(uid)}, {seconds(f['longest_outage_s'])} in one stretch; "
            f"{seconds(f['downtime_s'])} of downtime in all (availability {percent(f['availability'])}, "
            f"{count_of(f['failed_requests'], 'failed request')}).")


def _losses(databases: dict[str, dict[str, Any]]) -> list[str]:
    losing = [(uid, f) for uid, f in databases.items() if f["keys_lost"] or f["writes_lost"]]
    if not losing:
        return ["No data lost: no key and no acknowledged write."]
    items = []
    for uid, f in losing[:NAMED]:
        parts = []
        if f["keys_lost"]:
            parts.append(f"{count_of(f['keys_lost'], 'key')} ({size(f['bytes_lost'])})")
        if f["writes_lost"]:
            parts.append(count_of(f["writes_lost"], "acknowledged write"))
        items.append(f'<span class="bad">Data lost from database {escape(uid)}: {" and ".join(parts)}.</span>')
    if len(losing) > NAMED:
        items.append(f"and {len(losing) - NAMED} more databases lost data (see the outcome table).")
    return items


def _rejections(responses: list[dict[str, Any]]) -> list[str]:
    rejected = [r for r in responses if r["status"] != 200]
    if not rejected:
        return []
    codes = ", ".join(f"{r['status']} {r['error_code'] or ''}".strip() for r in rejected[:NAMED])
    return [f"{len(rejected)} of {count_of(len(responses), 'request')} rejected: {escape(codes)}"
            + (", …" if len(rejected) > NAMED else "") + "."]


def explanation_html(lines: list[str]) -> str:
    """The explanation (`sim.metrics.explain` lines) as lists: a heading per database that had an
    outage, a loss or a failed action, one item per line; the quiet databases named in one line."""
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith(" "):
            if blocks:
                blocks[-1][1].append(line.strip())
        else:
            blocks.append((line.rstrip(":"), []))
    quiet = [head for head, items in blocks if items == ["no outage and no loss"]]
    out = []
    for head, items in blocks:
        if head in quiet:
            continue
        out.append(f"<h3>{escape(head)}</h3><ul class=\"why\">{''.join(_why_item(i) for i in items)}</ul>")
    if quiet:
        out.append(f"<p>No outage and no loss: {escape(', '.join(quiet))}.</p>")
    return "".join(out) or "<p>Nothing to explain: no outage, no loss, no failed action.</p>"


def _why_item(text: str) -> str:
    for label in ("outage", "loss"):
        if text.startswith(f"{label}: "):
            return f"<li><b>{label}</b> {escape(text[len(label) + 2:])}</li>"
    if text.startswith("action "):
        return f'<li class="bad"><b>failed action</b> {escape(text[len("action "):])}</li>'
    return f"<li>{escape(text)}</li>"
