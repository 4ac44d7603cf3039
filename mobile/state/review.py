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
from shared.model import ChecklistItem, CheckpointResult, DefectCategory, PresenceProof, Satisfaction, Severity


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
        # the same filters the server's GET /api/v1/log takes, applied here so the log works offline
        self.start: date | None = None
        self.end: date | None = None
        self.query = ""
        self.place: str | None = None
        self.type: str | None = None
        self.category: str | None = None

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
            if not self._kept(r, body, entry.day):
                continue
            found.append(entry)
        return sorted(found, key=lambda e: str(e.record.get("recorded_at", "")), reverse=True)

    def _kept(self, record: dict[str, Any], body: dict[str, Any], day: date | None) -> bool:
        if self.start and (day is None or day < self.start):
            return False
        if self.end and (day is None or day > self.end):
            return False
        if self.place and record_place(self.ref, body) != self.place:
            return False
        if self.type and record.get("type") != self.type:
            return False
        if self.category and body.get("category") != self.category:
            return False
        words = self.query.strip().casefold()
        return not words or words in searchable_text(body).casefold()

    def clear_filters(self) -> None:
        self.person = self.day = self.start = self.end = self.place = self.type = self.category = None
        self.query = ""

    def by_day(self) -> list[tuple[date | None, list[LogEntry]]]:
        groups: dict[date | None, list[LogEntry]] = {}
        for e in self.entries():
            groups.setdefault(e.day, []).append(e)
        return list(groups.items())

    def people(self) -> list[dict[str, Any]]:
        authors = {str(r.get("author_id")) for r in self.records}
        return [u for u in self.ref.items("user") if str(u["id"]) in authors]

    def places(self) -> list[tuple[str, str]]:
        """The places the records are about, as (id, label), for the place filter."""
        ids = {record_place(self.ref, r.get("body") or {}) for r in self.records}
        return sorted(((i, place_label(self.ref, i)) for i in ids if i), key=lambda p: p[1])

    def types(self) -> list[str]:
        return sorted({str(r.get("type")) for r in self.records if r.get("type")})

    def categories(self) -> list[str]:
        return sorted(
            {str((r.get("body") or {}).get("category")) for r in self.records if (r.get("body") or {}).get("category")}
        )


SEARCHED_FIELDS = ("note", "description", "comment", "owner_name", "reason")


def searchable_text(body: dict[str, Any]) -> str:
    """The words a reviewer searches in: notes, descriptions and comments, violations' descriptions too."""
    parts = [str(body[f]) for f in SEARCHED_FIELDS if body.get(f)]
    parts += [str(v.get("description") or "") for v in body.get("violations") or []]
    parts += [str((body.get("proof") or {}).get("reason") or "")]
    return "\n".join(parts)


FINDING_KEYS = {
    "decoration.check_missed": "finding.decoration_check_missed",
    "patrol.route_missed": "finding.patrol_route_missed",
    "patrol.checkpoint_skipped": "finding.patrol_checkpoint_skipped",
    "return_visit.late": "finding.return_visit_late",
    "order.overdue": "finding.order_overdue",
    "permit.repeated_violations": "finding.permit_repeated_violations",
    "record.clock_suspect": "finding.record_clock_suspect",
    "record.clock_corrected": "finding.record_clock_corrected",
    "patrol.issue_unreported": "finding.patrol_issue_unreported",
    "decoration.follow_up_missed": "finding.decoration_follow_up_missed",
}


def finding_key(finding: dict[str, Any]) -> str:
    """The catalog key naming a finding's kind; the server's own message stays available as detail."""
    return FINDING_KEYS.get(str(finding.get("kind")), "finding.other")


def findings_newest_first(ref: RefData) -> list[dict[str, Any]]:
    return sorted(ref.items("finding"), key=lambda f: (str(f.get("day", "")), str(f["id"])), reverse=True)


def proof_text(tr: Any, proof: dict[str, Any]) -> str:
    """How presence at a checkpoint was proven: scanned by the camera, typed in, or the reason given."""
    try:
        method = PresenceProof(proof.get("method"))
    except ValueError:
        return str(proof.get("method"))
    if method is PresenceProof.REASON:
        return tr.t("review.proof_reason", reason=str(proof.get("reason") or ""))
    return tr.t(f"review.proof_{method.value}", code=str(proof.get("code") or ""))


def record_summary(tr: Any, body: dict[str, Any]) -> list[str]:
    """The lines of a record body a reviewer reads, labelled in the user's language."""
    lines: list[str] = []
    for field_name, enum, label in (
        ("result", CheckpointResult, None),
        ("category", DefectCategory, "defect.category"),
        ("severity", Severity, "defect.severity"),
        ("satisfaction", Satisfaction, "visit.satisfaction"),
    ):
        value = body.get(field_name)
        if value is None:
            continue
        try:
            text = tr.enum(enum(value))
        except ValueError:
            text = str(value)
        lines.append(f"{tr.t(label)}: {text}" if label else text)
    for field_name, label in (
        ("owner_name", "complaint.owner_name"),
        ("contact", "complaint.contact"),
        ("description", "common.description"),
        ("note", "common.note"),
        ("comment", "visit.comment"),
    ):
        if body.get(field_name):
            lines.append(f"{tr.t(label)}: {body[field_name]}")
    proof = body.get("proof") or {}
    if proof.get("method"):
        lines.append(proof_text(tr, proof))
    for v in body.get("violations") or []:
        try:
            item = tr.t(f"violation.{ChecklistItem(v.get('item')).value}")
        except ValueError:
            item = str(v.get("item"))
        lines.append(f"{tr.t('renovation.violation')}: {item} — {v.get('description', '')}")
    return lines
