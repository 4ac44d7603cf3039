"""A work order as reconciliation derives it: its deadlines, its history and its JSON shape.

The JSON of ``Order.to_json`` is what the review endpoints return for one order; the server adds
``number`` and ``property_id``, stores ``Order.head_json`` with ``history_total`` and the history
step by step, and publishes to the feed (kind ``work_order``) the head with the latest steps only.
Times are ISO 8601 on the property's clock (with its UTC offset).

Nothing reconciliation writes is a sentence: what it knows is data, and each reader (the app, in the
user's language) says it. Only ``note`` and ``description`` hold words, and only words a person typed.

A history entry (``Event.to_json``) always has these keys:

- ``at``, ``actor_id``, ``action``, ``record_id``, ``from_state``, ``to_state``: when, who, what
  (a ``WorkOrderAction`` value or one of ``HISTORY_ACTIONS``), from which record, and the state
  change (``from_state`` null when the state did not change);
- ``note``: the words of the record: an action's note (also when it waits or is skipped), a return
  visit's comment (the owner's words), the description of a defect reported again, a decoration
  check's note; ``""`` if none, and for ``reported`` (the order's description holds those words);
- ``verdict``: for ``return_visit_ok``, ``return_visit_failed`` and ``return_visit_noted``, one of
  ``VERDICTS`` (``fixed_satisfied``, ``not_fixed``, ``dissatisfied``); else null;
- ``related_order_id``, ``related_number``: for ``rework_opened`` the rework order it opened, for
  ``closed_by_rework`` the rework order whose return visit passed; else null. The server fills
  ``related_number`` when it writes the order (the replay knows no numbers);
- ``violations``: for ``violations_found_again``, what the check found: ``[{"item": <ChecklistItem
  value>, "description": <the inspector's words>}]``; else ``[]``;
- ``reason``, ``reason_detail``: for ``action_waiting`` and ``action_skipped``, the code of the
  problem that stopped the action (``workflow.invalid_transition``, ``workflow.not_assignee``, ...)
  and its detail (with at least ``action``, the action asked for); else null and ``{}``;
- ``changes``: for ``corrected`` and ``moved_out``, what a correction of a defect changed:
  ``{<field>: {"from": old, "to": new}}`` over ``description``, ``severity``, ``place_id``,
  ``category`` and ``cause``; else ``{}``;
- ``on_behalf_of``: for a ``start`` or ``complete`` that a supervisor or admin recorded for the
  order's assignee, the assignee's id; else null.

A deadline (``Deadline.to_json``) has ``name``, ``due_at``, ``met_at`` and ``missed_at``: met when
what it asks for happened, *missed* (``missed_at``, the moment) when the order was closed by hand
before it happened, and ``assignee_id``, who must meet it when that is not the order's assignee.

An order's own structured fields: a rework order has ``parent_id`` (the order whose return visit
failed), ``verdict`` (that visit's) and ``description`` (the owner's comment at it); a rectification
order has ``violations`` (as above, from the check that opened it) and ``description`` (that check's
note). Repair and complaint orders have the reporter's description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.model import WorkOrderKind, WorkOrderState

# A return visit's verdict: fixed and the owner satisfied, not fixed, or fixed but the owner not satisfied.
FIXED_SATISFIED, NOT_FIXED, DISSATISFIED = "fixed_satisfied", "not_fixed", "dissatisfied"
VERDICTS = (FIXED_SATISFIED, NOT_FIXED, DISSATISFIED)
# History actions reconciliation writes besides the work-order actions themselves.
HISTORY_ACTIONS = (
    "reported",
    "reported_again",
    "violations_found_again",
    "rectified",
    "return_visit_ok",
    "return_visit_failed",
    "return_visit_noted",
    "closed_by_rework",
    "rework_opened",
    "action_waiting",
    "action_skipped",
    "corrected",
    "moved_out",
)


def order_id_for(record_id: str) -> str:
    """The id of the order a record opens: derived from the record, so every server agrees on it."""
    return f"wo-{record_id}"


@dataclass
class Deadline:
    """One promise of DOMAIN.md: ``handling``, ``reply``, ``notice``, ``rectification`` or ``return_visit``."""

    name: str
    due_at: datetime
    met_at: datetime | None = None
    assignee_id: str | None = None  # who must meet it, when that is not the order's assignee
    missed_at: datetime | None = None  # the order was closed before it was met: it never will be

    @property
    def open(self) -> bool:
        return self.met_at is None and self.missed_at is None

    def overdue(self, now: datetime) -> bool:
        """Missed, not met and past due, or met after it was due (a late visit stays a late visit)."""
        if self.missed_at is not None:
            return True
        if self.met_at is None:
            return now > self.due_at
        return self.met_at > self.due_at

    def to_json(self, tz: ZoneInfo) -> dict[str, Any]:
        return {
            "name": self.name,
            "due_at": _iso(self.due_at, tz),
            "met_at": _iso(self.met_at, tz),
            "missed_at": _iso(self.missed_at, tz),
            "assignee_id": self.assignee_id,
        }


@dataclass
class Event:
    """One line of an order's history: who did what, when, from which record."""

    at: datetime
    actor_id: str | None
    action: str
    record_id: str | None
    from_state: WorkOrderState | None
    to_state: WorkOrderState | None
    note: str = ""  # words a person typed, never reconciliation's
    verdict: str | None = None
    related_order_id: str | None = None
    violations: list[dict[str, str]] = field(default_factory=list)
    reason: str | None = None
    reason_detail: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    on_behalf_of: str | None = None
    # An event never changes once made: its JSON is made once (a long order is written again and again).
    _json: tuple[ZoneInfo, dict[str, Any]] | None = field(default=None, init=False, repr=False, compare=False)

    def to_json(self, tz: ZoneInfo) -> dict[str, Any]:
        if self._json is None or self._json[0] is not tz:
            self._json = (tz, self._encode(tz))
        return dict(self._json[1])

    def _encode(self, tz: ZoneInfo) -> dict[str, Any]:
        return {
            "at": _iso(self.at, tz),
            "actor_id": self.actor_id,
            "action": self.action,
            "record_id": self.record_id,
            "from_state": self.from_state.value if self.from_state else None,
            "to_state": self.to_state.value if self.to_state else None,
            "note": self.note,
            "verdict": self.verdict,
            "related_order_id": self.related_order_id,
            "related_number": None,
            "violations": [dict(v) for v in self.violations],
            "reason": self.reason,
            "reason_detail": dict(self.reason_detail),
            "changes": {k: dict(v) for k, v in self.changes.items()},
            "on_behalf_of": self.on_behalf_of,
        }


@dataclass
class Order:
    id: str
    kind: WorkOrderKind
    state: WorkOrderState
    stream: str
    reported_at: datetime
    description: str
    place_id: str | None = None
    category: str | None = None
    severity: str | None = None
    permit_id: str | None = None
    owner_name: str = ""
    cause: str | None = None
    reporter_ids: list[str] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)  # the field records that caused or changed it
    photos: list[str] = field(default_factory=list)
    round_ids: list[str] = field(default_factory=list)
    checkpoint_visit_ids: list[str] = field(default_factory=list)
    assignee_id: str | None = None
    responsible_id: str | None = None  # the specialist who owns the place: does the return visit
    parent_id: str | None = None  # rework: the order whose return visit failed
    root_id: str | None = None
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None
    violation_checks: int = 0  # rectification: checks of the permit that found violations
    permit_flagged: bool = False  # repeated violations: corrective and preventive measures needed
    verdict: str | None = None  # rework: the verdict of the return visit that failed
    violations: list[dict[str, str]] = field(default_factory=list)  # rectification: what the opening check found
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    history: list[Event] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # order ids that lead here (wo-<record id>)

    def add_reporter(self, user_id: str) -> None:
        if user_id not in self.reporter_ids:
            self.reporter_ids.append(user_id)

    def add_photos(self, photos: list[str]) -> None:
        have = set(self.photos)  # an order reported a thousand times holds many photos: no scan per photo
        self.photos.extend(p for p in dict.fromkeys(photos) if p not in have)

    def meet(self, name: str, at: datetime) -> None:
        deadline = self.deadlines.get(name)
        if deadline is not None and deadline.open:
            deadline.met_at = at

    def met(self, name: str) -> bool:
        deadline = self.deadlines.get(name)
        return deadline is not None and deadline.met_at is not None

    def open_deadlines(self) -> list[Deadline]:
        return [d for d in self.deadlines.values() if d.open]

    def next_due_at(self) -> datetime | None:
        """The earliest unmet deadline, for sorting and the overdue list."""
        pending = [d.due_at for d in self.open_deadlines()]
        return min(pending) if pending else None

    def return_visit_pending(self) -> Deadline | None:
        deadline = self.deadlines.get("return_visit")
        if deadline is None or not deadline.open or self.state is not WorkOrderState.DONE:
            return None
        return deadline

    def to_json(self, tz: ZoneInfo) -> dict[str, Any]:
        return {**self.head_json(tz), "history": [e.to_json(tz) for e in self.history]}

    def head_json(self, tz: ZoneInfo) -> dict[str, Any]:
        """The order without its history (the server stores the history step by step)."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "state": self.state.value,
            "place_id": self.place_id,
            "category": self.category,
            "severity": self.severity,
            "permit_id": self.permit_id,
            "description": self.description,
            "owner_name": self.owner_name,
            "cause": self.cause,
            "reported_at": _iso(self.reported_at, tz),
            "reporter_ids": list(self.reporter_ids),
            "record_ids": list(self.record_ids),
            "photos": list(self.photos),
            "round_ids": list(self.round_ids),
            "checkpoint_visit_ids": list(self.checkpoint_visit_ids),
            "assignee_id": self.assignee_id,
            "responsible_id": self.responsible_id,
            "parent_id": self.parent_id,
            "root_id": self.root_id,
            "completed_at": _iso(self.completed_at, tz),
            "closed_at": _iso(self.closed_at, tz),
            "signed_off_by": self.signed_off_by,
            "signed_off_at": _iso(self.signed_off_at, tz),
            "violation_checks": self.violation_checks,
            "permit_flagged": self.permit_flagged,
            "verdict": self.verdict,
            "violations": [dict(v) for v in self.violations],
            "due_at": _iso(self.next_due_at(), tz),
            "deadlines": [d.to_json(tz) for d in self.deadlines.values()],
        }


def _iso(at: datetime | None, tz: ZoneInfo) -> str | None:
    return at.astimezone(tz).isoformat() if at is not None else None
