"""Record types, work orders and the vocabularies of the domain (see DOMAIN.md).

Field records are append-only facts. Each body type below is what travels in a record's
``body``; ``shared.parse`` turns JSON into these types and says precisely what is wrong.
A correction is a new record whose envelope names the record it ``supersedes``.
The constrained field types the bodies are built from (``Id``, ``Text``, ``Photos``...) are in ``shared.fields``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from shared.errors import ValidationProblem
from shared.fields import Count, Id, MaxItems, MaxLen, Name, Photos, Sha256, Text


# ---- vocabularies ------------------------------------------------------------------------
class Role(StrEnum):
    SPECIALIST = "specialist"
    SITE_SUPERVISOR = "site_supervisor"
    SUPERVISOR = "supervisor"
    MAINTENANCE = "maintenance"
    ADMIN = "admin"


class RecordType(StrEnum):
    PATROL_ROUND = "patrol_round"
    CHECKPOINT_VISIT = "checkpoint_visit"
    DECORATION_CHECK = "decoration_check"
    DEFECT_REPORT = "defect_report"
    RETURN_VISIT = "return_visit"
    OWNER_COMPLAINT = "owner_complaint"
    WORK_ORDER_ACTION = "work_order_action"


class DefectCategory(StrEnum):
    ELECTRICAL = "electrical"
    WATER_LEAKAGE = "water_leakage"  # plumbing and water leakage
    SAFETY_FACILITIES = "safety_facilities"
    FIRE_FACILITIES = "fire_facilities"
    ELEVATOR = "elevator"
    CIVIL = "civil"
    CLEANING = "cleaning"
    GREENING = "greening"
    PEST_CONTROL = "pest_control"
    OTHER = "other"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class CauseFactor(StrEnum):
    """The five factors of cause-and-effect analysis (人机料法环)."""

    PEOPLE = "people"
    MACHINES = "machines"
    MATERIALS = "materials"
    METHODS = "methods"
    ENVIRONMENT = "environment"


class CheckpointResult(StrEnum):
    OK = "ok"
    ISSUE = "issue"


class PresenceProof(StrEnum):
    SCANNED = "scanned"  # the camera read the checkpoint's label
    TYPED = "typed"  # the code printed on the label was typed in
    REASON = "reason"  # neither was possible: the user said why


class Slot(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"


class Satisfaction(StrEnum):
    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    DISSATISFIED = "dissatisfied"


class ChecklistItem(StrEnum):
    """What a renovation site check looks at (000 §Verb, 002 篇29 §五)."""

    PERMIT_COMPLETE = "permit_complete"
    NO_SAFETY_DANGER = "no_safety_danger"
    FACADE_UNCHANGED = "facade_unchanged"
    USE_UNCHANGED = "use_unchanged"
    NO_DISORDERLY_STACKING = "no_disorderly_stacking"
    NO_DIGGING = "no_digging"
    NO_ILLEGAL_CONNECTIONS = "no_illegal_connections"
    NO_ILLEGAL_STRUCTURES = "no_illegal_structures"
    WORKERS_HAVE_PASSES = "workers_have_passes"
    FIRE_SAFETY = "fire_safety"


class PlaceKind(StrEnum):
    BUILDING = "building"
    FLOOR = "floor"
    UNIT = "unit"
    AREA = "area"


class WorkOrderKind(StrEnum):
    REPAIR = "repair"
    RECTIFICATION = "rectification"
    REWORK = "rework"
    COMPLAINT = "complaint"


class WorkOrderState(StrEnum):
    REPORTED = "reported"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    DONE = "done"  # completed by maintenance, waiting for its return visit
    REWORK = "rework"  # the return visit failed; a rework order is under way
    CLOSED = "closed"
    SIGNED_OFF = "signed_off"


class WorkOrderAction(StrEnum):
    DISPATCH = "dispatch"
    START = "start"
    COMPLETE = "complete"
    CLOSE = "close"
    REPLY = "reply"  # customer service gave the owner of a complaint their answer
    SIGN_OFF = "sign_off"


# ---- record bodies -----------------------------------------------------------------------
@dataclass(frozen=True)
class Proof:
    """How presence at a checkpoint was proven: its code scanned or typed, or a stated reason."""

    method: PresenceProof
    code: Annotated[str, MaxLen(200)] | None = None
    reason: Text | None = None

    def check(self) -> None:
        if self.method in (PresenceProof.SCANNED, PresenceProof.TYPED) and not (self.code or "").strip():
            raise _invalid("proof.code", "A scanned or typed proof needs the checkpoint's code.")
        if self.method is PresenceProof.REASON and not (self.reason or "").strip():
            raise _invalid("proof.reason", "Say why the checkpoint code could not be scanned.")


@dataclass(frozen=True)
class PatrolRound:
    route_id: Id
    started_at: datetime
    finished_at: datetime | None = None
    note: Text = ""

    def check(self) -> None:
        if self.finished_at is not None and self.finished_at < self.started_at:
            raise _invalid("finished_at", "A patrol round cannot finish before it started.")


@dataclass(frozen=True)
class CheckpointVisit:
    round_id: Id
    checkpoint_id: Id
    result: CheckpointResult
    proof: Proof
    note: Text = ""
    photos: Photos = field(default_factory=list)

    def check(self) -> None:
        self.proof.check()
        if self.result is CheckpointResult.ISSUE and not self.note.strip():
            raise _invalid("note", "Describe the problem found at this checkpoint.")


@dataclass(frozen=True)
class Violation:
    item: ChecklistItem
    description: Text
    photos: Photos = field(default_factory=list)


@dataclass(frozen=True)
class DecorationCheck:
    permit_id: Id
    slot: Slot
    passed: Annotated[list[ChecklistItem], MaxItems(len(ChecklistItem))]
    violations: Annotated[list[Violation], MaxItems(len(ChecklistItem))]
    workers_seen: Count
    passes_seen: Count
    note: Text = ""
    photos: Photos = field(default_factory=list)

    def check(self) -> None:
        failed = [v.item for v in self.violations]
        answered = list(self.passed) + failed
        missing = [item.value for item in ChecklistItem if item not in answered]
        if missing:
            raise _invalid("passed", f"Every checklist item needs an answer; missing: {', '.join(missing)}.")
        if len(set(answered)) != len(answered):
            raise _invalid("violations", "A checklist item cannot both pass and be a violation.")
        if self.workers_seen > self.passes_seen and ChecklistItem.WORKERS_HAVE_PASSES not in failed:
            raise _invalid(
                "violations",
                "More workers were seen than temporary passes: record it as a violation of 'workers_have_passes'.",
            )
        for v in self.violations:
            if not v.description.strip():
                raise _invalid("violations", f"Describe the violation '{v.item.value}'.")


@dataclass(frozen=True)
class DefectReport:
    place_id: Id
    category: DefectCategory
    severity: Severity
    description: Text
    photos: Photos = field(default_factory=list)
    cause: CauseFactor | None = None
    fixed_on_spot: bool = False
    checkpoint_visit_id: Id | None = None

    def check(self) -> None:
        if not self.description.strip():
            raise _invalid("description", "Describe the defect.")


@dataclass(frozen=True)
class ReturnVisit:
    work_order_id: Id
    fixed: bool
    satisfaction: Satisfaction
    comment: Text = ""
    owner_name: Name = ""
    signature: Sha256 | None = None
    no_signature_reason: Text | None = None
    cause: CauseFactor | None = None
    photos: Photos = field(default_factory=list)

    def check(self) -> None:
        if self.signature is None and not (self.no_signature_reason or "").strip():
            raise _invalid("signature", "Get the owner's signature, or say why there is none.")
        if self.signature is not None and not self.owner_name.strip():
            raise _invalid("owner_name", "Write the name of the owner who signed.")

    @property
    def successful(self) -> bool:
        return self.fixed and self.satisfaction in (Satisfaction.SATISFIED, Satisfaction.VERY_SATISFIED)


@dataclass(frozen=True)
class OwnerComplaint:
    place_id: Id
    owner_name: Name
    description: Text
    contact: Annotated[str, MaxLen(100)] = ""
    photos: Photos = field(default_factory=list)
    severity: Severity = Severity.MEDIUM  # how urgent the owner's matter is

    def check(self) -> None:
        if not self.description.strip():
            raise _invalid("description", "Write down what the owner complains about.")


@dataclass(frozen=True)
class WorkOrderActionRecord:
    work_order_id: Id
    action: WorkOrderAction
    note: Text = ""
    assignee_id: Id | None = None

    def check(self) -> None:
        if self.action is WorkOrderAction.DISPATCH and not self.assignee_id:
            raise _invalid("assignee_id", "Choose who the work order is dispatched to.")
        if self.action is not WorkOrderAction.DISPATCH and self.assignee_id:
            raise _invalid("assignee_id", "Only a dispatch names an assignee.")
        if self.action in (WorkOrderAction.CLOSE, WorkOrderAction.REPLY) and not self.note.strip():
            what = "why the order is closed" if self.action is WorkOrderAction.CLOSE else "what the owner was told"
            raise _invalid("note", f"Write {what}.")


BODY_TYPES: dict[RecordType, type] = {
    RecordType.PATROL_ROUND: PatrolRound,
    RecordType.CHECKPOINT_VISIT: CheckpointVisit,
    RecordType.DECORATION_CHECK: DecorationCheck,
    RecordType.DEFECT_REPORT: DefectReport,
    RecordType.RETURN_VISIT: ReturnVisit,
    RecordType.OWNER_COMPLAINT: OwnerComplaint,
    RecordType.WORK_ORDER_ACTION: WorkOrderActionRecord,
}


def photos_of(body: object) -> list[str]:
    """Every photo hash a record body references, nested ones included, in order, once."""
    found: list[str] = []
    for name in ("photos",):
        found.extend(getattr(body, name, []) or [])
    for v in getattr(body, "violations", []) or []:
        found.extend(v.photos)
    signature = getattr(body, "signature", None)
    if signature:
        found.append(signature)
    return list(dict.fromkeys(found))


def _invalid(field_name: str, message: str) -> ValidationProblem:
    return ValidationProblem("record.invalid_field", message, {"field": f"body.{field_name}"})
