"""Simulated time never drifts and nothing inside a run is swallowed (issue 16, items 2 and 3).

A timeline step happens at exactly its `at` (an absolute time, not `now + (at - now)`, which
rounds: 10.1 + (30.7 − 10.1) is 30.700000000000003); the window ends at exactly its end; the
log writer refuses an event out of order; and an exception raised inside the simulation
propagates, even in a scenario without a duration."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.engine import simulate
from sim.errors import InvariantViolation
from sim.events import LogHeader, LogWriter, types as ev
from sim.scenario import scenario_from_data, to_input
from tests.kit import run, scenario_data, upgrade


def _times(result_out: Path) -> list[float]:
    lines = (result_out / "events.jsonl").read_text().splitlines()[1:]
    return [json.loads(line)["t"] for line in lines]


def test_the_issues_drifting_timeline_happens_at_its_exact_times(tmp_path: Path, capsys) -> None:
    """Steps at 10.1, 30.7 and 30.7: the log holds 30.7 twice (never 30.700000000000003), and
    `run`, `replay` and `check` all exit 0 on it."""
    data = scenario_data(timeline=[{"at": 10.1, "node_crash": 1}, {"at": 30.7, "node_recover": 1},
                                   {"at": 30.7, "node_crash": 2}], duration=None)
    result = run(data, out=tmp_path / "o")
    times = _times(tmp_path / "o")
    assert times == sorted(times)
    crashes = [e for e in map(json.loads, (tmp_path / "o" / "events.jsonl").read_text().splitlines()[1:])
               if e["type"] in ("NodeCrashed", "NodeRecovered") and e["cause"] is None]
    assert [e["t"] for e in crashes] == [10.1, 30.7, 30.7]
    assert result.summary["duration"] == 30.7 + 60  # the default window: last step + 60 s
    assert main(["replay", str(tmp_path / "o" / "events.jsonl")]) == 0
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps(data))
    assert main(["check", str(scenario)]) == 0
    assert "Traceback" not in capsys.readouterr().err


@settings(max_examples=60, deadline=None)
@given(times=st.lists(st.floats(0.001, 5000, allow_nan=False).map(lambda x: round(x, 3)), min_size=1, max_size=6),
       end=st.floats(5001, 1e6).map(lambda x: round(x, 2)))
def test_every_step_and_the_window_end_happen_at_their_exact_times(times: list[float], end: float) -> None:
    """Random times with decimals: each step's root event carries exactly its `at`, and
    SimulationEnded exactly the duration (here: NodeCrashed/NodeRecovered alternate on node 3)."""
    steps = [{"at": at, "node_crash" if i % 2 == 0 else "node_recover": 3} for i, at in enumerate(sorted(times))]
    data = scenario_data(timeline=steps, duration=end)
    seen: list[ev.Event] = []
    simulate(to_input(scenario_from_data(data)), [lambda e, s: seen.append(e)])
    roots = [e.t for e in seen if isinstance(e, (ev.NodeCrashed, ev.NodeRecovered)) and e.cause is None]
    assert roots == sorted(times)
    assert seen[-1].t == end and isinstance(seen[-1], ev.SimulationEnded)
    assert [e.t for e in seen] == sorted(e.t for e in seen)


def _event(seq: int, t: float) -> ev.Event:
    return ev.QuorumLost(seq, t, None)


@pytest.mark.parametrize("events", [
    [_event(0, 5.0), _event(1, 4.999)],             # t goes back
    [_event(0, 5.0), _event(1, float("nan"))],      # not a number
    [_event(0, 5.0), _event(2, 6.0)],               # a seq gap
    [_event(1, 0.0)],                                # not starting at 0
])
def test_the_log_writer_refuses_an_event_out_of_order(tmp_path: Path, events: list[ev.Event]) -> None:
    """The invariant at its source: the writer never writes a log its reader refuses."""
    writer = LogWriter(tmp_path / "events.jsonl", LogHeader("0", "s", "h", 0))
    with pytest.raises(InvariantViolation, match="out of order"):
        for event in events:
            writer(event)
    writer.close()


def test_an_exception_inside_the_simulation_propagates_without_a_duration() -> None:
    """The issue's swallowed RuntimeError: a scenario without `duration`, a RuntimeError raised
    while the request is handled (here by a sink): it reaches the caller; no run ends `ok`."""
    data = scenario_data({"replication": True}, [upgrade(at=10)], duration=None)

    def sink(event: ev.Event, state: object) -> None:
        if isinstance(event, ev.ActionStarted):
            raise RuntimeError("a bug while the action starts")

    with pytest.raises(RuntimeError, match="a bug while the action starts"):
        simulate(to_input(scenario_from_data(data)), [sink])


def test_a_stuck_action_still_ends_the_window() -> None:
    """"Nothing left to happen" is the only thing handled: an action waiting for a node that never
    returns ends the default window 60 s after the last step, and the action stays running."""
    data = scenario_data({"replication": True}, [{"at": 5, "node_crash": 2}, upgrade(at=10)], duration=None)
    result = run(data)
    assert result.summary["duration"] == 70.0
