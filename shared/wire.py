"""The sync envelope: how records travel between phone and server, and how they are compared.

A pushed record is ``{id, type, device_seq, recorded_at, supersedes, author_id, body}``.
Two records with the same id are the same fact exactly when their ``content_hash`` is equal.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared import parse as parsing
from shared.errors import ValidationProblem
from shared.ids import is_uuid
from shared.model import BODY_TYPES, RecordType

PROTOCOL_VERSION = 1
ENVELOPE_FIELDS = {"id", "type", "device_seq", "recorded_at", "supersedes", "author_id", "body"}


class PushStatus(StrEnum):
    ACCEPTED = "accepted"  # stored now
    DUPLICATE = "duplicate"  # stored before with the same content: harmless
    CONFLICT = "conflict"  # stored before with different content: nothing changed
    REJECTED = "rejected"  # invalid or not allowed: nothing stored, see code and message


ACKNOWLEDGED = frozenset({PushStatus.ACCEPTED, PushStatus.DUPLICATE})


@dataclass(frozen=True)
class Record:
    """A decoded, validated field record."""

    id: str
    type: RecordType
    device_seq: int
    recorded_at: datetime
    supersedes: str | None
    author_id: str | None
    body: Any  # one of shared.model.BODY_TYPES
    raw: dict[str, Any]  # exactly what was sent, for storage and comparison

    @property
    def content_hash(self) -> str:
        return content_hash(self.raw)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(raw: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(raw).encode()).hexdigest()


def encode_record(
    *,
    id: str,
    type: RecordType,
    device_seq: int,
    recorded_at: datetime,
    body: Any,
    author_id: str | None = None,
    supersedes: str | None = None,
) -> dict[str, Any]:
    """The wire form of a record; the body may be a model dataclass or its JSON form."""
    return {
        "id": id,
        "type": type.value,
        "device_seq": device_seq,
        "recorded_at": recorded_at.isoformat(),
        "supersedes": supersedes,
        "author_id": author_id,
        "body": parsing.to_json(body),
    }


def decode_record(raw: Any) -> Record:
    """Validate one pushed record; raise ValidationProblem saying what to fix."""
    if not isinstance(raw, dict):
        raise ValidationProblem("record.not_an_object", "Each record must be a JSON object.")
    unknown = sorted(set(raw) - ENVELOPE_FIELDS)
    if unknown:
        raise ValidationProblem(
            "record.unknown_field", f"Unknown record field(s): {', '.join(unknown)}.", {"field": unknown[0]}
        )
    record_id = raw.get("id")
    if not isinstance(record_id, str) or not is_uuid(record_id):
        raise ValidationProblem(
            "record.invalid_id", "A record id must be a lowercase UUID made on the device.", {"field": "id"}
        )
    try:
        record_type = RecordType(str(raw.get("type")))
    except ValueError:
        choices = ", ".join(t.value for t in RecordType)
        raise ValidationProblem(
            "record.unknown_type",
            f"Unknown record type {raw.get('type')!r}; known types: {choices}.",
            {"field": "type"},
        ) from None
    seq = raw.get("device_seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq < 2**53:
        raise ValidationProblem(
            "record.invalid_field", "device_seq must be a whole number from 1 up.", {"field": "device_seq"}
        )
    recorded_at = parsing.parse_time(raw.get("recorded_at"), "recorded_at")
    supersedes = raw.get("supersedes")
    if supersedes is not None and (not isinstance(supersedes, str) or not is_uuid(supersedes)):
        raise ValidationProblem(
            "record.invalid_field", "supersedes must be the id of an earlier record, or null.", {"field": "supersedes"}
        )
    if supersedes == record_id:
        raise ValidationProblem("record.invalid_field", "A record cannot supersede itself.", {"field": "supersedes"})
    author_id = raw.get("author_id")
    if author_id is not None and not isinstance(author_id, str):
        raise ValidationProblem("record.invalid_field", "author_id must be text.", {"field": "author_id"})
    if "body" not in raw:
        raise ValidationProblem("record.missing_field", "body is required.", {"field": "body"})
    body: Any = parsing.parse(BODY_TYPES[record_type], raw["body"])
    return Record(record_id, record_type, seq, recorded_at, supersedes, author_id, body, raw)
