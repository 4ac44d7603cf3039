"""Every request body has a size limit and a deadline, enforced while it is read (an ASGI middleware).

A login or a desk form is a few hundred bytes: a 100 MB body sent to one is refused on its declared
length before a byte is read, or, sent without one, as soon as 16 KB have arrived, and the connection
is closed. A body that stalls (a client that sends its headers and then trickles or nothing) is
dropped with 408. The routes that take large bodies (push, photo upload, setup import) read them as
a stream and refuse past their own, larger limit with their own code; here they only get the deadline.
The request head (line and headers) has its own deadline and size cap in ``sync_server.serving``.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.parse import ascii_number
from sync_server.errors import problem_response
from sync_server.settings import Settings

# (method, path) of the routes that stream their body and refuse past a limit of their own.
OWN_LIMITS = [
    ("POST", re.compile(r"/api/v1/sync/push")),
    ("PUT", re.compile(r"/api/v1/photos/[^/]+")),
    ("POST", re.compile(r"/api/v1/admin/properties/[^/]+/import")),
]
LOGIN_PATHS = ("/api/v1/auth/",)
# 1000 hashes of 64 hex digits in JSON (routes.photos.MAX_QUERY_HASHES) need more than a desk form.
PHOTO_QUERY = ("POST", "/api/v1/photos/missing", 128 * 1024)


def body_limit(settings: Settings, method: str, path: str) -> int | None:
    """The most bytes this request's body may have here; None when the route enforces its own."""
    if any(method == m and pattern.fullmatch(path) for m, pattern in OWN_LIMITS):
        return None
    if path.startswith(LOGIN_PATHS):
        return settings.max_login_body_bytes
    if (method, path) == PHOTO_QUERY[:2]:
        return PHOTO_QUERY[2]
    return settings.max_json_body_bytes


def too_large(limit: int) -> tuple[int, str, str, dict[str, Any]]:
    return (
        413,
        "request.too_large",
        f"The request is larger than the server accepts here ({limit} bytes); nothing was stored.",
        {"max_bytes": limit},
    )


def too_slow() -> tuple[int, str, str, dict[str, Any]]:
    return 408, "request.timeout", "The request arrived too slowly and was dropped; nothing was stored.", {}


class _Stop(Exception):
    """Raised into the route from ``receive``: the body broke a limit and our answer replaces the route's."""


class RequestLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.settings
        limit = body_limit(settings, scope["method"], scope["path"])
        declared = ascii_number(Headers(scope=scope).get("content-length", ""))
        if limit is not None and declared is not None and declared > limit:
            await _answer(scope, receive, send, too_large(limit))  # refused before a byte of it is read
            return
        refused: tuple[int, str, str, dict[str, Any]] | None = None
        started, size, body_done = False, 0, False
        deadline = time.monotonic() + settings.body_total_timeout

        async def limited_receive() -> Message:
            nonlocal refused, size, body_done
            if body_done:  # after the body, receive only waits for a disconnect: no deadline for that
                return await receive()
            wait = min(settings.body_read_timeout, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), max(wait, 0.001))
            except TimeoutError:
                refused = too_slow()
                raise _Stop from None
            if message["type"] == "http.request":
                body_done = not message.get("more_body", False)
                size += len(message.get("body", b""))
                if limit is not None and size > limit:
                    refused = too_large(limit)
                    raise _Stop
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused is not None:
                return  # whatever the route made of the interruption: our answer goes out instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _Stop:
            pass
        if refused is not None and not started:
            await _answer(scope, receive, send, refused)


async def _answer(scope: Scope, receive: Receive, send: Send, problem: tuple[int, str, str, dict[str, Any]]) -> None:
    status, code, message, detail = problem
    response = problem_response(status, code, message, detail)
    response.headers["Connection"] = "close"  # the rest of the body is never read: do not wait for it
    await response(scope, receive, send)
