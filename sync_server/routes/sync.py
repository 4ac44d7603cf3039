"""Sync: phones push field records and pull the changes meant for them."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from shared.errors import ValidationProblem
from shared.model import RecordType
from shared.parse import ascii_number
from shared.wire import PROTOCOL_VERSION, PushStatus
from sync_server import auth, push
from sync_server.db import feed
from sync_server.deps import AppSettings, Db
from sync_server.errors import SafeJSONResponse
from sync_server.routes.auth import Problem

router = APIRouter(tags=["sync"])

RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "type", "device_seq", "recorded_at", "body"],
    "properties": {
        "id": {"type": "string", "format": "uuid", "description": "UUIDv7 made on the device"},
        "type": {"type": "string", "enum": [t.value for t in RecordType]},
        "device_seq": {"type": "integer", "minimum": 1},
        "recorded_at": {"type": "string", "format": "date-time", "description": "device clock, with UTC offset"},
        "supersedes": {"type": ["string", "null"], "format": "uuid"},
        "author_id": {"type": ["string", "null"], "description": "null means the logged-in user"},
        "body": {"type": "object", "description": "the record type's body (shared.model)"},
    },
}
PUSH_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["device_id", "records"],
                "properties": {
                    "device_id": {"type": "string"},
                    "protocol": {"type": "integer", "enum": [PROTOCOL_VERSION]},
                    "records": {"type": "array", "items": RECORD_SCHEMA},
                    # The phone's clock at sending: the server corrects the records' times by the difference.
                    "sent_at": {"type": "string", "format": "date-time"},
                },
            }
        }
    },
}


class PushResult(BaseModel):
    id: str | None
    status: PushStatus
    code: str | None = None
    message: str | None = None
    detail: dict[str, Any] | None = None


class PushResponse(BaseModel):
    results: list[PushResult]
    server_time: str
    device_seq_gaps: list[list[int]]


class Change(BaseModel):
    seq: int
    kind: str
    id: str
    data: dict[str, Any]
    deleted: bool


class PullResponse(BaseModel):
    changes: list[Change]
    cursor: str
    has_more: bool
    server_time: str  # the server's clock: the phone shows it as "last synced", never its own clock


PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "request.malformed_json, sync.protocol_unsupported, sync.invalid_cursor"},
    401: {"model": Problem, "description": "auth.missing_token, auth.invalid_token, auth.token_expired, ..."},
    403: {"model": Problem, "description": "auth.device_mismatch"},
    413: {"model": Problem, "description": "sync.batch_too_large (detail.max_records, detail.max_bytes)"},
    422: {"model": Problem, "description": "request.invalid"},
}


@router.post(
    "/api/v1/sync/push",
    response_model=PushResponse,
    response_class=SafeJSONResponse,  # a rejected record's message may quote what it sent
    response_model_exclude_unset=True,
    responses=PROBLEMS,
    openapi_extra={"requestBody": PUSH_BODY},
)
async def push_records(request: Request, user: auth.CurrentUser, db: Db, settings: AppSettings) -> dict[str, Any]:
    """Store a batch of records; each gets its own status, and one bad record never fails the rest."""
    limit = settings.max_request_bytes
    declared = ascii_number(request.headers.get("content-length", ""))
    if declared is not None and declared > limit:
        raise push.too_large(settings)
    chunks, size = [], 0
    async for chunk in request.stream():  # the declared length may lie: count what really arrives
        size += len(chunk)
        if size > limit:
            raise push.too_large(settings)
        chunks.append(chunk)
    body = push.parse_body(b"".join(chunks), settings)
    return await run_in_threadpool(push.push_batch, db, settings, user=user, body=body)


@router.get("/api/v1/sync/pull", response_model=PullResponse, responses=PROBLEMS)
def pull_changes(
    user: auth.CurrentUser,
    db: Db,
    settings: AppSettings,
    since: Annotated[
        str | None, Query(max_length=40, description="the cursor of the last pull; empty at first")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, description="at most this many changes (capped by the server)")] = None,
) -> Response:
    """The changes for this user after ``since``, oldest first; call again with ``cursor`` while has_more.

    Reads only: findings are computed by the server's tick (``schedule.tick``), never by a pull.
    """
    cursor = _cursor(since)
    if cursor > feed.latest_seq(db):
        raise ValidationProblem(
            "sync.invalid_cursor",
            "This cursor is ahead of the server (was the server reset?). Pull again from the start.",
            {"field": "since", "reset": True},
        )
    count = min(limit or settings.pull_default_limit, settings.pull_max_limit)
    changes, last, has_more = feed.changes_since(db, scopes=feed.scopes_for(user), since=cursor, limit=count)
    # The stored JSON goes out as it is: a first pull of a big property is not decoded and encoded again.
    items = ",".join(
        f'{{"seq":{c.seq},"kind":{json.dumps(c.kind)},"id":{json.dumps(c.id)},"data":{c.data},'
        f'"deleted":{json.dumps(c.deleted)}}}'
        for c in changes
    )
    tail = {"cursor": str(last), "has_more": has_more, "server_time": settings.now().isoformat()}
    return Response(f'{{"changes":[{items}],{json.dumps(tail)[1:]}', media_type="application/json")


def _cursor(since: str | None) -> int:
    if not since:
        return 0
    cursor = ascii_number(since) if len(since) <= 18 else None
    if cursor is None:
        raise ValidationProblem(
            "sync.invalid_cursor", "The cursor must be one returned by an earlier pull.", {"field": "since"}
        )
    return cursor
