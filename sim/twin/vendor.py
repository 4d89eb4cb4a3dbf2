"""The vendor's endpoints (`/v1/...`, SPEC §11) with the vendor's descriptions: reads served
from the live state (`sim.api.resources`), upgrade requests handed to the API layer.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sim.api import resources as res
from sim.model.sizes import whole_number
from sim.model.state import ClusterState
from sim.model.users import ROLES
from sim.session import Session
from sim.twin.answers import GuardedRoute, error_response, json_response, twin_of
from sim.twin.auth import READERS, USER_READERS, check_read, credentials_of
from sim.twin.bodies import BodyError, decode_json
from sim.twin.core import encode

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["Redis Software REST API (simulated)"], route_class=GuardedRoute)

Build = Callable[[Session], tuple[int, Any]]


def _read(request: Request, build: Build, roles: frozenset[str] = READERS) -> Response:
    twin = twin_of(request)
    state = twin.session.state
    refusal = check_read(state, credentials_of(state, request.headers.get("authorization")), roles)
    if refusal is not None:
        return error_response(refusal.status, refusal.error_code, refusal.message)
    status, payload = twin.read(request.url.path, build)
    return json_response(status, payload)


def _missing(kind: str, uid: str) -> tuple[int, dict[str, str]]:
    return 404, {"error_code": f"{kind}_not_found", "message": f"{kind} {uid} does not exist"}




def _found(kind: str, uid: str, table: Callable[[ClusterState], dict[Any, Any]], key: Any,
           answer: Callable[[Session, Any], tuple[int, Any]]) -> Build:
    """A builder answering about the object of `table(state)` under `key`, or 404 `<kind>_not_found`."""
    def build(session: Session) -> tuple[int, Any]:
        found = table(session.state).get(key) if key is not None else None
        return answer(session, found) if found is not None else _missing(kind, uid)
    return build


def _one(kind: str, uid: str, table: Callable[[ClusterState], dict[Any, Any]], key: Any,
         shape: Callable[[Session, Any], Any]) -> Build:
    """A builder answering 200 with the shape of one object, or 404 `<kind>_not_found`."""
    return _found(kind, uid, table, key, lambda session, found: (200, shape(session, found)))


# --- cluster, nodes -------------------------------------------------------------------------------

@router.get("/cluster", summary="Get cluster info",
            description="Get the cluster's configuration: its name and replica high-availability policy.")
async def get_cluster(request: Request) -> Response:
    return _read(request, lambda s: (200, res.cluster_resource(s.state)))


@router.get("/cluster/policy", summary="Get cluster policy",
            description="Get the cluster's policy: the settings an upgrade and replica HA follow.")
async def get_cluster_policy(request: Request) -> Response:
    return _read(request, lambda s: (200, res.policy_resource(s.state)))


@router.get("/nodes", summary="Get all cluster nodes", description="Get all cluster nodes.")
async def get_nodes(request: Request) -> Response:
    return _read(request, lambda s: (200, [res.node_resource(s.state, n) for n in s.state.nodes.values()]))


@router.get("/nodes/{uid}", summary="Get a single cluster node", description="Get a single cluster node.")
async def get_node(uid: str, request: Request) -> Response:
    return _read(request, _one("node", uid, lambda st: st.nodes, whole_number(uid),
                               lambda s, node: res.node_resource(s.state, node)))


# --- databases ------------------------------------------------------------------------------------

@router.get("/bdbs", summary="Get all databases", description="Get all databases in the cluster.")
async def get_bdbs(request: Request) -> Response:
    return _read(request, lambda s: (200, [res.bdb_resource(s.state, b) for b in s.state.bdbs.values()]))


@router.get("/bdbs/{uid}", summary="Get a single database",
            description="Get a single database. `action_uid` names its latest action (`GET /v1/actions/{uid}`).")
async def get_bdb(uid: str, request: Request) -> Response:
    return _read(request, _one("bdb", uid, lambda st: st.bdbs, whole_number(uid),
                               lambda s, bdb: res.bdb_resource(s.state, bdb)))


@router.get("/bdbs/{uid}/shards", summary="Get all shards of a database",
            description="Get all the shards of a database.")
async def get_bdb_shards(uid: str, request: Request) -> Response:
    def shards(session: Session, bdb: Any) -> list[dict[str, Any]]:
        state = session.state
        uids = sorted(u for pair in bdb.pairs for u in pair.shards)
        return [res.shard_resource(state, state.shards[u], session.now) for u in uids]
    return _read(request, _one("bdb", uid, lambda st: st.bdbs, whole_number(uid), shards))


@router.get("/bdbs/{uid}/availability", summary="Verifies database availability",
            description="Verify that a database can serve reads and writes: 200 with `{}` while every hash slot "
                        "has a serving master, else 503 with `error_code` and `description`.")
async def get_bdb_availability(uid: str, request: Request) -> Response:
    return _read(request, _found("bdb", uid, lambda st: st.bdbs, whole_number(uid),
                                 lambda s, bdb: res.availability(s.state, bdb)))


# --- shards, modules ------------------------------------------------------------------------------

@router.get("/shards", summary="Get all shards", description="Get all the cluster's shards.")
async def get_shards(request: Request) -> Response:
    return _read(request, lambda s: (200, [res.shard_resource(s.state, shard, s.now)
                                           for _, shard in sorted(s.state.shards.items())]))


@router.get("/shards/{uid}", summary="Get a single shard", description="Get information about a single shard.")
async def get_shard(uid: str, request: Request) -> Response:
    return _read(request, _one("shard", uid, lambda st: st.shards, whole_number(uid),
                               lambda s, shard: res.shard_resource(s.state, shard, s.now)))


@router.get("/modules", summary="List available modules",
            description="List the modules uploaded to the cluster (every version of each).")
async def get_modules(request: Request) -> Response:
    return _read(request, lambda s: (200, [res.module_resource(m) for m in s.state.modules.values()]))


@router.get("/modules/{uid}", summary="Get a specific module", description="Get a specific uploaded module.")
async def get_module(uid: str, request: Request) -> Response:
    return _read(request, _one("module", uid, lambda st: {k.lower(): v for k, v in st.modules.items()}, uid.lower(),
                               lambda s, module: res.module_resource(module)))


# --- actions, users -------------------------------------------------------------------------------

@router.get("/actions", summary="Get all actions",
            description="Get the status of all running, pending, or completed actions on all clusters, nodes, and "
                        "databases: `actions` (none here) and `state-machines`.")
async def get_actions(request: Request) -> Response:
    return _read(request, lambda s: (200, res.actions_resource(s.state)))


@router.get("/actions/bdb/{uid}", summary="Get the status of a specific database's actions",
            description="Get the status of all currently executing, pending, or completed state-machine-related "
                        "actions for a specific database (a list).")
async def get_bdb_actions(uid: str, request: Request) -> Response:
    return _read(request, _one("bdb", uid, lambda st: st.bdbs, whole_number(uid), lambda s, bdb: [
        res.action_resource(a) for a in s.state.actions.values() if a.bdb_uid == bdb.uid]))


@router.get("/actions/{uid}", summary="Get a single action",
            description="Get the status of a specific action: `status` (pending, active, completed, failed), the "
                        "state machine's `state`, `progress` (0-100) and, for a failed action, `error`.")
async def get_action(uid: str, request: Request) -> Response:
    return _read(request, _one("action", uid, lambda st: st.actions, uid, lambda s, a: res.action_resource(a)))


@router.get("/users", summary="Get all users",
            description="Get the cluster's users (never their passwords). Roles admin and user_manager only.")
async def get_users(request: Request) -> Response:
    return _read(request, lambda s: (200, res.user_resources(s.state.users)), USER_READERS)


@router.get("/users/{uid}", summary="Get a single user",
            description="Get a single user (never its password). Roles admin and user_manager only.")
async def get_user(uid: str, request: Request) -> Response:
    def build(session: Session) -> tuple[int, Any]:
        users = {u["uid"]: u for u in res.user_resources(session.state.users)}
        key = whole_number(uid)
        return (200, users[key]) if key in users else _missing("user", uid)
    return _read(request, build, USER_READERS)


# --- the upgrade requests -------------------------------------------------------------------------

_MODULE_UPGRADE = ("Upgrade a module on a database: restarts its shards on the new module version through the "
                   "`SMUpgradeBDB` state machine. Answered at once (200 with `action_uid`, or the error of the first "
                   "failing check, in the vendor's order); poll `GET /v1/actions/{action_uid}`.")
_BDB_UPGRADE = ("Upgrade a database's Redis version (and its modules) through the `SMUpgradeBDB` state machine. "
                "Answered at once; poll `GET /v1/actions/{action_uid}`. Served when the API layer knows it.")


@router.post("/bdbs/{uid}/modules/upgrade", summary="Upgrade a database's modules", description=_MODULE_UPGRADE)
async def post_module_upgrade(uid: str, request: Request) -> Response:
    return await _post(request)


@router.post("/bdbs/{uid}/upgrade", summary="Upgrade a database", description=_BDB_UPGRADE)
async def post_bdb_upgrade(uid: str, request: Request) -> Response:
    return await _post(request)


async def _post(request: Request) -> Response:
    """A request that may change the cluster: decoded here, answered by the API layer (and
    recorded in the session, rejected or not)."""
    raw = await request.body()
    twin = twin_of(request)
    state = twin.session.state
    credentials = credentials_of(state, request.headers.get("authorization"))
    try:
        body = decode_json(raw)
    except BodyError as err:
        refusal = check_read(state, credentials, frozenset(ROLES))  # who may not even call: 401 first
        if refusal is not None:
            return error_response(refusal.status, refusal.error_code, refusal.message)
        return error_response(400, "invalid_request", str(err))
    answer = twin.request("POST", request.url.path, body, credentials)  # stopped: 409 (GuardedRoute)
    if answer is None:
        return error_response(404, "not_found", f"POST {request.url.path} is not an endpoint this simulator answers")
    return json_response(answer.status, encode(answer.body))
