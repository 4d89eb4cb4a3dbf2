"""`GET /`: the live page for people watching a rehearsal — the report over [0, now] (built with
the report's own HTML pieces, `sim.plots.html`), each action's state and progress, and every
node's shards coloured by what they are doing; it reloads itself every few seconds.

No figures (matplotlib per request would be too slow): `report.html` has them at the stop.
"""
from __future__ import annotations

from html import escape
from typing import Any

from sim.model.state import MASTER, ClusterState, NodeStatus, ShardState, ShardStatus, SyncStatus
from sim.plots.html import page, summary_rows, table
from sim.session import Session

__all__ = ["live_page", "REFRESH_S", "shard_class"]

#: The page reloads itself every this many seconds.
REFRESH_S = 3
#: Above this many shards, nodes show counts per state instead of one square per shard.
_MAX_SQUARES = 3000

_CSS = """.shards span{display:inline-block;width:11px;height:11px;margin:1px;border-radius:2px}
.master{background:#1b7837}.replica{background:#a6dba0}.syncing{background:#fdb863}.restarting{background:#e66101}
.down{background:#b2182b}.paused{background:#4393c3}.legend span{display:inline-block;width:11px;height:11px;
margin:0 .3em 0 1em;border-radius:2px}progress{width:12em}.clock{font-size:1.2em}"""

_LEGEND = (("master", "master, serving"), ("replica", "replica, in sync"), ("syncing", "replica, syncing"),
           ("paused", "paused (failover)"), ("restarting", "restarting or loading"), ("down", "down"))


def shard_class(state: ClusterState, shard: ShardState) -> str:
    """The colour class of a shard on the page."""
    if state.nodes[shard.node_uid].status == NodeStatus.DOWN or shard.status in (ShardStatus.DOWN, ShardStatus.FAILED):
        return "down"
    if shard.status != ShardStatus.OK:
        return "restarting"
    if shard.paused:
        return "paused"
    if shard.role == MASTER:
        return "master"
    return "replica" if shard.sync == SyncStatus.IDLE else "syncing"


def _actions(state: ClusterState) -> str:
    if not state.actions:
        return "<p>No action yet: send <code>POST /v1/bdbs/{uid}/modules/upgrade</code>.</p>"
    heads = ["action_uid", "bdb", "name", "status", "state", "progress", "accepted at (s)", "ended at (s)", "error"]
    rows = []
    for a in state.actions.values():
        ended = "" if a.ended_at is None else f"{a.ended_at:g}"
        cells = [a.uid, str(a.bdb_uid), a.name, str(a.status), a.state, None, f"{a.accepted_at:g}", ended,
                 a.reason or ""]
        html = "".join(f"<td>{escape(c)}</td>" if c is not None else
                       f'<td><progress max="100" value="{a.progress}"></progress> {a.progress}%</td>' for c in cells)
        rows.append(f"<tr>{html}</tr>")
    return "<table><tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>" + "".join(rows) + "</table>"


def _nodes(state: ClusterState) -> str:
    legend = '<p class="legend">' + "".join(f'<span class="{c}"></span>{escape(t)}' for c, t in _LEGEND) + "</p>"
    squares = len(state.shards) <= _MAX_SQUARES
    rows = []
    for node in state.nodes.values():
        shards = [state.shards[uid] for uid in sorted(state.shards_by_node.get(node.uid, ()))]
        classes = [shard_class(state, s) for s in shards]
        if squares:
            cells = "".join(f'<span class="{c}" title="shard {s.uid} (db {s.bdb_uid}, {s.role})"></span>'
                            for s, c in zip(shards, classes))
        else:
            cells = ", ".join(f"{c}: {classes.count(c)}" for c, _ in _LEGEND if classes.count(c))
        rows.append(f"<tr><td>{node.uid}</td><td>{escape(node.rack_id or '')}</td><td>{escape(str(node.status))}"
                    f'</td><td>{len(shards)}</td><td class="shards">{cells}</td></tr>')
    head = "<tr><th>node</th><th>rack</th><th>status</th><th>shards</th><th>shards by state</th></tr>"
    quorum = "" if state.accepts_management() else \
        '<p class="fail"><b>The cluster has no quorum or is lost: nothing is served.</b></p>'
    return quorum + legend + f"<table>{head}{''.join(rows)}</table>"


def _responses(summary: dict[str, Any]) -> str:
    """The answers so far, newest first, each with its error or its action (bodies: /sim/summary)."""
    if not summary["responses"]:
        return "<p>No request yet.</p>"
    rows = []
    for r in reversed(summary["responses"]):
        body = r["body"] or {}
        outcome = body.get("message") if r["error_code"] else f"action {body.get('action_uid', '')}"
        rows.append([f"{r['at']:g}", f"{r['method']} {r['path']}", r["status"], r["error_code"] or "", outcome])
    return table(["at (s)", "request", "status", "error_code", "message or action"], rows)


def live_page(session: Session, clock: str, stopped: str | None) -> str:
    """The page at this simulated instant. `clock` describes the clock; `stopped` says where
    the outputs went once the session is stopped."""
    summary = session.summary()
    state = session.state
    status = f"stopped; outputs in {escape(stopped)}" if stopped is not None else "running"
    intro = (f'<p class="clock">t = <b>{session.now:g}</b> s (clock {escape(clock)}; {status}). Scenario '
             f"<b>{escape(summary['scenario'])}</b>, seed {summary['seed']}, {summary['events']} events so far. "
             f"This page reloads every {REFRESH_S} s; the figures are drawn in report.html at the stop.</p>")
    heads, rows = summary_rows(summary)
    sections = [("Actions", _actions(state)),
                ("Nodes and shards", _nodes(state)),
                ("Outcome per database so far", table(heads, rows)),
                ("Responses", _responses(summary)),
                ("Why: outages and losses so far", f"<pre>{escape(chr(10).join(session.explainer.lines()))}</pre>")]
    html = page(f"upgrade-sim live: {summary['scenario']}", sections, intro)
    head = f'<meta http-equiv="refresh" content="{REFRESH_S}"><style>{_CSS}</style>'
    return html.replace("<head>", "<head>" + head, 1)
