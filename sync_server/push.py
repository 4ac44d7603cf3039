"""The push pipeline: validate each record, store it once, reconcile it, publish it; never fail the batch."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from shared.errors import LimitProblem, PatrolError, PermissionProblem, ValidationProblem
from shared.model import photos_of
from shared.parse import is_encodable
from shared.rules import clock_offset, effective_time
from shared.wire import PROTOCOL_VERSION, PushStatus, Record, content_hash, decode_record
from sync_server import reconcile, record_checks
from sync_server.db import feed, photos, records, savepoint, transaction
from sync_server.settings import Settings

# Writers queue here rather than in SQLite's busy handler: a long batch must not time out the next one.
_WRITE_LOCK = threading.Lock()
PUSH_FIELDS = {"device_id", "protocol", "records", "sent_at"}


def too_large(settings: Settings) -> LimitProblem:
    return LimitProblem(
        "sync.batch_too_large",
        f"Too much in one push: send at most {settings.max_batch_records} records"
        f" and {settings.max_request_bytes} bytes at a time.",
        {"max_records": settings.max_batch_records, "max_bytes": settings.max_request_bytes},
    )


def parse_body(raw: bytes, settings: Settings) -> dict[str, Any]:
    """The push request as JSON with its envelope checked; records are checked one by one later."""
    if len(raw) > settings.max_request_bytes:
        raise too_large(settings)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ValidationProblem("request.malformed_json", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ValidationProblem("request.invalid", "The push body must be a JSON object.", {"field": "body"})
    unknown = sorted(set(data) - PUSH_FIELDS)
    if unknown:
        raise ValidationProblem("request.invalid", f"Unknown field(s): {', '.join(unknown)}.", {"field": unknown[0]})
    protocol = data.get("protocol", PROTOCOL_VERSION)
    if protocol != PROTOCOL_VERSION or isinstance(protocol, bool):
        raise ValidationProblem(
            "sync.protocol_unsupported",
            f"This server speaks sync protocol {PROTOCOL_VERSION}; update the app.",
            {"supported": [PROTOCOL_VERSION]},
        )
    if not isinstance(data.get("device_id"), str):
        raise ValidationProblem("request.invalid", "device_id must be text.", {"field": "device_id"})
    if not isinstance(data.get("records"), list):
        raise ValidationProblem("request.invalid", "records must be a list.", {"field": "records"})
    if len(data["records"]) > settings.max_batch_records:
        raise too_large(settings)
    data["sent_at"] = _sent_at(data.get("sent_at"))
    return data


def _sent_at(value: Any) -> datetime | None:
    """The phone's clock when it sent the push (optional): ISO 8601 with its UTC offset."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ValidationProblem(
            "request.invalid", "sent_at must be a time with its UTC offset (ISO 8601).", {"field": "sent_at"}
        )
    return at


def push_batch(
    db: sqlite_utils.Database, settings: Settings, *, user: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    """Store a checked push body for ``user``; return ``{results, server_time, device_seq_gaps}``."""
    if body["device_id"] != user["device_id"]:
        raise PermissionProblem(
            "auth.device_mismatch",
            "This push names a different device than the one that logged in. Log in again on this phone.",
            {"field": "device_id"},
        )
    received_at = settings.now()
    offset = clock_offset(body.get("sent_at"), received_at)  # this phone's clock against ours
    with _WRITE_LOCK, transaction(db):
        results = [
            _push_one(db, settings, user=user, raw=raw, received_at=received_at, offset=offset)
            for raw in body["records"]
        ]
        gaps = records.device_seq_gaps(db, device_id=user["device_id"])
    return {"results": results, "server_time": received_at.isoformat(), "device_seq_gaps": gaps}


def _result(record_id: Any, status: PushStatus, error: PatrolError | None = None) -> dict[str, Any]:
    echo = isinstance(record_id, str) and is_encodable(record_id)
    result: dict[str, Any] = {"id": record_id if echo else None, "status": status.value}
    if error is not None:
        result.update(code=error.code, message=error.message)
        if error.detail:
            result["detail"] = error.detail
    return result


def _push_one(
    db: sqlite_utils.Database,
    settings: Settings,
    *,
    user: dict[str, Any],
    raw: Any,
    received_at: datetime,
    offset: timedelta = timedelta(0),
) -> dict[str, Any]:
    record_id = raw.get("id") if isinstance(raw, dict) else None
    try:
        record = decode_record(raw)
        if record.author_id not in (None, user["id"]):
            raise PermissionProblem(
                "record.wrong_author",
                "A phone can only send records of the user logged in on it.",
                {"field": "author_id"},
            )
        # "null means me": fill it before hashing so a resend with either form is the same fact.
        stored_raw = {**record.raw, "author_id": user["id"]}
        record = dataclasses.replace(record, author_id=user["id"], raw=stored_raw)
        digest = content_hash(stored_raw)
        earlier = records.stored_hash(db, id=record.id)
        if earlier is not None:
            return _repeat(record.id, earlier == digest)
        record_checks.check_record(db, record=record, user=user)
        with savepoint(db):
            if not _store(db, record=record, user=user, digest=digest, received_at=received_at, offset=offset):
                return _repeat(record.id, records.stored_hash(db, id=record.id) == digest)
            reconcile.reconcile_record(
                db, record=record, user=user, settings=settings, received_at=received_at, clock_offset=offset
            )
        return _result(record.id, PushStatus.ACCEPTED)
    except PatrolError as error:
        return _result(record_id, PushStatus.REJECTED, error)


def _repeat(record_id: str, same: bool) -> dict[str, Any]:
    if same:
        return _result(record_id, PushStatus.DUPLICATE)
    return _result(
        record_id,
        PushStatus.CONFLICT,
        PatrolError(
            "record.conflict",
            "A different record with this id is already on the server; nothing was changed."
            " Keep this one and ask a supervisor.",
        ),
    )


def _store(
    db: sqlite_utils.Database,
    *,
    record: Record,
    user: dict[str, Any],
    digest: str,
    received_at: datetime,
    offset: timedelta = timedelta(0),
) -> bool:
    effective_at, clock_flag = effective_time(record.recorded_at, received_at, offset)
    inserted = records.insert_record(
        db,
        id=record.id,
        type=record.type.value,
        property_id=user["property_id"],
        author_id=user["id"],
        device_id=user["device_id"],
        device_seq=record.device_seq,
        recorded_at=record.raw["recorded_at"],
        received_at=received_at,
        effective_at=effective_at,
        clock_flag=clock_flag,
        supersedes=record.supersedes,
        raw=record.raw,
        content_hash=digest,
    )
    if inserted:
        data = {
            "id": record.id,
            "type": record.type.value,
            "author_id": user["id"],
            "device_id": user["device_id"],
            "device_seq": record.device_seq,
            "recorded_at": record.raw["recorded_at"],
            "received_at": received_at.isoformat(),
            "effective_at": effective_at.isoformat(),
            "clock_flag": clock_flag,
            "supersedes": record.supersedes,
            "body": record.raw["body"],
        }
        for scope in (feed.user_scope(user["id"]), feed.role_scope(user["property_id"], "supervisor")):
            feed.publish(db, scope=scope, kind="record", entity_id=record.id, data=data)
        # Which of its photos are still to come: the author is told in the pull, so the phone sends them.
        hashes = photos_of(record.body)
        photos.note_record_photos(
            db, record_id=record.id, property_id=user["property_id"], author_id=user["id"], hashes=hashes
        )
    return inserted
