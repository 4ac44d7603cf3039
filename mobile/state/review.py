"""Supervisor review: the synced patrol and inspection log by day, person and place, plus findings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from mobile.state.orders import parse_time
from mobile.state.places import place_label
from mobile.state.ports import RefData
from shared import rules


@dataclass
class LogEntry:
    record: dict[str, Any]
    day: date | None
    who: str
    where: str


def record_place(ref: RefData, body: dict[str, Any]) -> str | None:
    """The place a record is about: its own place, its checkpoint's place, or its permit's unit."""
    if body.get("place_id"):
        return str(body["place_id"])
    if body.get("checkpoint_id"):
        cp = ref.item("checkpoint", str(body["checkpoint_id"]))
        return str(cp.get("place_id")) if cp else None
    if body.get("permit_id"):
        permit = ref.item("permit", str(body["permit_id"]))
        return str(permit.get("unit_id")) if permit else None
    return None


class ReviewLog:
    def __init__(self, *, ref: RefData, records: list[dict[str, Any]], tz: ZoneInfo) -> None:
        self.ref, self.records, self.tz = ref, records, tz
        self.person: str | None = None
        self.day: date | None = None

    def entries(self) -> list[LogEntry]:
        users = {str(u["id"]): str(u.get("name", u["id"])) for u in self.ref.items("user")}
        found = []
        for r in self.records:
            at = parse_time(r.get("recorded_at"))
            body = r.get("body") or {}
            author = str(r.get("author_id") or "")
            entry = LogEntry(
                r,
                rules.local_day(at, self.tz) if at else None,
                users.get(author, author),
                place_label(self.ref, record_place(self.ref, body)),
            )
            if self.person and author != self.person:
                continue
            if self.day and entry.day != self.day:
                continue
            found.append(entry)
        return sorted(found, key=lambda e: str(e.record.get("recorded_at", "")), reverse=True)

    def by_day(self) -> list[tuple[date | None, list[LogEntry]]]:
        groups: dict[date | None, list[LogEntry]] = {}
        for e in self.entries():
            groups.setdefault(e.day, []).append(e)
        return list(groups.items())

    def people(self) -> list[dict[str, Any]]:
        authors = {str(r.get("author_id")) for r in self.records}
        return [u for u in self.ref.items("user") if str(u["id"]) in authors]
