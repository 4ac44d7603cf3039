"""Sentences built on the phone from the server's data: findings and work-order history in the user's language.

The server sends data, not sentences: a history entry's verdict, related order, violations and reason
(see ``shared.work_order``), a finding's kind and fields. The app says them with the catalogs, with names
looked up in the reference data and dates on the property's clock. Text a person typed (a note, a
comment, a description) is shown as it was written.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mobile.state.messages import error_key, error_text
from mobile.state.orders import parse_time
from mobile.state.places import place_label
from mobile.state.ports import RefData
from shared.i18n import Translator
from shared.model import ChecklistItem, Slot, WorkOrderAction, WorkOrderState
from shared.work_order import HISTORY_ACTIONS, VERDICTS

# Deadline names of work orders (shared.work_order / reconciliation), shown inside sentences.
DEADLINES = ("handling", "notice", "reply", "rectification", "return_visit")
LATE_KEYS = {
    ("return_visit.late", True): "finding.text.return_visit_late_met",
    ("return_visit.late", False): "finding.text.return_visit_late_open",
    ("order.overdue", True): "finding.text.order_overdue_met",
    ("order.overdue", False): "finding.text.order_overdue_open",
}


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
    if kind == "patrol.issue_unreported" and finding.get("checkpoint_id"):
        return tr.t(
            "finding.text.patrol_issue_unreported",
            checkpoint=_name(ref, "checkpoint", finding.get("checkpoint_id")),
            route=_name(ref, "route", finding.get("route_id")),
            day=day,
        )
    if kind == "decoration.follow_up_missed" and finding.get("permit_id"):
        due = parse_time(finding.get("due_at"))
        return tr.t(
            "finding.text.decoration_follow_up_missed",
            permit=permit_label(ref, finding.get("permit_id"), finding.get("place_id")),
            due=tr.short(due) if due else day,
        )
    if kind in ("record.clock_suspect", "record.clock_corrected"):
        key = "finding.text." + kind.replace(".", "_")
        return tr.t(key, who=_name(ref, "user", finding.get("owner_id")))
    return str(finding.get("message") or "")  # a kind newer than this app: the server's (English) words


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
    """What an event says besides its label: its data in the user's language, then people's words as written."""
    note = str(event.get("note") or "")
    verdict = event.get("verdict")
    if verdict in VERDICTS:
        said = tr.t(f"history.verdict.{verdict}")
        return tr.t("history.verdict_comment", verdict=said, comment=note) if note else said
    return with_note(tr, _event_data(tr, ref, event), note)


def _event_data(tr: Translator, ref: RefData, event: dict[str, Any]) -> str:
    """The related order, the violations found or the reason an action did not apply; "" when none."""
    related = event.get("related_order_id")
    if related:
        number = event.get("related_number") or order_number(ref, str(related))
        key = (
            "history.note.rework_passed" if event.get("action") == "closed_by_rework" else "history.note.rework_opened"
        )
        return tr.t(key, number=number) if number else ""  # a rework the reader cannot see: the label says enough
    if event.get("violations"):
        return violations_text(tr, list(event["violations"]))
    reason = event.get("reason")
    if reason and tr.has(error_key(str(reason))):
        return error_text(tr, str(reason), "", dict(event.get("reason_detail") or {}))
    return ""


def history_line(tr: Translator, ref: RefData, event: dict[str, Any], users: dict[str, str]) -> str:
    """When · what · who — and the note, for one line of an order's history."""
    at = parse_time(event.get("at"))
    actor = users.get(str(event.get("actor_id")), "")
    behalf = event.get("on_behalf_of")
    if behalf:  # a supervisor who started or completed maintenance's order for them
        name = users.get(str(behalf), str(behalf))
        actor = tr.t("history.on_behalf_of", actor=actor, name=name) if actor else tr.t("history.for", name=name)
    head = [tr.short(at) if at else "", history_label(tr, event), actor]
    note = history_note(tr, ref, event)
    return " · ".join(x for x in head if x) + (f" — {note}" if note else "")


def order_description(tr: Translator, order: dict[str, Any]) -> str:
    """Why a rework or rectification order exists, in the user's language, then the person's description as is."""
    text = str(order.get("description") or "")
    verdict = order.get("verdict")
    if order.get("kind") == "rework" and verdict in VERDICTS:
        why = tr.t("orders.rework_description", verdict=tr.t(f"history.verdict.{verdict}"))
        return with_note(tr, why, text)
    if order.get("kind") == "rectification" and order.get("violations"):
        return with_note(tr, violations_text(tr, list(order["violations"])), text)
    return text


def violations_text(tr: Translator, violations: list[dict[str, Any]]) -> str:
    """``item: description; item: description`` with each checklist item said in the user's language."""
    values = {item.value: item for item in ChecklistItem}
    parts = []
    for violation in violations:
        item, words = str(violation.get("item") or ""), str(violation.get("description") or "")
        label = violation_label(tr, values[item]) if item in values else item
        parts.append(f"{label}: {words}" if words else label)
    return "; ".join(parts)


def violation_label(tr: Translator, item: ChecklistItem) -> str:
    """What is wrong ("Disorderly stacking"), where the checklist item says what passes ("No disorderly stacking")."""
    return tr.t(f"violation.{item.value}")


def deadline_lines(tr: Translator, order: dict[str, Any], now: datetime) -> list[tuple[str, bool]]:
    """Each deadline of an order as (text, late): met, met late, missed (closed without it), overdue or due."""
    lines = []
    for d in order.get("deadlines") or []:
        name = deadline_label(tr, d.get("name"))
        name = name[:1].upper() + name[1:]  # said mid-sentence elsewhere; here it starts the line
        due, met, missed = parse_time(d.get("due_at")), parse_time(d.get("met_at")), parse_time(d.get("missed_at"))
        when = tr.short(due) if due else "—"
        if met is not None:
            late = due is not None and met > due
            key = "orders.deadline_met_late" if late else "orders.deadline_met"
            lines.append((tr.t(key, deadline=name, due=when, met=tr.short(met)), late))
        elif missed is not None:
            lines.append((tr.t("orders.deadline_missed", deadline=name, due=when, missed=tr.short(missed)), True))
        elif due is not None and now > due:
            lines.append((tr.t("orders.deadline_overdue", deadline=name, due=when), True))
        else:
            lines.append((tr.t("orders.deadline_due", deadline=name, due=when), False))
    return lines


def with_note(tr: Translator, text: str, note: str) -> str:
    """What reconciliation recorded followed by a person's words; either alone when the other is empty."""
    if text and note:
        return tr.t("history.with_note", text=text, note=note)
    return text or note


def order_number(ref: RefData, order_id: str) -> str:
    """An order's number from the reference data; "" when this reader does not have the order."""
    order = ref.item("work_order", order_id)
    return str(order.get("number") or "") if order else ""


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
