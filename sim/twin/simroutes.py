"""The simulator's own endpoints (`/sim/...`, SPEC §11): the clock, faults, the summary and the
event log so far, and the stop that writes the session's outputs. No authentication: they
drive the simulation, not the cluster.
"""
from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sim.errors import InputError
from sim.model.sizes import whole_number
from sim.session import UNTIL_IDLE_MAX_S, Interrupted
from sim.twin.answers import GuardedRoute, error_response, json_response, twin_of
from sim.twin.bodies import BodyError, decode_json
from sim.twin.core import encode

__all__ = ["router", "parse_advance"]

router = APIRouter(prefix="/sim", tags=["simulator (not the vendor's)"], route_class=GuardedRoute)


def _t(now: float) -> Response:
    return json_response(200, encode({"t": now}))


def parse_advance(body: Any) -> tuple[str, float | None]:
    """`("seconds", X)`, `("to", T)` or `("until", None)` from an advance body; ValueError
    naming the problem otherwise (exactly one key; finite, non-negative numbers)."""
    if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in ("seconds", "to", "until"):
        raise ValueError('give exactly one of {"seconds": X}, {"to": T} or {"until": "idle"}')
    key, value = next(iter(body.items()))
    if key == "until":
        if value != "idle":
            raise ValueError(f'until: only "idle" is known, not {value!r}')
        return key, None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{key}: a finite number of seconds >= 0 is needed, not {value!r}")
    return key, float(value)


@router.get("/clock", summary="The simulated time",
            description="`t` (simulated seconds since the start), the clock's mode and speed.")
async def get_clock(request: Request) -> Response:
    twin = twin_of(request)
    with twin.now() as session:
        now = session.now
    return json_response(200, encode({"t": now, "clock": twin.clock.mode, "speed": twin.clock.speed}))


@router.post("/advance", summary="Move simulated time on",
             description='Body `{"seconds": X}`, `{"to": T}` or `{"until": "idle"}` (until no action is pending or '
                         f'active, at most {UNTIL_IDLE_MAX_S:g} s). Everything due meanwhile happens. With a realtime '
                         "clock, time then goes on from there. If the server is asked to stop meanwhile (SIGTERM, "
                         "Ctrl-C), time stops at the last instant done: 503 `shutting_down`, naming it.")
async def post_advance(request: Request) -> Response:
    try:
        key, value = parse_advance(decode_json(await request.body()))
    except (BodyError, ValueError) as err:
        return error_response(400, "invalid_request", str(err))
    twin = twin_of(request)
    try:
        if key == "until":
            return _t(twin.advance(until_idle=True))
        return _t(twin.advance(seconds=value) if key == "seconds" else twin.advance(to=value))
    except InputError as err:
        return error_response(400, "invalid_request", str(err))
    except Interrupted as stopped:  # asked to stop while time ran (SIGTERM, Ctrl-C): it stopped at an instant
        return error_response(503, "shutting_down", f"the twin is stopping: {stopped}, where the session stops")


async def _node_call(request: Request, uid: str, recover: bool) -> Response:
    twin = twin_of(request)
    node = whole_number(uid)
    try:
        if node is None:
            raise KeyError(uid)
        return _t(twin.recover(node) if recover else twin.crash(node))
    except KeyError:
        return error_response(404, "node_not_found", f"node {uid} is not in the cluster")


@router.post("/nodes/{uid}/crash", summary="Crash a node now",
             description="Every shard process on the node dies at this instant (recorded in the session).")
async def post_crash(uid: str, request: Request) -> Response:
    return await _node_call(request, uid, recover=False)


@router.post("/nodes/{uid}/recover", summary="Bring a node back now", description="The node returns at this instant.")
async def post_recover(uid: str, request: Request) -> Response:
    return await _node_call(request, uid, recover=True)


@router.post("/cluster/recover", summary="Recover a lost cluster now",
             description="A cluster recovery (after quorum loss); refused without quorum, a no-op on a cluster that "
                         "is not lost — recorded either way.")
async def post_cluster_recover(request: Request) -> Response:
    return _t(twin_of(request).recover_cluster())


@router.get("/summary", summary="The outcome so far",
            description="The `summary.json` figures over [0, now] (after the stop: the final summary, expectations "
                        "included).")
async def get_summary(request: Request) -> Response:
    status, payload = twin_of(request).read("/sim/summary", lambda s: (200, s.summary()))
    return json_response(status, payload)


@router.get("/events", summary="The event log so far",
            description="The log's events from `seq` `since` on (default 0), one JSON object per line (JSON Lines).")
async def get_events(request: Request) -> Response:
    since_text = request.query_params.get("since", "0")
    since = whole_number(since_text)
    if since is None:
        return error_response(400, "invalid_request", f"since: a seq (an integer from 0 to 2**63 - 1) is needed, "
                                                      f"not {since_text[:40]!r}")
    with twin_of(request).now() as session:
        lines = session.events_since(since)
    return Response(content="".join(line + "\n" for line in lines), media_type="application/x-ndjson")


@router.post("/stop", summary="Stop the session and write its outputs",
             description="Writes events.jsonl, summary.json, report.html and session.yaml into the output folder, "
                         "checks the scenario's expectations, answers, then the server exits (1 if an expectation "
                         "is unmet).")
async def post_stop(request: Request) -> Response:
    twin = twin_of(request)
    result = twin.stop()
    unmet = [r.to_record() for r in result.failed]
    return json_response(200, encode({"t": result.summary["duration"], "out": str(twin.out) if twin.out else None,
                                      "ok": result.ok, "unmet": unmet}))
