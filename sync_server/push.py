"""The push pipeline: check the records, store each once, reconcile and publish them per batch; never fail it."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import datetime, timedelta
from typing import Any

from shared.errors import LimitProblem, PatrolError, PermissionProblem, ValidationProblem
from shared.model import Role, photos_of
from shared.parse import is_encodable
from shared.reconcile_rules import Fact, check_role
from shared.rules import clock_offset, effective_time
from shared.wire import PROTOCOL_VERSION, PushStatus, Record, content_hash, decode_record
from sync_server import reconcile, record_checks
from sync_server.db import Database, feed, photos, records, savepoint, transaction
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


def push_batch(db: Database, settings: Settings, *, user: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Store a checked push body for ``user``; return ``{results, server_time, device_seq_gaps}``.

    Per batch, not per record: the records are decoded, the ones already stored found in one query,
    the new ones checked and stored, then reconciled together (each stream they touch once) and
    published. A record that reconciliation refuses is reported ``rejected``; the batch is stored
    again without it, so it leaves nothing behind.
    """
    if body["device_id"] != user["device_id"]:
        raise PermissionProblem(
            "auth.device_mismatch",
            "This push names a different device than the one that logged in. Log in again on this phone.",
            {"field": "device_id"},
        )
    received_at = settings.now()
    offset = clock_offset(body.get("sent_at"), received_at)  # this phone's clock against ours
    results: list[dict[str, Any] | None] = [None] * len(body["records"])
    decoded: list[tuple[int, Record, str]] = []
    for i, raw in enumerate(body["records"]):
        try:
            record, digest = _decode(raw, user)
        except PatrolError as error:
            results[i] = _result(raw.get("id") if isinstance(raw, dict) else None, PushStatus.REJECTED, error)
        else:
            decoded.append((i, record, digest))
    with _WRITE_LOCK, transaction(db):
        earlier = records.stored_hashes(db, ids=[record.id for _, record, _ in decoded])
        refused: dict[str, PatrolError] = {}
        while True:  # again without what reconciliation refused; each round refuses at least one more
            try:
                with savepoint(db):
                    stored, answers = _store_batch(db, user, decoded, earlier, refused, received_at, offset)
                    feed.publish_many(db, _feed_entries([entry for _, _, entry in stored], user))
                    facts = [(fact, flag) for fact, flag, _ in stored]
                    refused_now = reconcile.reconcile_batch(
                        db, settings=settings, property_id=user["property_id"], facts=facts
                    )
                    if refused_now:
                        raise _Refused(refused_now)
                    break
            except _Refused as again:
                refused |= again.problems
        gaps = records.device_seq_gaps(db, device_id=user["device_id"])
    for i, record, _ in decoded:
        if record.id in refused:
            results[i] = _result(record.id, PushStatus.REJECTED, refused[record.id])
        else:
            results[i] = answers[i]
    return {"results": results, "server_time": received_at.isoformat(), "device_seq_gaps": gaps}


class _Refused(Exception):
    def __init__(self, problems: dict[str, PatrolError]) -> None:
        self.problems = problems


def _decode(raw: Any, user: dict[str, Any]) -> tuple[Record, str]:
    """The record as the server stores it, and its content hash; raise the problem of a malformed one."""
    record = decode_record(raw)
    if record.author_id not in (None, user["id"]):
        raise PermissionProblem(
            "record.wrong_author", "A phone can only send records of the user logged in on it.", {"field": "author_id"}
        )
    # "null means me": fill it before hashing so a resend with either form is the same fact.
    stored_raw = {**record.raw, "author_id": user["id"]}
    return dataclasses.replace(record, author_id=user["id"], raw=stored_raw), content_hash(stored_raw)


def _store_batch(
    db: Database,
    user: dict[str, Any],
    decoded: list[tuple[int, Record, str]],
    earlier: dict[str, str],
    refused: dict[str, PatrolError],
    received_at: datetime,
    offset: timedelta,
) -> tuple[list[tuple[Fact, str | None, dict[str, Any]]], dict[int, dict[str, Any]]]:
    """Check and store each new record in turn (a later one may name an earlier one).

    Returns the facts stored (with their clock flags and feed entries) and the answer for each
    record by its place in the batch; the records in ``refused`` are left out.
    """
    stored: list[tuple[Fact, str | None, dict[str, Any]]] = []
    answers: dict[int, dict[str, Any]] = {}
    digests = dict(earlier)
    for i, record, digest in decoded:
        if record.id in refused:
            continue
        if record.id in digests:
            answers[i] = _repeat(record.id, digests[record.id] == digest)
            continue
        effective_at, clock_flag = effective_time(record.recorded_at, received_at, offset)
        fact = Fact(
            record.id, record.type, effective_at, user["id"], Role(user["role"]), record.body, record.supersedes
        )
        try:
            record_checks.check_record(db, record=record, user=user)
            check_role(fact)
        except PatrolError as error:
            answers[i] = _result(record.id, PushStatus.REJECTED, error)
            continue
        entry = _store(db, record=record, user=user, digest=digest, received_at=received_at, fact=fact, flag=clock_flag)
        digests[record.id] = digest
        answers[i] = _result(record.id, PushStatus.ACCEPTED)
        stored.append((fact, clock_flag, entry))
    return stored, answers


def _feed_entries(stored: list[dict[str, Any]], user: dict[str, Any]) -> list[feed.Entry]:
    """Each new record for its author and for the property's supervisors."""
    scopes = [feed.user_scope(user["id"]), feed.role_scope(user["property_id"], "supervisor")]
    return [feed.Entry("record", entry["id"], entry, scopes) for entry in stored]


def _result(record_id: Any, status: PushStatus, error: PatrolError | None = None) -> dict[str, Any]:
    echo = isinstance(record_id, str) and is_encodable(record_id)
    result: dict[str, Any] = {"id": record_id if echo else None, "status": status.value}
    if error is not None:
        result.update(code=error.code, message=error.message)
        if error.detail:
            result["detail"] = error.detail
    return result


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
    db: Database,
    *,
    record: Record,
    user: dict[str, Any],
    digest: str,
    received_at: datetime,
    fact: Fact,
    flag: str | None,
) -> dict[str, Any]:
    """Insert one new record (the write lock is held and its id is not stored); return its feed entry."""
    records.insert_record(
        db,
        id=record.id,
        type=record.type.value,
        property_id=user["property_id"],
        author_id=user["id"],
        device_id=user["device_id"],
        device_seq=record.device_seq,
        recorded_at=record.raw["recorded_at"],
        received_at=received_at,
        effective_at=fact.at,
        clock_flag=flag,
        supersedes=record.supersedes,
        raw=record.raw,
        content_hash=digest,
    )
    # Which of its photos are still to come: the author is told in the pull, so the phone sends them.
    photos.note_record_photos(
        db, record_id=record.id, property_id=user["property_id"], author_id=user["id"], hashes=photos_of(record.body)
    )
    return {
        "id": record.id,
        "type": record.type.value,
        "author_id": user["id"],
        "device_id": user["device_id"],
        "device_seq": record.device_seq,
        "recorded_at": record.raw["recorded_at"],
        "received_at": received_at.isoformat(),
        "effective_at": fact.at.isoformat(),
        "clock_flag": flag,
        "supersedes": record.supersedes,
        "body": record.raw["body"],
    }
