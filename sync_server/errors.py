"""The one place where problems become HTTP responses: ``{code, message, detail}`` with a stable code."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from shared.errors import (
    AuthProblem,
    ConflictProblem,
    LimitProblem,
    NotFoundProblem,
    PatrolError,
    PermissionProblem,
    TransitionProblem,
    ValidationProblem,
)
from sync_server.db import dialect

log = logging.getLogger(__name__)

STATUS_BY_CLASS: list[tuple[type[PatrolError], int]] = [
    (ValidationProblem, 422),
    (AuthProblem, 401),
    (PermissionProblem, 403),
    (NotFoundProblem, 404),
    (ConflictProblem, 409),
    (LimitProblem, 413),
    (TransitionProblem, 409),
]

# Codes whose status differs from their class's; other modules may add theirs (additively).
STATUS_BY_CODE: dict[str, int] = {
    "request.malformed_json": 400,
    "request.invalid_body": 400,
    "sync.protocol_unsupported": 400,
    "sync.invalid_cursor": 400,
    "auth.locked": 429,
    "auth.busy": 429,
    "request.too_many": 429,
    "request.timeout": 408,
    "server.busy": 503,
}
RETRY_AFTER_STATUSES = (429, 503)


def status_for(error: PatrolError) -> int:
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    for cls, status in STATUS_BY_CLASS:
        if isinstance(error, cls):
            return status
    return 400


class SafeJSONResponse(JSONResponse):
    """JSON that may quote what a client sent, lone surrogates included: those go out as JSON escapes."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, separators=(",", ":")).encode("ascii")


def problem_response(status: int, code: str, message: str, detail: dict[str, Any] | None = None) -> JSONResponse:
    headers = {}
    if status in RETRY_AFTER_STATUSES and detail and "retry_after" in detail:
        headers["Retry-After"] = str(detail["retry_after"])
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return SafeJSONResponse({"code": code, "message": message, "detail": detail or {}}, status, headers=headers)


async def _patrol_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PatrolError)
    return problem_response(status_for(exc), exc.code, exc.message, exc.detail)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return problem_response(400, "request.malformed_json", "The request body is not valid JSON.")
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(loc) or "body"
    message = f"{field}: {first.get('msg', 'invalid value')}."
    return problem_response(422, "request.invalid", message, {"field": field})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return problem_response(404, "request.not_found", f"There is nothing at {request.url.path}.")
    if exc.status_code == 400:  # FastAPI's own body-parsing failure (for example JSON nested too deep)
        return problem_response(400, "request.malformed_json", "The request body could not be read as JSON.")
    if exc.status_code == 405:
        return problem_response(405, "request.method_not_allowed", f"{request.method} is not allowed here.")
    return problem_response(exc.status_code, f"http.{exc.status_code}", str(exc.detail))


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    # SQLite's busy timeout ("database is locked"), PostgreSQL's lock_timeout, deadlock or serialization failure
    if not any(word in str(exc) for word in ("locked", "busy", "lock timeout", "deadlock", "serialize")):
        return await _unexpected(request, exc)
    response = problem_response(503, "server.busy", "The server is busy; the app will try again shortly.")
    response.headers["Retry-After"] = "2"
    return response


async def _client_gone(request: Request, exc: Exception) -> JSONResponse:
    # The phone lost its network mid-upload: routine, not a server error. It sends again at its next sync.
    client = request.client.host if request.client else "?"
    log.info("client %s disconnected during %s %s", client, request.method, request.url.path)
    return problem_response(400, "request.incomplete", "The request was cut off before it was complete.")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(500, "server.error", "The server failed; try again later and tell the administrator.")


def install(app: FastAPI) -> None:
    app.add_exception_handler(PatrolError, _patrol_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for busy in dialect.BUSY_ERRORS:
        app.add_exception_handler(busy, _database_busy)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(Exception, _unexpected)
