"""Eight clients at once for a few seconds — polling, posting, moving time, crashing a node —
against one twin: no 500, a log whose seq has no gap, state-changing calls logged in the order
they arrived, and a session that `run` reproduces."""
from __future__ import annotations

import bisect
import copy
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from sim.run import run_scenario
from sim.scenario import load_scenario
from tests.twin.helpers import ADMIN, UPGRADE_BODY, serve, twin_data

CLIENTS, SECONDS = 8, 3.0


@dataclass(frozen=True)
class Call:
    """One HTTP call as a client saw it."""

    client: int
    method: str
    path: str
    status: int
    sent: float
    received: float


def _three_databases() -> dict:
    data = twin_data()
    first = data["databases"][0]
    data["databases"] = [first] + [{**copy.deepcopy(first), "uid": uid, "name": f"db{uid}"} for uid in (2, 3)]
    return data


def _client(index: int, url: str, deadline: float, calls: list[Call]) -> None:
    """Client `index`: 0-3 poll and post (unique 404s and real upgrades), 4 moves time, 5 crashes
    and recovers node 3 (it holds no shard: quorum stays), 6-7 read everything."""
    with httpx.Client(base_url=url, auth=ADMIN, timeout=60) as c:
        i = 0
        while time.monotonic() < deadline:
            i += 1
            if index < 4:
                plan = [("POST", f"/v1/bdbs/{10_000 + index * 10_000 + i}/modules/upgrade"), ("GET", "/v1/bdbs"),
                        ("POST", f"/v1/bdbs/{index % 3 + 1}/modules/upgrade"), ("GET", "/v1/actions")]
            elif index == 4:
                plan = [("POST", "/sim/advance"), ("GET", "/sim/summary")]
            elif index == 5:
                plan = [("POST", f"/sim/nodes/3/{'crash' if i % 2 else 'recover'}")]
            else:
                plan = [("GET", "/v1/shards"), ("GET", "/v1/nodes"), ("GET", "/sim/events?since=0"), ("GET", "/")]
            for method, path in plan:
                body = {"seconds": 1} if path == "/sim/advance" else UPGRADE_BODY if method == "POST" else None
                sent = time.monotonic()
                status = c.request(method, path, json=body).status_code
                calls.append(Call(index, method, path, status, sent, time.monotonic()))


def test_eight_clients_at_once(tmp_path: Path) -> None:
    calls: list[Call] = []
    with serve(_three_databases(), out=tmp_path / "s") as s:
        deadline = time.monotonic() + SECONDS
        threads = [threading.Thread(target=_client, args=(i, s.url, deadline, calls)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        s.client.post("/sim/stop")
        lines = list(s.twin.session.lines)
    assert not [c for c in calls if c.status >= 500]
    assert {c.client for c in calls} == set(range(CLIENTS))
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(len(events)))           # no gap, no duplicate
    assert all(a["t"] <= b["t"] for a, b in zip(events, events[1:]))        # time never goes back
    # every unique request (a 404 on its own database uid) is logged exactly once…
    unique = {c.path: c for c in calls if c.method == "POST" and c.path.startswith("/v1/bdbs/") and
              int(c.path.split("/")[3]) >= 10_000}
    seqs = {e["path"]: e["seq"] for e in events if e["type"] == "RequestRejected" and e["path"] in unique}
    assert seqs.keys() == unique.keys() and all(unique[p].status == 404 for p in unique)
    # …in arrival order: a call answered before another was sent comes first in the log
    answered = sorted(unique.values(), key=lambda c: c.received)
    received = [c.received for c in answered]
    highest, best = [], -1
    for c in answered:
        best = max(best, seqs[c.path])
        highest.append(best)
    for c in unique.values():
        before = bisect.bisect_left(received, c.sent)   # calls answered before this one was sent
        assert before == 0 or highest[before - 1] < seqs[c.path], c
    # the crashes and recoveries of node 3 alternate, each one event
    faults = [e["type"] for e in events if e["type"] in ("NodeCrashed", "NodeRecovered") and e["node"] == 3]
    assert len(faults) == sum(1 for c in calls if c.path.startswith("/sim/nodes/3/"))
    assert all(kind == ("NodeCrashed", "NodeRecovered")[i % 2] for i, kind in enumerate(faults))
    # and the whole session replays event for event
    again = run_scenario(load_scenario(tmp_path / "s" / "session.yaml"), out=tmp_path / "again", plots=False)
    assert (tmp_path / "again" / "events.jsonl").read_text().splitlines()[1:] == \
        (tmp_path / "s" / "events.jsonl").read_text().splitlines()[1:]
    assert again.summary["events"] == len(events)
