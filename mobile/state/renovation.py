"""Renovation (decoration) site check: permit, slot by the clock, the checklist, workers vs passes, violations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from mobile.state.ports import Clock, Problem, RefData, SaveRecord, checked_body
from shared import rules
from shared.model import ChecklistItem, DecorationCheck, RecordType, Slot, Violation

# Only for a property item that does not say (an older server): DOMAIN.md's usual figure.
DEFAULT_RECTIFICATION_HOURS = 24


def rectification_hours(ref: RefData) -> int:
    """Hours a violation has to be put right, from the property's own rules (the pulled ``property`` item)."""
    for prop in ref.items("property"):
        hours = prop.get("rectification_hours")
        if isinstance(hours, int) and not isinstance(hours, bool) and hours > 0:
            return hours
    return DEFAULT_RECTIFICATION_HOURS


def active_permits(ref: RefData, day: date) -> list[dict[str, Any]]:
    """Permits whose dates include ``day`` and that are still active."""
    found = []
    for p in ref.items("permit"):
        if p.get("status", "active") != "active":
            continue
        starts, ends = str(p.get("starts_on", "")), str(p.get("ends_on", "9999-12-31"))
        if starts[:10] <= day.isoformat() <= ends[:10]:
            found.append(p)
    return found


def checked_slots(records: list[dict[str, Any]], permit_id: str, day: date, tz: ZoneInfo) -> set[Slot]:
    """The slots of ``day`` already checked for a permit, from the local records (type, recorded_at, body)."""
    done: set[Slot] = set()
    for r in records:
        if r.get("type") != RecordType.DECORATION_CHECK.value or (r.get("body") or {}).get("permit_id") != permit_id:
            continue
        at = r["recorded_at"] if isinstance(r["recorded_at"], datetime) else datetime.fromisoformat(r["recorded_at"])
        if rules.local_day(at, tz) == day:
            done.add(Slot((r.get("body") or {}).get("slot")))
    return done


class SiteCheckForm:
    """Every checklist item starts as passed; marking one as a violation asks for its description and photos."""

    def __init__(
        self, *, ref: RefData, save: SaveRecord, now: Clock, tz: ZoneInfo, permit_id: str, rectification_hours: int
    ) -> None:
        self.save, self.now, self.tz = save, now, tz
        self.permit = ref.item("permit", permit_id) or {"id": permit_id}
        self.rectification_hours = rectification_hours
        self.slot: Slot = rules.decoration_slot(now(), tz)
        self.violations: dict[ChecklistItem, str] = {}  # item -> description
        self.violation_photos: dict[ChecklistItem, list[str]] = {}
        self.workers_seen = 0
        self.passes_seen = 0
        self.note = ""
        self.photos: list[str] = []
        self.saved_id: str | None = None

    @property
    def items(self) -> list[ChecklistItem]:
        return list(ChecklistItem)

    def set_violation(self, item: ChecklistItem, violated: bool) -> None:
        if violated:
            self.violations.setdefault(item, "")
        else:
            self.violations.pop(item, None)
            self.violation_photos.pop(item, None)

    def describe(self, item: ChecklistItem, text: str) -> None:
        if item in self.violations:
            self.violations[item] = text

    def add_violation_photo(self, item: ChecklistItem, sha256: str) -> None:
        photos = self.violation_photos.setdefault(item, [])
        if sha256 not in photos:
            photos.append(sha256)

    def set_counts(self, workers: int, passes: int) -> None:
        self.workers_seen, self.passes_seen = max(0, workers), max(0, passes)
        # More workers than passes is itself a violation: mark it so the user only has to describe it.
        if self.workers_seen > self.passes_seen:
            self.set_violation(ChecklistItem.WORKERS_HAVE_PASSES, True)

    def rectification_deadline(self) -> datetime | None:
        """The rectification notice's deadline the server will set, shown before saving; None without violations."""
        if not self.violations:
            return None
        return rules.rectification_due(self.now(), self.tz, self.rectification_hours)

    def problems(self) -> list[Problem]:
        found = []
        if self.workers_seen > self.passes_seen and ChecklistItem.WORKERS_HAVE_PASSES not in self.violations:
            found.append(Problem("renovation.passes_short"))
        if any(not d.strip() for d in self.violations.values()):
            found.append(Problem("renovation.violation_missing"))
        return found

    def body(self) -> DecorationCheck:
        return DecorationCheck(
            permit_id=str(self.permit["id"]),
            slot=self.slot,
            passed=[i for i in ChecklistItem if i not in self.violations],
            violations=[
                Violation(item=i, description=d.strip(), photos=list(self.violation_photos.get(i, [])))
                for i, d in self.violations.items()
            ],
            workers_seen=self.workers_seen,
            passes_seen=self.passes_seen,
            note=self.note.strip(),
            photos=list(self.photos),
        )

    def submit(self) -> list[Problem]:
        if self.saved_id:
            return []
        body, found = checked_body(self.problems(), self.body, {"violations": "renovation.violation_missing"})
        if found:
            return found
        self.saved_id = self.save(RecordType.DECORATION_CHECK, body)
        return []
