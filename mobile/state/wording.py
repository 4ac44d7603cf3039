"""Sentences built on the phone from the server's data: findings and work-order history in the user's language.

The server writes English sentences for its own logs; the app says the same from the kind and the fields,
with names looked up in the reference data and dates on the property's clock. Text a person typed (a note,
a comment) is shown as it was written; English the app does not recognise is shown as the server sent it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from mobile.state.orders import parse_time
from mobile.state.places import place_label
from mobile.state.ports import RefData
from shared.i18n import Translator
from shared.model import ChecklistItem, Slot, WorkOrderAction, WorkOrderState

# Deadline names of work orders (shared.work_order / reconciliation), shown inside sentences.
DEADLINES = ("handling", "notice", "reply", "rectification", "return_visit")
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
)
# The verdict reconciliation puts before the owner's comment in a return visit's note.
VERDICTS = {"fixed and satisfied": "satisfied", "not fixed": "not_fixed", "owner not satisfied": "not_satisfied"}
LATE_KEYS = {
    ("return_visit.late", True): "finding.text.return_visit_late_met",
    ("return_visit.late", False): "finding.text.return_visit_late_open",
    ("order.overdue", True): "finding.text.order_overdue_met",
    ("order.overdue", False): "finding.text.order_overdue_open",
}
_REWORK_PASSED = re.compile(r"^Rework (\S+) passed its return visit\.$")
_REWORK_PREFIX = "Rework after a failed return visit: "


# ---- findings -----------------------------------------------------------------------------
def finding_sentence(tr: Translator, ref: RefData, finding: dict[str, Any]) -> str:
    """The finding said from its kind and fields; the server's message only for a kind the app does not know."""
    kind = str(finding.get("kind") or "")
    day = _day(tr, finding.get("day"))
    place = place_label(ref, finding.get("place_id")) or "—"
    if kind == "decoration.check_missed":
        return tr.t(
            "finding.text.decoration_check_missed",
            slot=_enum(tr, Slot, finding.get("slot")),
            permit=permit_label(ref, finding.get("permit_id"), finding.get("place_id")),
            day=day,
        )
    if kind == "patrol.route_missed":
        return tr.t("finding.text.patrol_route_missed", route=_name(ref, "route", finding.get("route_id")), day=day)
    if kind == "patrol.checkpoint_skipped":
        return tr.t(
            "finding.text.patrol_checkpoint_skipped",
            checkpoint=_name(ref, "checkpoint", finding.get("checkpoint_id")),
            route=_name(ref, "route", finding.get("route_id")),
            day=day,
        )
    if kind in ("return_visit.late", "order.overdue"):
        met = parse_time(finding.get("met_at"))
        due = parse_time(finding.get("due_at"))
        return tr.t(
            LATE_KEYS[(kind, met is not None)],
            number=finding.get("number") or "—",
            place=place,
            deadline=deadline_label(tr, finding.get("deadline")),
            due=tr.short(due) if due else "—",
            met=tr.short(met) if met else "",
        )
    if kind == "permit.repeated_violations":
        order = ref.item("work_order", str(finding.get("work_order_id"))) or {}
        return tr.t(
            "finding.text.permit_repeated_violations",
            permit=permit_label(ref, finding.get("permit_id"), finding.get("place_id")),
            count=order.get("violation_checks") or "≥2",
        )
    if kind == "record.clock_suspect":
        return tr.t("finding.text.record_clock_suspect", who=_name(ref, "user", finding.get("owner_id")))
    return str(finding.get("message") or "")


def finding_detail(tr: Translator, ref: RefData, finding: dict[str, Any]) -> str:
    """The line under a finding's title: its sentence (names and dates already in it), else day and place."""
    sentence = finding_sentence(tr, ref, finding)
    if sentence:
        return sentence
    return " · ".join(x for x in (_day(tr, finding.get("day")), place_label(ref, finding.get("place_id"))) if x)


def permit_label(ref: RefData, permit_id: Any, place_id: Any = None) -> str:
    permit = ref.item("permit", str(permit_id)) if permit_id else None
    unit = place_label(ref, (permit or {}).get("unit_id") or place_id)
    contractor = str((permit or {}).get("contractor") or "")
    return " · ".join(x for x in (unit, contractor) if x) or str(permit_id or "—")


def deadline_label(tr: Translator, name: Any) -> str:
    return tr.t(f"deadline.{name}") if name in DEADLINES else str(name or "").replace("_", " ")


# ---- work-order history and description ---------------------------------------------------
def history_label(tr: Translator, event: dict[str, Any]) -> str:
    """An event by what happened: reconciliation's own events, then the action, then the state it led to."""
    action = str(event.get("action") or "")
    if action in HISTORY_ACTIONS:
        return tr.t(f"history.{action}")
    for value in (action, event.get("to_state")):
        for enum in (WorkOrderAction, WorkOrderState):
            try:
                return tr.enum(enum(str(value)))
            except ValueError:
                continue
    return action.replace("_", " ")


def history_note(tr: Translator, ref: RefData, event: dict[str, Any]) -> str:
    """The note of an event: reconciliation's English turned into the user's language; people's words as written."""
    action, note = str(event.get("action") or ""), str(event.get("note") or "")
    if not note or action == "return_visit_noted":
        return ""  # the label says it all
    if action in ("return_visit_ok", "return_visit_failed"):
        for english, key in VERDICTS.items():
            if note == english or note.startswith(english + ": "):
                comment = note[len(english) + 2 :]
                verdict = tr.t(f"history.verdict.{key}")
                return f"{verdict}: {comment}" if comment else verdict
        return note
    if action == "rework_opened":
        return tr.t("history.note.rework_opened", number=order_number(ref, note))
    if action == "closed_by_rework" and (m := _REWORK_PASSED.match(note)):
        return tr.t("history.note.rework_passed", number=order_number(ref, m.group(1)))
    if action == "violations_found_again":
        return violations_text(tr, note)
    return note


def history_line(tr: Translator, ref: RefData, event: dict[str, Any], users: dict[str, str]) -> str:
    """When · what · who — and the note, for one line of an order's history."""
    at = parse_time(event.get("at"))
    head = [tr.short(at) if at else "", history_label(tr, event), users.get(str(event.get("actor_id")), "")]
    note = history_note(tr, ref, event)
    return " · ".join(x for x in head if x) + (f" — {note}" if note else "")


def order_description(tr: Translator, order: dict[str, Any]) -> str:
    """A rectification's violations and a rework's reason in the user's language; a person's description as is."""
    text = str(order.get("description") or "")
    if order.get("kind") == "rework" and text.startswith(_REWORK_PREFIX):
        reason = text.removeprefix(_REWORK_PREFIX)
        if reason in VERDICTS:  # no comment was given: reconciliation put the verdict there
            reason = tr.t(f"history.verdict.{VERDICTS[reason]}")
        return tr.t("orders.rework_description", comment=reason)
    if order.get("kind") == "rectification":
        return violations_text(tr, text)
    return text


def violations_text(tr: Translator, text: str) -> str:
    """``item: description; item: description`` with each checklist item said in the user's language."""
    values = {item.value: item for item in ChecklistItem}
    parts = []
    for part in text.split("; "):
        item, sep, rest = part.partition(": ")
        parts.append(f"{tr.enum(values[item])}: {rest}" if sep and item in values else part)
    return "; ".join(parts)


def order_number(ref: RefData, order_id: str) -> str:
    order = ref.item("work_order", order_id)
    return str(order.get("number") or order_id) if order else order_id


# ---- helpers ------------------------------------------------------------------------------
def _day(tr: Translator, value: Any) -> str:
    try:
        return tr.date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


def _name(ref: RefData, kind: str, id: Any) -> str:
    item = ref.item(kind, str(id)) if id else None
    return str(item.get("name") or id) if item else str(id or "—")


def _enum(tr: Translator, enum: Any, value: Any) -> str:
    try:
        return str(tr.enum(enum(value)))
    except ValueError:
        return str(value or "")
