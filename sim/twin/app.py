"""The ASGI application of the REST twin: FastAPI with the vendor's and the simulator's
routes, the live page, JSON errors for every failure (404, 405, 413, 500), and the body limit.
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from sim.twin import simroutes, vendor
from sim.twin.answers import GuardedRoute, error_response
from sim.twin.bodies import BodyLimit, BodyTooLarge, too_large_body
from sim.twin.core import Twin
from sim.twin.live import live_page
from sim.version import __version__

__all__ = ["create_app"]

_DESCRIPTION = """A simulated Redis Software cluster (upgrade-sim's REST twin).

`/v1/...` are the vendor's endpoints with its paths, object shapes and error codes, answered
from the simulation at the simulated instant each request arrives; Basic authentication
against the scenario's users (email or name). `/sim/...` drive the simulation (no
authentication): the clock, node faults, the summary so far, the event log, and the stop
that writes the session's outputs — `session.yaml` among them, which `upgrade-sim run`
replays event for event. `GET /` is a live page for people watching.
"""


def _fastapi(twin: Twin) -> FastAPI:
    app = FastAPI(title="upgrade-sim REST twin", version=__version__, description=_DESCRIPTION,
                  docs_url="/docs", redoc_url=None, redirect_slashes=False)
    app.state.twin = twin
    app.router.route_class = GuardedRoute
    app.include_router(vendor.router)
    app.include_router(simroutes.router)

    @app.get("/", summary="Live page", response_class=HTMLResponse, tags=["simulator (not the vendor's)"],
             description="The report over [0, now]: actions with their state and progress, nodes and shards, "
                         "outcomes so far; reloads itself every few seconds.")
    async def get_live(request: Request) -> Response:
        stopped = str(twin.out) if twin.stopped and twin.out is not None else None
        status, payload = twin.read("/", lambda s: (200, live_page(s, twin.clock.describe(), stopped)),
                                    lambda page: page.encode("utf-8"))
        return Response(content=payload, status_code=status, media_type="text/html; charset=utf-8")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            response = error_response(405, "method_not_allowed",
                                      f"{request.method} is not allowed on {request.url.path}")
            if exc.headers and "Allow" in exc.headers:
                response.headers["Allow"] = exc.headers["Allow"]
            return response
        if exc.status_code == 404:
            return error_response(404, "not_found", f"no endpoint {request.method} {request.url.path}")
        return error_response(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(400, "invalid_request", str(exc.errors()[:1]))

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        body = too_large_body()
        return error_response(413, body["error_code"], body["message"])

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        return error_response(500, "internal_error", f"{type(exc).__name__}: {exc}")

    return app


def create_app(twin: Twin) -> ASGIApp:
    """The application serving `twin`: FastAPI inside the body limit."""
    return BodyLimit(_fastapi(twin))
