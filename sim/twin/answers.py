"""Answers of the twin: JSON bodies, vendor-style error objects, and routes whose unexpected
failures are answered as a JSON 500 (the server logs the traceback and goes on)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from sim.session import SessionFull
from sim.twin.bodies import BodyTooLarge
from sim.twin.core import SessionStopped, Twin, encode

__all__ = ["json_response", "error_response", "GuardedRoute", "twin_of"]

_log = logging.getLogger("upgrade-sim.twin")


def json_response(status: int, payload: bytes, headers: dict[str, str] | None = None) -> Response:
    """An answer with a JSON body."""
    return Response(content=payload, status_code=status, media_type="application/json", headers=headers)


def error_response(status: int, code: str, message: str) -> Response:
    """A vendor-style error: `{"error_code", "message"}` (401 also asks for Basic credentials)."""
    headers = {"WWW-Authenticate": 'Basic realm="upgrade-sim"'} if status == 401 else None
    return json_response(status, encode({"error_code": code, "message": message}), headers)


class GuardedRoute(APIRoute):
    """A route answering a change asked of a stopped session with 409 `session_stopped`, and a
    bug in its handler with a JSON 500 `internal_error` (Starlette's own error page would be
    text, sent before the connection is dropped)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except (HTTPException, BodyTooLarge):
                raise  # answered by the app's handlers: 404, 405, 413
            except SessionStopped as err:
                return error_response(409, "session_stopped", str(err))
            except SessionFull as err:
                return error_response(413, "payload_too_large", str(err))
            except Exception as exc:
                _log.exception("internal error answering %s %s", request.method, request.url.path)
                return error_response(500, "internal_error", f"{type(exc).__name__}: {exc}")

        return guarded


def twin_of(request: Request) -> Twin:
    """The twin an application serves (`sim.twin.app.create_app` keeps it in the app's state)."""
    twin: Twin = request.app.state.twin
    return twin
