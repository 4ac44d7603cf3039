"""Problems with a code (from the server, the sync client or the domain core) in the user's language, with what to do.

One function, ``error_text``, is used wherever the app shows such a problem: the sync bar, the records
the server did not take, the login screen, form saves, photos. A code the catalogs know is said with
the catalog's sentence (``error.<code>``); an unknown code falls back to the server's own (English) words.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any

from mobile.state.ports import Problem
from shared.i18n import Translator
from shared.model import Role, WorkOrderAction, WorkOrderState

# Record fields a refusal may name, by the label the forms show for them.
FIELD_KEYS = {
    "description": "common.description",
    "note": "common.note",
    "place_id": "common.place",
    "photos": "common.photos_label",
    "category": "defect.category",
    "severity": "defect.severity",
    "owner_name": "visit.owner_name",
    "signature": "visit.signature",
    "comment": "visit.comment",
    "satisfaction": "visit.satisfaction",
    "violations": "renovation.violation",
}
# Codes that share one sentence.
SAME_AS = {
    "auth.invalid_token": "auth.login_required",
    "auth.missing_token": "auth.login_required",
    "auth.device_mismatch": "auth.login_required",
    "sync.server_error": "sync.refused",
    "sync.incomplete_results": "sync.refused",
    "sync.cursor_stuck": "sync.refused",
    "record.unknown_field": "record.invalid_field",
}


def error_key(code: str) -> str:
    return f"error.{SAME_AS.get(code, code)}"


def error_text(tr: Translator, code: str | None, message: str = "", detail: dict[str, Any] | None = None) -> str:
    """The catalog's sentence for ``code``, filled from ``detail``; the server's message for codes it does not know."""
    if not code or not tr.has(error_key(code)):
        return message or code or ""
    return tr.t(error_key(code), **_args(tr, detail or {}))


def problem_message(tr: Translator, problem: Problem) -> str:
    """What a form or screen shows for a Problem: catalog key, coded problem, or plain text (in that order of kinds)."""
    if problem.code:
        said = error_text(tr, problem.code, problem.text or "", problem.detail)
        return tr.t(problem.key, **{**problem.args, "message": said}) if problem.key else said
    return problem.text or tr.t(problem.key, **problem.args)


def _args(tr: Translator, detail: dict[str, Any]) -> dict[str, Any]:
    """Every placeholder any error sentence uses, from the detail when it has it (a sentence uses some)."""
    field = str(detail.get("field") or "").removeprefix("body.")
    field_name = field.split(".")[0].split("[")[0]
    retry = detail.get("retry_after")
    max_bytes = detail.get("max_photo_bytes")
    return {
        "field": tr.t(FIELD_KEYS[field_name]) if field_name in FIELD_KEYS else (field or "?"),
        "minutes": max(1, math.ceil(float(retry) / 60)) if isinstance(retry, int | float) else 1,
        "max_records": detail.get("max_records", "?"),
        "max_mb": f"{float(max_bytes) / 2**20:.1f}" if isinstance(max_bytes, int | float) else "?",
        "count": detail.get("count", "?"),
        "role": _enum(tr, Role, detail.get("role")),
        "action": _enum(tr, WorkOrderAction, detail.get("action")),
        "state": _enum(tr, WorkOrderState, detail.get("state")),
    }


def _enum(tr: Translator, enum: type[Enum], value: Any) -> str:
    try:
        return tr.enum(enum(value))
    except ValueError:
        return str(value or "?")
