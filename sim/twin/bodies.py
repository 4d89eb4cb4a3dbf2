"""Request bodies at the HTTP edge: strict JSON (no duplicate keys, no NaN) and a size limit.

A body the server cannot decode is answered here (400 `invalid_request`, 413
`payload_too_large`) and never reaches the cluster's API: it is not part of the session.
"""
from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sim.api.requests import JsonBodyError, strict_json

__all__ = ["MAX_BODY_BYTES", "BodyError", "BodyTooLarge", "decode_json", "BodyLimit", "too_large_body"]

#: The largest request body accepted: 1 MB (10⁶ bytes, as sizes are counted here).
MAX_BODY_BYTES = 1_000_000


#: A body that is not strict JSON (or not UTF-8 text); the message says where. The API layer's own error.
BodyError = JsonBodyError


def decode_json(raw: bytes) -> Any:
    """The JSON value of a body (None for an empty one); BodyError if it is not UTF-8 text of
    strict JSON (`sim.api.requests.strict_json`: no duplicate key, no NaN or Infinity)."""
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BodyError(f"the body is not UTF-8 text (byte {err.start})") from None
    return strict_json(text)


class BodyLimit:
    """ASGI middleware: a request whose body exceeds `limit` bytes is answered 413 with a JSON
    error, whether it declares its length or streams it in chunks."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _drain(receive, True)
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    await _drain(receive, message.get("more_body", False))
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(too_large_body(self.limit)).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def too_large_body(limit: int = MAX_BODY_BYTES) -> dict[str, str]:
    """The 413 error object."""
    return {"error_code": "payload_too_large", "message": f"the request body exceeds {limit:,} bytes"}


async def _drain(receive: Receive, more: bool) -> None:
    """Read and drop the rest of a refused body (at most _DRAIN_MAX bytes): a client still
    sending gets the 413, not a reset connection."""
    dropped = 0
    while more and dropped <= _DRAIN_MAX:
        message = await receive()
        if message["type"] != "http.request":
            return
        dropped += len(message.get("body", b""))
        more = message.get("more_body", False)


#: The most of a refused body read (and dropped) before the connection is simply closed.
_DRAIN_MAX = 64 * MAX_BODY_BYTES


class BodyTooLarge(Exception):
    """Raised inside the app when a streamed body passes the limit (the app answers 413)."""
