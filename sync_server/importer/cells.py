"""Cell text to the values the service layer takes, and back for exports: weekdays, hours, workers, yes/no.

What cannot be read is passed on as written, so that the service layer refuses it with its own code and the
reader is told about the cell the way the API would tell them.
"""

from __future__ import annotations

import re
from typing import Any

from sync_server.importer.sheets import NO, WEEKDAY_COLUMNS, WEEKDAY_WORDS, YES, normal

_LIST = re.compile(r"[,，;；、/\s]+")
_WORKERS = re.compile(r"[;；\n]+")
_SPAN = re.compile(r"\s*[-–—~～至到]\s*")
CLOSED = {normal(w) for w in ("", "closed", "-", "休息", "关闭", "cerrado")}


def whole_number(text: str) -> int | str:
    return int(text) if text.isascii() and text.isdigit() else text


def yes_no(text: str) -> bool | None:
    """True, False, or None when the cell says neither (blank counts as neither too)."""
    word = normal(text)
    return True if word in YES else False if word in NO else None


def weekdays(text: str) -> list[str] | None:
    """``mon, tue`` or ``周一、周三`` as weekday keys; blank means every day (None)."""
    words = [w for w in _LIST.split(text) if w]
    return [WEEKDAY_WORDS.get(normal(w), w) for w in words] or None


def weekdays_text(days: list[str]) -> str:
    return ",".join(days)


def hours(text: str) -> list[str] | None:
    """``08:30-18:00`` as ["08:30", "18:00"]; blank or ``closed`` as None (closed that day)."""
    if normal(text) in CLOSED:
        return None
    parts = _SPAN.split(text.strip().replace("：", ":"))
    return [p.zfill(5) if len(p) == 4 and ":" in p else p for p in parts]


def hours_text(span: list[str] | None) -> str:
    return "-".join(span) if span else "closed"


def working_hours(values: dict[str, str]) -> dict[str, Any]:
    return {key: hours(values.get(key, "")) for key, _, _ in WEEKDAY_COLUMNS}


def workers(text: str) -> list[dict[str, str]]:
    """``Wang Wei: P-001; Li Na: P-002`` (or a Chinese colon and semicolon, or one worker a line)."""
    found = []
    for item in (w.strip() for w in _WORKERS.split(text)):
        if not item:
            continue
        name, _, number = item.replace("：", ":").rpartition(":")
        found.append(
            {"name": name.strip(), "pass_number": number.strip()} if name else {"name": item, "pass_number": ""}
        )
    return found


def workers_text(listed: list[dict[str, Any]]) -> str:
    return "; ".join(f"{w['name']}: {w['pass_number']}" for w in listed)
