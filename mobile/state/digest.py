"""The supervisor's daily digest: what needs attention, from the data this phone pulled (so it works offline).

Four lists: overdue orders, reworked (returned) orders, unassigned orders (reported, not dispatched yet) and
findings nobody acknowledged. Acknowledging or assigning a finding is an online action
(``POST /api/v1/findings/{id}/ack``): offline the screen says so and nothing changes; the answer is laid over the
pulled finding at once, and the feed brings the same to every phone at the next sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mobile.state.admin import problem_of
from mobile.state.orders import is_overdue, order_state
from mobile.state.ports import Clock, Problem, RefData
from mobile.state.review import findings_newest_first
from shared.errors import PatrolError
from shared.model import Role, WorkOrderState

PARTS = ["overdue", "reworked", "unassigned", "findings"]


@dataclass
class Digest:
    overdue: list[dict[str, Any]] = field(default_factory=list)
    reworked: list[dict[str, Any]] = field(default_factory=list)
    unassigned: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)

    def part(self, name: str) -> list[dict[str, Any]]:
        return list(getattr(self, name))

    @property
    def total(self) -> int:
        return sum(len(self.part(p)) for p in PARTS)


def _due(order: dict[str, Any]) -> str:
    return str(order.get("due_at") or "9999")


def build_digest(ref: RefData, now: datetime, acked: dict[str, dict[str, Any]] | None = None) -> Digest:
    """The four lists, most pressing first (soonest due; newest findings)."""
    acked = acked or {}
    orders = ref.items("work_order")
    overdue = sorted((o for o in orders if is_overdue(o, now)), key=_due)
    reworked = sorted((o for o in orders if order_state(o) is WorkOrderState.REWORK), key=_due)
    unassigned = sorted(
        (o for o in orders if order_state(o) is WorkOrderState.REPORTED and not o.get("assignee_id")),
        key=lambda o: str(o.get("reported_at") or ""),
    )
    findings = [f for f in findings_newest_first(ref) if not (acked.get(str(f["id"])) or f).get("acked_at")]
    return Digest(overdue, reworked, unassigned, findings)


class DigestState:
    def __init__(self, *, ref: RefData, now: Clock, api: Any) -> None:
        self.ref, self.now, self.api = ref, now, api
        self.acked: dict[str, dict[str, Any]] = {}  # finding id -> the server's answer, until the feed has it
        self.finding_id: str | None = None  # the finding whose acknowledge form is open
        self.note = ""
        self.assignee_id: str | None = None
        self.problem: Problem | None = None
        self.done_id: str | None = None  # the last finding acknowledged here (the screen says so)

    def digest(self) -> Digest:
        return build_digest(self.ref, self.now(), self.acked)

    def assignees(self) -> list[dict[str, Any]]:
        return [u for u in self.ref.items("user") if u.get("role") == Role.MAINTENANCE.value]

    def open(self, finding_id: str) -> None:
        self.finding_id, self.note, self.assignee_id, self.problem = finding_id, "", None, None

    def cancel(self) -> None:
        self.finding_id, self.problem = None, None

    def acknowledge(self) -> bool:
        """Send the note (and the assignee if one was chosen); the finding leaves the list when the server agrees."""
        if self.finding_id is None:
            return False
        if not self.note.strip():
            self.problem = Problem("digest.note_missing")
            return False
        body: dict[str, Any] = {"note": self.note.strip()}
        if self.assignee_id:
            body["assignee_id"] = self.assignee_id
        try:
            answer = self.api.send("POST", f"/api/v1/findings/{self.finding_id}/ack", json=body).json()
        except PatrolError as e:
            self.problem = Problem("digest.offline") if e.code == "sync.offline" else problem_of(e)
            return False
        if not isinstance(answer, dict) or not answer.get("acked_at"):
            answer = {"id": self.finding_id, "acked_at": self.now().isoformat(), "ack_note": body["note"]}
        self.acked[self.finding_id] = answer
        self.done_id, self.finding_id, self.problem = self.finding_id, None, None
        return True
