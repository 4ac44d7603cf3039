"""Server-side words for an order's data, from the same catalog keys the app uses (``history.*``, enums).

The app's fuller wording lives in mobile/ and the server never imports it: this says each history step
plainly — its label, the verdict of a return visit, a related order's number, and the person's note.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from shared.i18n import Translator
from shared.model import (
    CauseFactor,
    DefectCategory,
    Satisfaction,
    Severity,
    WorkOrderAction,
    WorkOrderKind,
    WorkOrderState,
)
from shared.work_order import HISTORY_ACTIONS, VERDICTS

ENUMS: dict[str, type[Enum]] = {
    "kind": WorkOrderKind,
    "state": WorkOrderState,
    "category": DefectCategory,
    "severity": Severity,
    "cause": CauseFactor,
    "satisfaction": Satisfaction,
}


def enum_text(tr: Translator, field: str, value: Any) -> str:
    """A stored enum value in the reader's words; an unknown value as it is stored."""
    if value is None or value == "":
        return ""
    try:
        return tr.enum(ENUMS[field](str(value)))
    except ValueError:
        return str(value)


def verdict(tr: Translator, met: bool | None) -> str:
    """A target's outcome: met, missed, or no data when the period had nothing to count (no complaints at all
    has not missed "complaint handling 100%")."""
    return tr.t("report.period.no_data" if met is None else "report.period.met" if met else "report.period.missed")


def comparison(tr: Translator, sign: str) -> str:
    """A target's ``>=`` or ``<`` in words ("at least", "below"): the report's CJK font has no "≥" glyph, and
    words read the same in every language and in a spreadsheet cell."""
    key = {">=": "report.comparison.at_least", "<": "report.comparison.below"}.get(sign, "")
    return tr.t(key) if key else sign


def history_label(tr: Translator, event: dict[str, Any]) -> str:
    action = str(event.get("action") or "")
    if action in HISTORY_ACTIONS:
        return tr.t(f"history.{action}")
    for value, enum in ((action, WorkOrderAction), (event.get("to_state"), WorkOrderState)):
        try:
            return tr.enum(enum(str(value)))
        except ValueError:
            continue
    return action.replace("_", " ")


def history_note(tr: Translator, event: dict[str, Any]) -> str:
    note = str(event.get("note") or "")
    verdict = event.get("verdict")
    if verdict in VERDICTS:
        said = tr.t(f"history.verdict.{verdict}")
        return tr.t("history.verdict_comment", verdict=said, comment=note) if note else said
    number = event.get("related_number")
    if number:
        key = (
            "history.note.rework_passed" if event.get("action") == "closed_by_rework" else "history.note.rework_opened"
        )
        data = tr.t(key, number=number)
        return tr.t("history.with_note", text=data, note=note) if note else data
    return note


def actor_text(tr: Translator, event: dict[str, Any], users: dict[str, str]) -> str:
    actor = users.get(str(event.get("actor_id")), str(event.get("actor_id") or ""))
    behalf = event.get("on_behalf_of")
    if behalf:  # a supervisor who started or completed maintenance's order for them
        name = users.get(str(behalf), str(behalf))
        return tr.t("history.on_behalf_of", actor=actor, name=name) if actor else tr.t("history.for", name=name)
    return actor
