"""A live session (the REST twin's engine, SPEC §11): calls handled now through the same
validation and engine, time moved on demand, and the session kept as a scenario that `run`
reproduces event for event."""
from __future__ import annotations

import collections
import datetime
import enum
import math
import re
from pathlib import Path

import pytest

import sim.session as session_module
from sim.api.requests import Credentials
from sim.cli import main
from sim.errors import InputError
from sim.run import run_scenario
from sim.scenario import load_scenario, scenario_from_data
from sim.session import LAST_TIME, Interrupted, Session, SessionFull
from tests.kit import NEW, scenario_data, upgrade

BODY = {"modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1", "new_module": NEW}],
        "preserve_roles": True}
PATH = "/v1/bdbs/1/modules/upgrade"


def _session(**data) -> Session:
    return Session(scenario_from_data(scenario_data({"replication": True}, [], **data)))


def test_a_request_is_answered_now_and_time_moves_on_demand() -> None:
    """The worked example driven by hand: accepted at 10, idle at 42 (32 s), 2 s down so far."""
    session = _session()
    assert session.advance_to(10) == 10.0
    answer = session.request("POST", PATH, BODY, Credentials.implicit_admin())
    assert answer.status == 200 and answer.body["module_name"] == "ReJSON" and "action_uid" in answer.body
    assert session.state.bdbs[1].status == "active-change-pending"
    assert session.advance(until_idle=True) == 42.0
    figures = session.summary()["databases"]["1"]
    assert figures["upgrade_duration_s"] == 32.0 and figures["downtime_s"] == 2.0
    assert session.summary()["duration"] == 42.0


def test_a_rejection_is_answered_with_the_error_object() -> None:
    session = _session()
    answer = session.request("POST", PATH, BODY, None)
    assert (answer.status, answer.body["error_code"]) == (401, "unauthorized") and answer.body["message"]


def test_time_never_goes_back_and_unknown_nodes_are_refused() -> None:
    session = _session()
    session.advance_to(5)
    with pytest.raises(InputError, match="before now"):
        session.advance_to(4)
    with pytest.raises(KeyError):
        session.crash(9)


def test_the_session_is_a_scenario_that_run_reproduces(tmp_path: Path) -> None:
    """Requests (with their user), a crash, a recovery and a cluster recovery at the instants they
    arrived: `run session.yaml` writes the same events after the header and the same summary."""
    session = _session()
    session.advance_to(10)
    session.request("POST", PATH, BODY, Credentials.implicit_admin())
    session.advance_to(20.5)
    session.crash(1)
    session.request("POST", PATH, BODY, Credentials.implicit_admin())   # 409 or 503: recorded all the same
    session.advance(30)
    session.recover(1)
    session.recover_cluster()
    session.advance(until_idle=True)
    session.advance(10)
    stopped = session.stop(tmp_path / "session", plots=False)
    assert {p.name for p in (tmp_path / "session").iterdir()} >= {"events.jsonl", "summary.json", "report.html",
                                                                  "session.yaml"}
    again = run_scenario(load_scenario(tmp_path / "session" / "session.yaml"), out=tmp_path / "again", plots=False)
    ours = (tmp_path / "session" / "events.jsonl").read_text().splitlines()[1:]
    theirs = (tmp_path / "again" / "events.jsonl").read_text().splitlines()[1:]
    assert ours == theirs
    strip = lambda s: {k: v for k, v in s.items() if k != "scenario"}  # noqa: E731
    assert strip(again.summary) == strip(stopped.summary)
    with pytest.raises(InputError, match="stopped"):
        session.advance(1)


def test_events_since_a_seq_are_the_logs_lines() -> None:
    session = _session()
    session.advance_to(10)
    session.request("POST", PATH, BODY, Credentials.implicit_admin())
    lines = session.events_since(0)
    assert '"type":"SimulationStarted"' in lines[0] and '"type":"RequestAccepted"' in lines[1]
    assert session.events_since(2) == lines[2:]


#: Bodies given as Python data that no JSON text could say, and what the refusal names.
NOT_JSON = [
    ({**BODY, "x": float("nan")}, "nan is not a JSON number"),
    ({**BODY, "x": [1, float("-inf")]}, "-inf is not a JSON number"),
    ({**BODY, "x": {1, 2}}, "set {1, 2} is not a JSON value"),
    ({**BODY, "x": b"raw"}, "bytes b'raw' is not a JSON value"),
    ({**BODY, "x": datetime.date(2024, 1, 1)}, "date datetime.date(2024, 1, 1) is not a JSON value"),
    ({1: "a"}, "the key 1 is not a text"),
    ({**BODY, "x": {"y": {None: 1}}}, "the key None is not a text"),
    ({**BODY, "x": ["\ud800"]}, "a lone surrogate"),
]


@pytest.mark.parametrize(("body", "says"), NOT_JSON, ids=[says for _, says in NOT_JSON])
def test_a_body_no_json_text_could_say_is_refused_and_nothing_is_logged(body: object, says: str) -> None:
    """A library call with NaN, a set, bytes, a date or a non-text key in its body raised deep in
    the log writer (TypeError) or wrote a log no reader accepts; now InputError, and no event."""
    session = _session()
    before = len(session.lines)
    with pytest.raises(InputError, match="the request body must be what a JSON text could hold") as raised:
        session.request("POST", PATH, body, Credentials.implicit_admin())
    assert says in str(raised.value)
    assert len(session.lines) == before


def test_a_cycle_in_a_body_is_refused_not_a_recursion_error() -> None:
    """A body that contains itself is nesting past the bound."""
    body: dict[str, object] = dict(BODY)
    body["self"] = body
    with pytest.raises(InputError, match="nested more than 32 deep"):
        _session().request("POST", PATH, body, Credentials.implicit_admin())


@pytest.mark.parametrize(("body", "says"), NOT_JSON, ids=[says for _, says in NOT_JSON])
def test_a_scenario_built_in_code_refuses_such_a_body_at_its_step(body: object, says: str) -> None:
    """The same rule for a timeline step given as Python data (scenario_from_data)."""
    step = {"at": 10, "request": {"path": PATH, "body": body}}
    with pytest.raises(InputError, match=r"timeline\[0\]\.request\.body: the body must be") as raised:
        scenario_from_data(scenario_data({"replication": True}, [step]))
    assert says in str(raised.value)


def test_time_stops_just_under_the_largest_a_scenario_holds(tmp_path: Path) -> None:
    """Advancing to 1e308 summed to an infinite downtime (the twin answered 500 for its summary);
    now beyond LAST_TIME is refused, and a session stopped at LAST_TIME, with a call at that
    instant, writes a session.yaml that reruns to the same events."""
    session = _session()
    session.request("POST", PATH, BODY, Credentials.implicit_admin())
    with pytest.raises(InputError, match="beyond the last a session can reach"):
        session.advance_to(1e308)
    with pytest.raises(InputError, match="beyond the last a session can reach"):
        session.advance_to(1e15)
    assert session.advance_to(LAST_TIME - 10) == LAST_TIME - 10
    session.request("POST", "/v1/bdbs/1/upgrade", {"force_restart": True}, Credentials.implicit_admin())
    assert session.advance(until_idle=True) <= LAST_TIME  # an upgrade's timers beyond it do not run
    assert session.advance_to(LAST_TIME) == LAST_TIME < 1e15
    session.crash(1)
    session.stop(out=tmp_path / "out", plots=False)
    assert all(math.isfinite(v) for v in session.summary()["databases"]["1"].values() if isinstance(v, float))
    rerun = run_scenario(load_scenario(tmp_path / "out" / "session.yaml"), out=tmp_path / "rerun", plots=False)
    assert rerun.summary["duration"] == session.summary()["duration"] <= 1e15
    logged = (tmp_path / "out" / "events.jsonl").read_text(encoding="utf-8").splitlines()[2:]
    assert (tmp_path / "rerun" / "events.jsonl").read_text(encoding="utf-8").splitlines()[2:] == logged


class _Level(enum.IntEnum):
    ONE = 1


class _Word(str, enum.Enum):
    YES = "yes"


SHARED = {"module_name": "ReJSON"}
#: Bodies a session must record exactly as it played them: what `session.yaml` says and replays.
AWKWARD = [
    2e15,                                                           # a body that is a number past 10¹⁵
    "2e15",                                                         # the same as JSON text
    {**BODY, "modules": [{**BODY["modules"][0], "new_module": "x\x85y"}]},   # NEL: YAML's line break
    {**BODY, "x": (_Level.ONE, _Word.YES, collections.OrderedDict(a=1.5))},  # subclasses and a tuple
    {"modules": [SHARED] * 1100},                                   # one dict shared: YAML aliases
]


@pytest.mark.parametrize("body", AWKWARD, ids=["number", "number-text", "nel", "subclasses", "shared"])
def test_what_a_session_records_reruns_event_for_event(body: object, tmp_path: Path) -> None:
    """Each of these crashed the stop (500 from the twin), or made `session.yaml` a file its own
    reader refused, or one that reran to other events."""
    session = _session()
    session.request("post", PATH, body, Credentials.implicit_admin())  # the method as a library caller wrote it
    session.advance(until_idle=True)
    session.stop(out=tmp_path / "out", plots=False)
    assert main(["run", str(tmp_path / "out" / "session.yaml"), "--no-plots", "--out", str(tmp_path / "rerun")]) \
        in (0, 1)
    logged = (tmp_path / "out" / "events.jsonl").read_text(encoding="utf-8").splitlines()[2:]
    assert (tmp_path / "rerun" / "events.jsonl").read_text(encoding="utf-8").splitlines()[2:] == logged


def test_a_method_a_scenario_cannot_hold_is_refused() -> None:
    with pytest.raises(InputError, match="method 'PATCH': a session's requests are POST, GET, PUT, DELETE"):
        _session().request("patch", PATH, BODY, Credentials.implicit_admin())


def test_a_body_sharing_one_list_a_billion_times_over_is_refused_at_once() -> None:
    """Ten levels of one shared list of ten: 10¹⁰ values to walk or write; refused by count."""
    body: object = [1] * 10
    for _ in range(10):
        body = [body] * 10
    with pytest.raises(InputError, match="more than 1,000,000 values"):
        _session().request("POST", PATH, {"modules": body}, Credentials.implicit_admin())


def test_a_session_stops_recording_before_its_yaml_outgrows_a_scenario_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the bound at 200 kB here (16 MiB less room for the header in use), calls of 40 kB bodies
    are refused with SessionFull once one more would not fit; what was recorded reruns."""
    monkeypatch.setattr(session_module, "MAX_RECORD", 200_000)
    session = _session()
    refused = 0
    for _ in range(8):
        try:
            session.request("POST", PATH, {**BODY, "note": "x" * 40_000}, Credentials.implicit_admin())
        except SessionFull as err:
            refused += 1
            assert "one more would make its session.yaml larger than a scenario file may be" in str(err)
    assert 0 < refused < 8
    session.stop(out=tmp_path / "out", plots=False)
    assert (tmp_path / "out" / "session.yaml").stat().st_size <= 200_000 + 2**16
    assert main(["run", str(tmp_path / "out" / "session.yaml"), "--no-plots", "--out", str(tmp_path / "rerun")]) \
        in (0, 1)


def test_the_size_counted_is_the_yaml_written_not_the_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text of line breaks 31 levels deep takes about 21 times its JSON in YAML (a blank line and
    the indentation per break): counted as JSON, a 960 kB body made a 22.7 MB session.yaml."""
    monkeypatch.setattr(session_module, "MAX_RECORD", 200_000)
    body: object = "a\n" * 1500
    for _ in range(31):
        body = {"k": body}
    session = _session()
    accepted = 0
    for _ in range(4):
        try:
            session.request("POST", PATH, body, Credentials.implicit_admin())
            accepted += 1
        except SessionFull:
            pass
    assert accepted == 1  # 108 kB each in YAML (4.8 kB of JSON)
    session.stop(out=tmp_path / "out", plots=False)
    assert (tmp_path / "out" / "session.yaml").stat().st_size <= 200_000 + 2**16


@pytest.mark.parametrize(("call", "says"), [
    (lambda s: s.crash(True), "node True: a node's uid is an integer"),
    (lambda s: s.crash(1.0), "node 1.0: a node's uid is an integer"),
    (lambda s: s.recover(True), "node True: a node's uid is an integer"),
    (lambda s: s.request("POST", PATH, BODY, Credentials(None, "x")), "need a user name"),
    (lambda s: s.request("POST", PATH, BODY, Credentials(1, "x")), "user name 1: a text is needed"),
    (lambda s: s.request("POST", PATH, BODY, Credentials("ops", 5)), "password 5: a text is needed"),
    (lambda s: s.request("POST", PATH + "\ud800", BODY, None), "path: a lone surrogate"),
    (lambda s: s.request("POST", b"/v1/bdbs/1/upgrade", BODY, None), "path b'/v1/bdbs/1/upgrade': a text"),
    (lambda s: s.request("POST", PATH, BODY, Credentials("o\udfffps", "x")), "user name: a lone surrogate"),
])
def test_a_library_call_no_scenario_could_record_is_refused_and_nothing_happens(call, says: str) -> None:
    """Each of these broke the stop, made an unreadable log (a gap in its seqs) or reran
    differently; now InputError, and no event."""
    session = _session()
    before = len(session.lines)
    with pytest.raises(InputError, match=re.escape(says)):
        call(session)
    assert len(session.lines) == before and session.recorded == []


def test_a_scenario_too_large_to_be_written_back_starts_no_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario whose own part of session.yaml is past the bound (a body of line breaks nested
    deep: a 782 kB file took 17.9 MB) would stop into a file its reader refuses: refused at once."""
    monkeypatch.setattr(session_module, "MAX_RECORD", 100)
    with pytest.raises(InputError, match="no session of it could be replayed"):
        _session()


def test_an_integer_past_pythons_digit_limit_is_named_not_a_crash() -> None:
    """Naming 10**5000 in the message called repr(), which raises past 4,300 digits."""
    with pytest.raises(InputError, match="the number of 16,610 bits is beyond 64 bits"):
        _session().request("POST", PATH, {**BODY, "x": 10**5000}, Credentials.implicit_admin())


def test_random_faults_bound_how_far_a_session_goes() -> None:
    """A realtime clock at speed 1e300 on random faults spun for hours on 2e12 crashes: time stops
    where the faults would pass MAX_SESSION_CRASHES (10,000 × (mtbf + mttr) / nodes)."""
    session = _session(faults={"random": {"mtbf_s": 300, "mttr_s": 60}}, duration=600)
    assert session.last_time == 10_000 * 360 / 3
    with pytest.raises(InputError, match="its random faults bound it"):
        session.advance_to(session.last_time + 1)


def _two_steps_at_ten() -> Session:
    """Random faults, and two requests at t=10 (the upgrade, then the same again: 409): two
    wake-ups at one instant, so a question between them would come inside the instant."""
    return Session(scenario_from_data(scenario_data({"replication": True}, [upgrade(10), upgrade(10)],
                                                    faults={"random": {"mtbf_s": 300, "mttr_s": 60}})))


@pytest.mark.parametrize("until_idle", [False, True], ids=["advance_to", "until idle"])
def test_an_interrupted_advance_stops_at_an_instant_a_straight_run_also_passes(until_idle: bool,
                                                                               tmp_path: Path) -> None:
    """A server asked to stop during a long advance: `interrupted` is asked between instants only
    (never inside one), time stays at the instant done, and that session is one a straight run
    reaches too — the same log to that instant, and `session.yaml` reruns event for event."""
    session = _two_steps_at_ten()
    session.advance_to(10 if until_idle else 5)  # idle before the requests at 10: nothing would run
    asked: list[tuple[float, int]] = []

    def interrupted() -> bool:
        asked.append((session.now, len(session.lines)))
        return len(asked) == 4
    session.interrupted = interrupted
    with pytest.raises(Interrupted) as stopped:
        session.advance(until_idle=True) if until_idle else session.advance_to(5_000)
    now = stopped.value.now
    assert now == session.now == asked[-1][0] and 10 < now < 5_000
    assert [t for t, _ in asked] == sorted({t for t, _ in asked})  # asked once per instant, each a new one
    lines = list(session.lines)
    assert len(lines) == asked[-1][1]                              # nothing happened after the last question
    assert [line for line in lines if '"status":409' in line]     # both requests at 10 were answered
    straight = _two_steps_at_ten()
    straight.advance_to(10 if until_idle else 5)
    straight.advance_to(now)
    assert straight.lines == lines                                 # every event of `now` happened, none after
    session.interrupted = None
    session.advance(1)
    session.stop(tmp_path / "session", plots=False)
    run_scenario(load_scenario(tmp_path / "session" / "session.yaml"), out=tmp_path / "again", plots=False)
    assert (tmp_path / "session" / "events.jsonl").read_text().splitlines()[1:] == \
        (tmp_path / "again" / "events.jsonl").read_text().splitlines()[1:]


def test_until_idle_goes_at_most_its_bound_and_reaches_it_while_still_busy() -> None:
    """A 500 TB replica syncs for 5 × 10⁶ s (at 100 MB/s): the upgrade accepted at 10 is still
    active after UNTIL_IDLE_MAX_S (10⁶ s), so `until idle` stops there — at 11 + 10⁶, not at the
    last event before it (the replica's restart end, 15), nor at the sync's end."""
    session = Session(scenario_from_data(scenario_data(
        {"replication": True, "dataset": {"bytes": 500 * 10**12, "keys": 1_000_000}}, [])))
    session.advance_to(11)
    assert session.request("POST", PATH, BODY, Credentials.implicit_admin()).status == 200
    assert session.advance(until_idle=True) == 11 + 10**6 == 11 + session_module.UNTIL_IDLE_MAX_S
    assert next(iter(session.state.actions.values())).status == "active"


def test_a_step_of_the_scenario_at_the_stop_instant_is_kept_in_session_yaml(tmp_path: Path) -> None:
    """The scenario's own upgrade at 10, the session stopped right after advancing to 10: the step
    happened, so session.yaml holds it and `run` of it makes the same action."""
    session = Session(scenario_from_data(scenario_data({"replication": True}, [upgrade(10)])))
    session.advance_to(10)
    assert session.session_data()["timeline"][0]["at"] == 10
    session.stop(tmp_path / "s", plots=False)
    again = run_scenario(load_scenario(tmp_path / "s" / "session.yaml"), out=tmp_path / "again", plots=False)
    assert [a["status"] for a in again.summary["actions"]] == ["active"]   # accepted at 10, running at the end


def test_session_yaml_keeps_the_seed_the_session_ran_with() -> None:
    """A session started with seed 99 (the scenario says 7): session.yaml says 99, so `run` draws
    the same random faults."""
    session = Session(scenario_from_data(scenario_data({"replication": True}, [])), seed=99)
    session.advance_to(5)
    assert session.session_data()["seed"] == 99


def test_the_summary_so_far_counts_an_outage_still_going_on() -> None:
    """§11 `/sim/summary` is over [0, now]: master and replica gone at 1 (nodes 1 and 2), still
    down at 30 — 29 s of downtime so far, not 0."""
    session = _session()
    session.advance_to(1)
    session.crash(1)
    session.crash(2)
    session.advance_to(30)
    figures = session.summary()["databases"]["1"]
    assert (figures["downtime_s"], figures["longest_outage_s"]) == (29, 29)
