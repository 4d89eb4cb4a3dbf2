"""The twin's clock (SPEC §11): manual (POST /sim/advance by seconds, to a time, until idle) and
realtime (speed × wall time, brought up to date before each request; skipping ahead by hand)."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from sim.api.requests import Credentials
from sim.run import run_scenario
from sim.scenario import load_scenario, scenario_from_data
from sim.session import Session
from sim.twin import Clock, Twin
from tests.twin.helpers import UPGRADE_BODY, UPGRADE_PATH, serve, twin_data


class FakeWall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_manual_clock_names_no_time() -> None:
    assert Clock().target() is None and Clock().describe() == "manual"


def test_a_realtime_clock_is_speed_times_wall_seconds_plus_what_was_skipped() -> None:
    wall = FakeWall()
    clock = Clock("realtime", speed=10, wall=wall)
    wall.t += 2.5
    assert clock.target() == 25.0            # 10 × 2.5
    clock.skip(100)
    assert clock.target() == 125.0
    clock.restart()
    assert clock.target() == 100.0           # wall time counts from the restart; the skip stays
    assert clock.describe() == "realtime, speed 10"


@pytest.mark.parametrize("mode, speed", [("fast", 1), ("realtime", 0), ("realtime", -2), ("realtime", float("inf")),
                                         ("realtime", float("nan"))])
def test_bad_clocks_are_refused(mode: str, speed: float) -> None:
    with pytest.raises(ValueError):
        Clock(mode, speed)


def test_the_twin_brings_a_realtime_session_up_to_date_before_each_call() -> None:
    """Wall +1 s at speed 20 → the next read sees t=20; the worked upgrade (32 s) accepted then is
    still running 1.5 wall seconds later (t=50) and complete after 0.2 more (t=54 > 52 = 20 + 32);
    an advance skips ahead and time goes on from there."""
    wall = FakeWall()
    twin = Twin(Session(scenario_from_data(twin_data(users=False))), Clock("realtime", 20, wall))
    wall.t += 1
    status, body = twin.read("/sim/clock", lambda s: (200, {"t": s.now}))
    assert body == b'{"t":20.0}'
    assert twin.request("POST", UPGRADE_PATH, UPGRADE_BODY, Credentials.implicit_admin()).status == 200
    wall.t += 1.5
    with twin.now() as session:
        assert session.now == pytest.approx(50.0)
        assert next(iter(session.state.actions.values())).status == "active"
    wall.t += 0.2
    with twin.now() as session:
        assert session.now == pytest.approx(54.0)
        assert next(iter(session.state.actions.values())).status == "completed"
    assert twin.advance(seconds=100) == pytest.approx(154.0)
    wall.t += 0.5
    assert twin.advance(seconds=0) == pytest.approx(164.0)   # 154 + 20 × 0.5


def test_manual_advance_by_seconds_to_a_time_and_until_idle() -> None:
    """seconds: +X; to: T; until idle: the upgrade accepted at 10 ends at 42 (32 s), no further."""
    with serve() as s:
        assert s.advance(seconds=2.5) == 2.5
        assert s.advance(to=10) == 10.0
        assert s.client.get("/sim/clock").json() == {"t": 10.0, "clock": "manual", "speed": 1.0}
        assert s.upgrade().status_code == 200
        assert s.advance(until="idle") == 42.0
        assert s.advance(until="idle") == 42.0   # nothing running: time stays
        assert s.advance(seconds=0) == 42.0


def test_a_realtime_speed_up_run_completes_the_upgrade_after_its_wall_time_over_speed(tmp_path: Path) -> None:
    """At speed 100 the 32 s upgrade takes about 0.32 wall seconds: polled until completed, it
    never completes before that (simulated time cannot run ahead of speed × wall) and does well
    within the test's patience; the session, with its non-round times, replays exactly."""
    with serve(out=tmp_path / "s", clock=Clock("realtime", speed=100)) as s:
        accepted = s.upgrade()
        sent = time.monotonic()
        assert accepted.status_code == 200
        uid = accepted.json()["action_uid"]
        while s.client.get(f"/v1/actions/{uid}").json()["status"] != "completed":
            assert time.monotonic() - sent < 60, "the realtime clock does not move"
            time.sleep(0.02)
        elapsed = time.monotonic() - sent
        t = s.client.get("/sim/clock").json()["t"]
        s.client.post("/sim/stop")
    assert elapsed >= 0.32 * 0.9 and t >= 32
    again = run_scenario(load_scenario(tmp_path / "s" / "session.yaml"), out=tmp_path / "again", plots=False)
    assert again.summary["databases"]["1"]["upgrade_duration_s"] == 32.0
    assert (tmp_path / "again" / "events.jsonl").read_text().splitlines()[1:] == \
        (tmp_path / "s" / "events.jsonl").read_text().splitlines()[1:]


def test_a_stopping_server_ends_a_realtime_catch_up_and_stops_where_it_got(tmp_path: Path) -> None:
    """A realtime clock far ahead (a stop after hours at a high speed) used to be caught up in
    full before the stop; once the server is stopping, the catch-up ends at the instant reached
    and the session stops there (its outputs written, its session.yaml a scenario ending there)."""
    wall = FakeWall()
    data = twin_data(users=False, faults={"random": {"mtbf_s": 300, "mttr_s": 60}})
    data["duration"] = 600
    twin = Twin(Session(scenario_from_data(data)), Clock("realtime", 1e6, wall), out=tmp_path / "out", plots=False)
    questions: list[float] = []
    twin.session.interrupted = lambda: questions.append(twin.session.now) or len(questions) >= 5
    wall.t += 1                                         # the clock now says 1,000,000 s
    result = twin.stop()
    reached = questions[-1]
    assert 0 < reached < 1e6 and result.summary["duration"] == reached
    assert load_scenario(tmp_path / "out" / "session.yaml").duration == reached
