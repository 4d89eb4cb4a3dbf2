"""The session is a scenario (SPEC §11): an upgrade driven through HTTP equals the same upgrade
written in a scenario file, and `run session.yaml` reproduces a session event for event."""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

from sim.run import run_scenario
from sim.scenario import load_scenario, scenario_from_data
from tests.kit import upgrade
from tests.twin.helpers import UPGRADE_BODY, serve, twin_data

EXPECT = {"responses": [{"status": 200}, {"status": 409, "error_code": "db_busy"}],
          "databases": {1: {"roles_preserved": True, "writes_lost_max": 0, "module_versions": {"ReJSON": "2.2.2"}}}}


def _events(folder: Path) -> list[str]:
    return (folder / "events.jsonl").read_text().splitlines()[1:]


def _replayed(folder: Path, tmp_path: Path) -> tuple[list[str], dict[str, Any]]:
    again = run_scenario(load_scenario(folder / "session.yaml"), out=tmp_path / "again", plots=False)
    return _events(tmp_path / "again"), again.summary


def test_an_upgrade_through_http_equals_the_same_upgrade_in_a_scenario_file(tmp_path: Path) -> None:
    """Upgrade at 10 (200), again at 12 (409 db_busy), node 3 down 15-30, stop at 100: the same
    status codes, the same summary (expectations included) and the same events as the file."""
    served = twin_data(expect=EXPECT)
    with serve(served, out=tmp_path / "session") as s:
        s.advance(to=10)
        statuses = [s.upgrade().status_code]
        s.advance(to=12)
        statuses.append(s.upgrade().status_code)
        s.advance(to=15)
        assert s.client.post("/sim/nodes/3/crash").json() == {"t": 15.0}
        s.advance(to=30)
        assert s.client.post("/sim/nodes/3/recover").json() == {"t": 30.0}
        s.advance(to=100)
        stop = s.client.post("/sim/stop").json()
    assert statuses == [200, 409] and stop["ok"] is True and stop["t"] == 100.0
    admin = {"name": "admin", "password": "adm1n"}
    steps = [upgrade(10, preserve_roles=True), upgrade(12, preserve_roles=True), {"at": 15, "node_crash": 3},
             {"at": 30, "node_recover": 3}]
    for step in steps[:2]:
        step["request"]["user"] = admin
    file = run_scenario(scenario_from_data({**copy.deepcopy(served), "timeline": steps, "duration": 100}),
                        out=tmp_path / "file", plots=False)
    session_summary = json.loads((tmp_path / "session" / "summary.json").read_text())
    assert [r["status"] for r in file.summary["responses"]] == statuses
    assert session_summary == file.summary and file.ok
    assert _events(tmp_path / "session") == _events(tmp_path / "file")


def test_run_session_yaml_reproduces_the_session(tmp_path: Path) -> None:
    """Requests by several users, rejections, faults, a cluster recovery and time moved every
    way: the outputs are written, and `run session.yaml` gives the same events after the header
    and the same summary."""
    with serve(out=tmp_path / "s") as s:
        s.advance(seconds=3.25)
        s.client.post("/v1/bdbs/1/modules/upgrade", json=UPGRADE_BODY, auth=("viewer", "x"))   # 403
        s.client.post("/v1/bdbs/1/modules/upgrade", json=UPGRADE_BODY, auth=None)               # 401
        s.client.post("/v1/bdbs/1/modules/upgrade", json=UPGRADE_BODY, auth=("ops@example.com", "s3cret"))
        s.advance(to=21.5)
        s.client.post("/sim/nodes/1/crash")   # the master, while its replica syncs: the pair is lost
        s.client.post("/sim/nodes/2/crash")   # no quorum: the cluster is lost (requires_recovery)
        s.advance(seconds=10)
        s.client.post("/sim/nodes/1/recover")
        s.client.post("/sim/nodes/2/recover")
        s.client.post("/sim/cluster/recover")  # the pair reloads its newest file
        s.advance(seconds=30)
        s.upgrade()                            # a retry of the failed action
        s.advance(until="idle")
        s.advance(seconds=5)
        summary = s.client.get("/sim/summary").json()
        stop = s.client.post("/sim/stop").json()
    folder = tmp_path / "s"
    assert {p.name for p in folder.iterdir()} >= {"events.jsonl", "summary.json", "report.html", "session.yaml"}
    assert stop["out"] == str(folder)
    events, again = _replayed(folder, tmp_path)
    assert events == _events(folder)
    stopped = json.loads((folder / "summary.json").read_text())
    assert again == stopped
    assert {k: v for k, v in summary.items() if k != "events"} == \
        {k: v for k, v in stopped.items() if k not in ("events", "expectations")}
    assert [r["status"] for r in stopped["responses"]] == [403, 401, 200, 200]
    assert [a["status"] for a in stopped["actions"]] == ["failed", "completed"]


def test_the_scenarios_own_timeline_plays_as_time_passes(tmp_path: Path) -> None:
    """Its own upgrade at 10 happens when time passes 10; its crash at 500 never happened when the
    session stops at 50, so session.yaml leaves it out, and replays the same."""
    data = {**twin_data(), "timeline": [upgrade(10), {"at": 500, "node_crash": 1}]}
    with serve(data, out=tmp_path / "s") as s:
        s.advance(to=50)
        actions = s.client.get("/v1/actions").json()["state-machines"]
        assert [(a["status"], a["state"]) for a in actions] == [("completed", "completed")]
        s.client.post("/sim/stop")
    steps = load_scenario(tmp_path / "s" / "session.yaml").timeline
    assert [step.at for step in steps] == [10.0]
    assert _replayed(tmp_path / "s", tmp_path)[0] == _events(tmp_path / "s")


def test_a_stop_at_the_instant_of_a_call_still_replays(tmp_path: Path) -> None:
    """A call at t=10 and the stop at once: the window ends at the next representable instant after
    10 (a scenario's steps come before its end), and `run session.yaml` agrees."""
    with serve(out=tmp_path / "s") as s:
        s.advance(to=10)
        assert s.upgrade().status_code == 200
        stop = s.client.post("/sim/stop").json()
    assert stop["t"] == math.nextafter(10.0, math.inf)
    events, summary = _replayed(tmp_path / "s", tmp_path)
    assert events == _events(tmp_path / "s")
    assert summary["duration"] == stop["t"]


def test_a_stop_at_t0_still_replays(tmp_path: Path) -> None:
    """Served and stopped at once: a window is never empty, so it ends just after 0."""
    with serve(out=tmp_path / "s") as s:
        stop = s.client.post("/sim/stop").json()
    assert stop["t"] == math.nextafter(0.0, math.inf) and stop["ok"] is True
    assert _replayed(tmp_path / "s", tmp_path)[0] == _events(tmp_path / "s")
