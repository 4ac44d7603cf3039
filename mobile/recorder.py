"""Make a field record on the phone: a fresh id and device_seq, a validated body, saved with its outbox row at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mobile.store import Store, outbox, records, state
from shared.errors import NotFoundProblem, ValidationProblem
from shared.ids import uuid7
from shared.model import RecordType
from shared.wire import decode_record, encode_record


def local_now() -> datetime:
    """The phone's time with its UTC offset: recorded_at says when, it never decides anything."""
    return datetime.now().astimezone()


def save_record(
    store: Store,
    *,
    type: RecordType | str,
    body: Any,
    supersedes: str | None = None,
    recorded_at: datetime | None = None,
    clock: Callable[[], datetime] = local_now,
) -> dict[str, Any]:
    """Validate and save a new record; returns it as ``store.get_record`` shows it.

    ``body`` is a ``shared.model`` body dataclass or its JSON form. Raises ValidationProblem naming
    the field at fault, and then nothing is saved.
    """
    record_type = RecordType(type)
    now = clock()
    when = recorded_at or now
    user = store.user
    author_id = user.get("id") if user else None  # null means "the token's user" to the server
    record_id = uuid7(int(now.timestamp() * 1000))
    with store.transaction() as db:
        seq = state.allocate_device_seq(db)
        payload = encode_record(
            id=record_id,
            type=record_type,
            device_seq=seq,
            recorded_at=when,
            body=body,
            author_id=author_id,
            supersedes=supersedes,
        )
        decode_record(payload)  # the server's own check, run before anything is kept
        records.insert_local(db, payload=payload)
        outbox.enqueue(db, record_id=record_id, device_seq=seq, payload=payload)
    saved = store.get_record(record_id)
    assert saved is not None
    return saved


def save_correction(
    store: Store,
    *,
    supersedes: str,
    body: Any,
    recorded_at: datetime | None = None,
    clock: Callable[[], datetime] = local_now,
) -> dict[str, Any]:
    """A new record of the same type that replaces an earlier one (facts are never edited)."""
    original = store.get_record(supersedes)
    if original is None:
        raise NotFoundProblem(
            "record.not_found", "The record to correct is not on this phone; sync first, then correct it."
        )
    if original["superseded_by"] is not None:
        raise ValidationProblem(
            "record.already_corrected",
            "This record was already corrected; correct the newest version instead.",
            {"superseded_by": original["superseded_by"]},
        )
    return save_record(
        store, type=original["type"], body=body, supersedes=supersedes, recorded_at=recorded_at, clock=clock
    )
