"""Every id a record names is checked before it is stored: it exists, it is in the author's property, it is of
the right kind, and the author may refer to it. Anything else is refused with a code that says what to fix.

What each field must name:

- ``place_id``, ``route_id``, ``checkpoint_id``, ``permit_id``: reference data of the author's property;
- ``round_id``: the author's own patrol round, on whose route the checkpoint lies; a scanned or typed
  code must be that checkpoint's code;
- ``checkpoint_visit_id`` (a defect opened from a patrol): the author's own checkpoint visit;
- ``work_order_id``: an order of the author's property, by its id or an alias;
- ``assignee_id``: a maintenance user of the author's property;
- ``supersedes``: a record of the same type in the property, by the same author or corrected by a
  supervisor, that nothing corrected yet (a chain has one latest version).

Unknown and other-property ids get the same answer, so an id never tells whether another property has it.
"""

from __future__ import annotations

from typing import Any

from shared.errors import PermissionProblem, ValidationProblem
from shared.model import (
    CheckpointVisit,
    DefectReport,
    PresenceProof,
    RecordType,
    ReturnVisit,
    Role,
    WorkOrderActionRecord,
)
from shared.wire import Record
from sync_server.db import Database, accounts, lookups, reference

# Which body field of which record type points at which kind of reference data.
REFERENCES: dict[RecordType, list[tuple[str, str]]] = {
    RecordType.PATROL_ROUND: [("route_id", "route")],
    RecordType.CHECKPOINT_VISIT: [("checkpoint_id", "checkpoint")],
    RecordType.DECORATION_CHECK: [("permit_id", "permit")],
    RecordType.DEFECT_REPORT: [("place_id", "place")],
    RecordType.OWNER_COMPLAINT: [("place_id", "place")],
}
CORRECTORS = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})  # may correct someone else's record


def check_record(db: Database, *, record: Record, user: dict[str, Any]) -> None:
    """Raise the problem with the first id of ``record`` that ``user`` may not name; return when all are fine."""
    property_id = user["property_id"]
    body = record.body
    for field_name, kind in REFERENCES.get(record.type, []):
        value = getattr(body, field_name)
        if not reference.belongs_to(db, kind=kind, id=value, property_id=property_id):
            raise unknown(f"body.{field_name}", kind, value)
    if isinstance(body, WorkOrderActionRecord | ReturnVisit):
        order = lookups.order_by_ref(db, ref=body.work_order_id)
        if order is None or order["property_id"] != property_id:
            raise unknown("body.work_order_id", "work order", body.work_order_id)
    if isinstance(body, WorkOrderActionRecord) and body.assignee_id:
        check_assignee(db, assignee_id=body.assignee_id, property_id=property_id, field="body.assignee_id")
    if isinstance(body, CheckpointVisit):
        _check_presence(db, body, user)
    if isinstance(body, DefectReport) and body.checkpoint_visit_id:
        _own_record(db, body.checkpoint_visit_id, RecordType.CHECKPOINT_VISIT, user, "body.checkpoint_visit_id")
    if record.supersedes:
        _check_correction(db, record, user)


def check_assignee(db: Database, *, assignee_id: str, property_id: str, field: str) -> None:
    """An order is dispatched only to a maintenance user of its own property."""
    assignee = accounts.get_user(db, user_id=assignee_id)
    if assignee is None or assignee["property_id"] != property_id:
        raise unknown(field, "user", assignee_id)
    if assignee["role"] != Role.MAINTENANCE.value:
        raise ValidationProblem(
            "record.assignee_not_maintenance",
            f"{assignee['name']} is not in maintenance: dispatch work orders to a maintenance user.",
            {"field": field, "role": assignee["role"]},
        )


def unknown(field: str, kind: str, value: str) -> ValidationProblem:
    return ValidationProblem(
        "record.unknown_reference",
        f"{field}: there is no {kind} {value!r} in your property; sync to refresh your lists.",
        {"field": field, "kind": kind},
    )


def _own_record(db: Database, id: str, kind: RecordType, user: dict[str, Any], field: str) -> dict[str, Any]:
    found = lookups.record_head(db, id=id)
    if found is None or found["property_id"] != user["property_id"] or found["type"] != kind.value:
        raise unknown(field, kind.value.replace("_", " "), id)
    if found["author_id"] != user["id"]:
        raise PermissionProblem(
            "record.not_yours",
            f"{field}: that {kind.value.replace('_', ' ')} was made by someone else.",
            {"field": field},
        )
    return found


def _check_presence(db: Database, body: CheckpointVisit, user: dict[str, Any]) -> None:
    """The visit belongs to the author's round, its checkpoint to the round's route, and its code to the checkpoint."""
    patrol = _own_record(db, body.round_id, RecordType.PATROL_ROUND, user, "body.round_id")
    checkpoint = reference.get(db, kind="checkpoint", id=body.checkpoint_id)
    assert checkpoint is not None  # checked with the other reference data
    if checkpoint["route_id"] != patrol["body"]["route_id"]:
        raise ValidationProblem(
            "record.checkpoint_not_on_route",
            f"{checkpoint['name']} is not a checkpoint of this round's route.",
            {"field": "body.checkpoint_id"},
        )
    proof = body.proof
    if proof.method in (PresenceProof.SCANNED, PresenceProof.TYPED):
        if (proof.code or "").strip().casefold() != str(checkpoint["scan_code"]).strip().casefold():
            raise ValidationProblem(
                "record.code_mismatch",
                f"The code does not belong to {checkpoint['name']}: scan or type the code on its label.",
                {"field": "body.proof.code"},
            )


def _check_correction(db: Database, record: Record, user: dict[str, Any]) -> None:
    assert record.supersedes is not None
    earlier = lookups.record_head(db, id=record.supersedes)
    if earlier is None or earlier["property_id"] != user["property_id"]:
        raise unknown("supersedes", "record", record.supersedes)
    if earlier["type"] != record.type.value:
        raise ValidationProblem(
            "record.supersedes_wrong_type",
            f"A {record.type.value.replace('_', ' ')} can only correct another one,"
            f" not a {earlier['type'].replace('_', ' ')}.",
            {"field": "supersedes", "type": earlier["type"]},
        )
    if earlier["author_id"] != user["id"] and user["role"] not in CORRECTORS:
        raise PermissionProblem(
            "record.not_yours",
            "Only the person who made a record, or a supervisor, can correct it.",
            {"field": "supersedes"},
        )
    if earlier["superseded_by"] is not None:
        raise ValidationProblem(
            "record.already_corrected",
            "This record was already corrected; sync, then correct the newest version instead.",
            {"field": "supersedes", "superseded_by": earlier["superseded_by"]},
        )
