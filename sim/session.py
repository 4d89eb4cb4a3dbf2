"""A live simulation driven from outside (the REST twin, SPEC §11): the same engine and the same
validation as a scenario's timeline, but requests and faults arrive "now", time moves on
demand, and the whole session is kept as a scenario that `run` reproduces event for event.

    session = Session(load_scenario("scenarios/default.yaml"))
    session.advance_to(10)
    answer = session.request("POST", "/v1/bdbs/1/modules/upgrade", body, Credentials("admin"))
    session.advance(until_idle=True)
    result = session.stop("out/rehearsal")        # events.jsonl, summary.json, report.html, session.yaml
"""
from __future__ import annotations

import copy
import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.api.requests import Credentials, checked_body
from sim.engine import ClusterRecoverStep, Engine, NodeCrashStep, NodeRecoverStep, RequestStep, Step
from sim.engine.timeline import play_step
from sim.errors import InputError
from sim.events import LogHeader, encode_event
from sim.events import types as ev
from sim.jsontext import has_lone_surrogate
from sim.metrics import OutcomeProjection
from sim.metrics.explain import Explainer
from sim.model.config import FLOAT_LIMIT
from sim.model.state import ClusterState
from sim.run import RunResult, atomic_folder, build_summary, finish_run, write_outputs
from sim.scenario import Scenario, content_hash, scenario_from_data, scenario_yaml, to_input
from sim.scenario.dump import step_yaml_size
from sim.scenario.yamlsource import MAX_BYTES
from sim.version import __version__

__all__ = ["Session", "Answer", "SessionFull", "Interrupted", "UNTIL_IDLE_MAX_S", "LAST_TIME", "METHODS", "MAX_RECORD",
           "MAX_SESSION_CRASHES"]

#: `advance(until_idle=True)` stops after at most this many simulated seconds.
UNTIL_IDLE_MAX_S = 1e6
#: The last simulated time a session reaches: just under the largest a scenario holds, so that
#: `session.yaml` (its duration a step past its last call) is a valid scenario and every figure of
#: the summary stays finite (a stop at t=1e308 summed to infinity: a 500 from the twin).
LAST_TIME = math.nextafter(FLOAT_LIMIT, 0.0)


#: Random crashes a session may reach (a session keeps its whole log in memory; a scenario file's
#: run may hold MAX_RANDOM_CRASHES): time stops where its random faults would pass this.
MAX_SESSION_CRASHES = 10_000
#: The methods a recorded request may have (a scenario's `request.method`).
METHODS = ("POST", "GET", "PUT", "DELETE")
#: Most bytes `session.yaml` may reach: a scenario file's bound, less room for its header comment.
MAX_RECORD = MAX_BYTES - 2**16


class SessionFull(InputError):
    """One more call would make `session.yaml` larger than a scenario file may be."""


class Interrupted(Exception):
    """Time stopped before where it was asked to go: the session's `interrupted` said so (the
    server is shutting down). `now` is the instant reached; everything due up to it happened."""

    def __init__(self, now: float) -> None:
        super().__init__(f"time stopped at t={now!r}")
        self.now = now


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """The answer to a request: HTTP status and body (the error object on a rejection)."""

    status: int
    body: dict[str, Any]


class Session:
    """One rehearsal: a scenario's cluster, its own timeline played as time passes, and every
    state-changing call recorded as a timeline step at the simulated instant it arrived."""

    def __init__(self, scenario: Scenario, seed: int | None = None, check_invariants: bool = False) -> None:
        self.scenario = scenario
        inputs = to_input(scenario, seed)
        self.seed = inputs.seed
        self.timing = inputs.timing
        self.projection = OutcomeProjection()
        self.explainer = Explainer()
        self.lines: list[str] = []
        self.recorded: list[dict[str, Any]] = []
        #: the last time this session reaches: LAST_TIME, or sooner when random faults would crash
        #: nodes more often by then than a run may hold (as the loader bounds a scenario's window)
        self.last_time = _last_time(scenario)
        #: bytes of `session.yaml` so far: the scenario's own part, then each call's step
        self._size = len(scenario_yaml(scenario.model_dump(mode="json", exclude_unset=True)).encode())
        if self._size > MAX_RECORD:  # a body of line breaks deep in a 782 kB file is 17.9 MB in YAML
            raise InputError(f"the scenario written back as session.yaml would take {self._size:,} bytes, more than "
                             f"a scenario file may be ({MAX_BYTES // 2**20} MiB): no session of it could be replayed")
        # the window ends when the session stops: the log's first event says so when it is written
        self.engine = Engine(dataclasses.replace(inputs, duration=None),
                             [self.projection, self.explainer, self._keep], check_invariants)
        self.engine.start()
        self.stopped: RunResult | None = None
        #: asked between two instants while time runs (`advance_to`, `advance`): True stops time at
        #: the instant just done, and the call raises Interrupted (the twin: its server is stopping)
        self.interrupted: Callable[[], bool] | None = None

    # --- reading ------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The simulated time."""
        return float(self.engine.rt.env.now)

    @property
    def state(self) -> ClusterState:
        """The cluster as it is now (read it; never change it)."""
        return self.engine.rt.state

    def events_since(self, seq: int) -> list[str]:
        """The log's lines (JSON, without newline) of the events from `seq` on."""
        return self.lines[max(seq, 0):]

    def summary(self) -> dict[str, Any]:
        """The `summary.json` figures over [0, now] (no expectations: they are checked at stop)."""
        if self.stopped is not None:
            return self.stopped.summary
        projection = copy.copy(self.projection)
        projection.tallies = {uid: copy.copy(tally) for uid, tally in self.projection.tallies.items()}
        for tally in projection.tallies.values():
            tally.finish(self.now)
        projection.end = self.now
        return build_summary(self.scenario.name, self.seed, projection, self.state)

    # --- time -------------------------------------------------------------------------------------

    def advance_to(self, t: float) -> float:
        """Let simulated time run to `t` (everything due up to it happens); returns now. Raises
        InputError for a time before now or after LAST_TIME, Interrupted (see `interrupted`)."""
        self._check_open()
        if t < self.now:
            raise InputError(f"time {t:g} is before now ({self.now:g}): simulated time never goes back")
        if not t <= self.last_time:
            why = f"just under {FLOAT_LIMIT:g} s" if self.last_time == LAST_TIME else \
                f"{self.last_time:g} s: its random faults bound it"
            raise InputError(f"time {t:g} is beyond the last a session can reach ({why})")
        if not self.engine.advance_to(t, self.interrupted):
            raise Interrupted(self.now)
        return self.now

    def advance(self, seconds: float | None = None, until_idle: bool = False) -> float:
        """Move on by `seconds`, or until no action is pending or active (at most
        UNTIL_IDLE_MAX_S); returns now. Raises Interrupted (see `interrupted`)."""
        if until_idle:
            limit = min(self.now + UNTIL_IDLE_MAX_S, self.last_time)
            if not self.engine.run_while_busy(limit, self.interrupted):
                raise Interrupted(self.now)
            if self.engine.running:  # still busy at the bound: time reaches it (nothing more is due by then)
                self.engine.advance_to(limit)
            return self.now
        return self.advance_to(self.now + (seconds or 0.0))

    # --- calls that change the cluster ----------------------------------------------------------

    def request(self, method: str, path: str, body: Any, credentials: Credentials | None) -> Answer:
        """A REST request now, through the same validation and engine as a timeline step. Raises
        InputError (nothing happens) for a body given as Python data that no JSON text could say
        (NaN, a date, a key that is not a text …: the log could not keep it), a method other than
        METHODS, and SessionFull when `session.yaml` would outgrow what a scenario file may be."""
        problem, body = checked_body(body)  # a plain copy: as recorded, so as `session.yaml` replays it
        if problem:
            raise InputError(f"the request body must be what a JSON text could hold: {problem}")
        method = method.upper()
        if method not in METHODS:
            raise InputError(f"method {method!r}: a session's requests are {', '.join(METHODS)}")
        _check_texts(path=path, **_credential_texts(credentials))
        answer = self._play(RequestStep(self.now, method, path, body, credentials), _request_step(
            self.now, method, path, body, credentials))
        assert isinstance(answer, (ev.RequestAccepted, ev.RequestRejected))
        if isinstance(answer, ev.RequestAccepted):
            return Answer(answer.status, answer.response)
        return Answer(answer.status, {"error_code": answer.error_code, "message": answer.message})

    def crash(self, node: int) -> None:
        """Crash a node now; KeyError for an unknown node."""
        self._node(node)
        self._play(NodeCrashStep(self.now, node), {"at": self.now, "node_crash": node})

    def recover(self, node: int) -> None:
        """Bring a node back now; KeyError for an unknown node."""
        self._node(node)
        self._play(NodeRecoverStep(self.now, node), {"at": self.now, "node_recover": node})

    def recover_cluster(self) -> None:
        """Recover a lost cluster now (SPEC §5)."""
        self._play(ClusterRecoverStep(self.now), {"at": self.now, "cluster_recover": True})

    # --- the end ------------------------------------------------------------------------------------

    def stop(self, out: str | Path | None = None, plots: bool = True) -> RunResult:
        """End the session now: the window closes, the expectations are checked, and with `out`
        the outputs are written there (`events.jsonl`, `summary.json`, `report.html`, plots, and
        `session.yaml`, the scenario that reproduces the session)."""
        if self.stopped is not None:
            return self.stopped
        if self.now <= 0 or any(step["at"] >= self.now for step in self._steps()):
            # a scenario's window is not empty and its steps come before its end (the loader's
            # rules): a stop at t=0, or at the instant of a call, ends at the next representable instant
            self.engine.advance_to(math.nextafter(self.now, math.inf))  # LAST_TIME leaves room for it
        end = self.now
        self.engine.finish(end)
        result = finish_run(self.scenario, self.seed, self.projection, self.state, out)
        if out is not None:
            session = self.session_scenario()
            with atomic_folder(out) as folder:
                assert folder is not None
                header = LogHeader(__version__, session.name, content_hash(session), self.seed)
                (folder / "events.jsonl").write_text(self._log_text(header, end), encoding="utf-8")
                (folder / "session.yaml").write_text(self.session_yaml(), encoding="utf-8")
                write_outputs(folder, result, plots, self.explainer.lines(), self.timing.model_dump(mode="json"))
        self.stopped = result
        return result

    def session_data(self) -> dict[str, Any]:
        """The session as scenario data: the scenario with every recorded call as a timeline step
        (after its own steps at the same instant) and `duration` = now."""
        data = self.scenario.model_dump(mode="json", exclude_unset=True)
        data["timeline"] = self._steps(data)
        data["duration"] = self.now
        data["seed"] = self.seed
        return data

    def session_scenario(self) -> Scenario:
        """The session as a validated scenario."""
        return scenario_from_data(self.session_data())

    def session_yaml(self) -> str:
        """`session.yaml`: the session data as a scenario file, with a header saying what it is."""
        comment = (f"The session of scenario {self.scenario.name!r} recorded by `upgrade-sim serve`: its own timeline "
                   f"and every state-changing call ({len(self.recorded)}) at the simulated instant it arrived; "
                   f"the window ends when the session stopped (t={self.now:g}). `upgrade-sim run` reproduces it.")
        return scenario_yaml(self.session_data(), comment)

    # --- inside -------------------------------------------------------------------------------------

    def _steps(self, data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The session's timeline: the scenario's own steps that happened (not those after now)
        and every recorded call, by time (stable: own steps first at one instant)."""
        if data is None:
            data = self.scenario.model_dump(mode="json", exclude_unset=True)
        own = [step for step in data.get("timeline", []) if step["at"] <= self.now]
        return sorted(own + self.recorded, key=lambda step: step["at"])

    def _keep(self, event: ev.Event, state: ClusterState) -> None:
        self.lines.append(encode_event(event))

    def _play(self, step: Step, record: dict[str, Any]) -> ev.Event | None:
        """Carry out a step now, after everything already due now, as a scenario's step would be."""
        self._check_open()
        self._make_room(record)
        self.engine.run_until(self.now)
        answer = play_step(self.engine.rt, step)
        self.engine.settle()
        self.recorded.append(record)
        return answer

    def _make_room(self, record: dict[str, Any]) -> None:
        """Count the step into `session.yaml`'s size; SessionFull (nothing recorded) past MAX_RECORD."""
        size = step_yaml_size(record)  # exactly what it adds to the file
        if self._size + size > MAX_RECORD:
            raise SessionFull(f"the session has recorded {len(self.recorded):,} calls: one more would make its "
                              f"session.yaml larger than a scenario file may be ({MAX_BYTES // 2**20} MiB); stop it "
                              "(POST /sim/stop) and start another")
        self._size += size

    def _node(self, node: int) -> None:
        if type(node) is not int:  # True or 1.0 would find node 1, and be recorded as no scenario says it
            raise InputError(f"node {node!r}: a node's uid is an integer")
        if node not in self.state.nodes:
            raise KeyError(f"node {node} is not in the cluster")

    def _check_open(self) -> None:
        if self.stopped is not None:
            raise InputError("the session is stopped")

    def _log_text(self, header: LogHeader, end: float) -> str:
        """The log as `run session.yaml` writes it: its first event's window ends at the stop."""
        started = self.engine.started
        assert started is not None
        window: dict[str, Any] = {**started.window, "end": end}
        first = dataclasses.replace(started, **{"window": window})  # type: ignore[arg-type]
        head = json.dumps(header.to_record(), separators=(",", ":"))
        return "".join([head + "\n", encode_event(first) + "\n", *(line + "\n" for line in self.lines[1:])])


def _last_time(scenario: Scenario) -> float:
    """LAST_TIME, or the time by which the scenario's random faults would have crashed nodes
    MAX_SESSION_CRASHES times (a realtime clock at speed 1e300 spun for hours on 2e12 crashes)."""
    random = scenario.faults.random
    if random is None:
        return LAST_TIME
    nodes = len(random.nodes or scenario.cluster.nodes)
    return min(LAST_TIME, MAX_SESSION_CRASHES * (random.mtbf_s + random.mttr_s) / max(nodes, 1))


def _credential_texts(credentials: Credentials | None) -> dict[str, str | None]:
    """The texts of credentials that a step records (InputError if they are not texts): a named user
    needs a name, as `user:` in a scenario does."""
    if credentials is None or credentials.implicit:
        return {}
    if credentials.name is None:
        raise InputError("credentials that are not the implicit admin's need a user name")
    return {"user name": credentials.name, "password": credentials.password}


def _check_texts(**texts: str | None) -> None:
    """InputError naming the first value that is not a text a scenario file can hold."""
    for what, text in texts.items():
        if text is None and what == "password":
            continue
        if type(text) is not str:
            raise InputError(f"{what} {text!r}: a text is needed")
        if not text.isascii() and has_lone_surrogate(text):
            raise InputError(f"{what}: a lone surrogate (\\ud800-\\udfff) is not text")


def _request_step(at: float, method: str, path: str, body: Any, credentials: Credentials | None) -> dict[str, Any]:
    """A recorded request as a timeline step, as an operator would write it."""
    request: dict[str, Any] = {"method": method, "path": path, "body": body}
    if credentials is None:
        request["user"] = None
    elif not credentials.implicit:
        request["user"] = credentials.name if credentials.password is None else \
            {"name": credentials.name, "password": credentials.password}
    return {"at": at, "request": request}
