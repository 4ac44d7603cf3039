"""Walking a patrol route checkpoint by checkpoint: proof of presence, fine or issue, then finish."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mobile.state.ports import Clock, Problem, RefData, SaveRecord, problem_from
from shared.errors import ValidationProblem
from shared.model import CheckpointResult, CheckpointVisit, PatrolRound, PresenceProof, Proof, RecordType


def routes_for(ref: RefData, user_id: str | None) -> list[dict[str, Any]]:
    """The routes this user walks: the ones assigned to them, or every route when none is assigned to anyone."""
    routes = ref.items("route")
    mine = [r for r in routes if r.get("assigned_to") == user_id]
    return mine or [r for r in routes if not r.get("assigned_to")] or routes


def _same_code(entered: str, expected: str) -> bool:
    # Labels are printed in capitals but typed in any case; blanks around a code are never part of it.
    return bool(entered.strip()) and entered.strip().lower() == expected.strip().lower()


def checkpoints_of(ref: RefData, route_id: str) -> list[dict[str, Any]]:
    found = [c for c in ref.items("checkpoint") if c.get("route_id") == route_id]
    return sorted(found, key=lambda c: (int(c.get("position", 0)), str(c["id"])))


@dataclass
class IssueDraft:
    """What the defect form is opened with after an issue at a checkpoint."""

    place_id: str | None
    checkpoint_visit_id: str
    description: str


class PatrolRun:
    """One round on one route. Each checkpoint is saved as soon as it is marked, so nothing is lost mid-round."""

    def __init__(self, *, ref: RefData, save: SaveRecord, now: Clock, route_id: str) -> None:
        self.ref, self.save, self.now = ref, save, now
        self.route = ref.item("route", route_id) or {"id": route_id, "name": route_id}
        self.checkpoints = checkpoints_of(ref, route_id)
        self.index = 0
        self.started_at = now()
        self.round_id = save(RecordType.PATROL_ROUND, PatrolRound(route_id=route_id, started_at=self.started_at))
        self.results: dict[str, str] = {}  # checkpoint id -> result value
        self.visit_ids: dict[str, str] = {}
        self.finished = False
        self.code = ""
        self.scanned = ""  # the code the camera read; once the code is edited by hand it counts as typed
        self.reason = ""
        self.note = ""

    @property
    def current(self) -> dict[str, Any] | None:
        return self.checkpoints[self.index] if self.index < len(self.checkpoints) else None

    @property
    def total(self) -> int:
        return len(self.checkpoints)

    @property
    def done_count(self) -> int:
        return len(self.results)

    def code_matches(self) -> bool:
        cp = self.current
        return cp is not None and _same_code(self.code, str(cp.get("scan_code", "")))

    def accept_scan(self, codes: Sequence[str]) -> Problem | None:
        """Codes the camera read: this checkpoint's fills the code as if typed; anything else is refused at once.

        A picture can hold several labels, so any of the codes may be this checkpoint's. A wrong code leaves
        what was typed untouched; the message names the code read so the user sees which label it was.
        """
        cp = self.current
        if cp is None:
            return None
        readable = [c.strip() for c in codes if c.strip()]
        if not readable:
            return Problem("patrol.scan_none")
        expected = str(cp.get("scan_code", ""))
        match = next((c for c in readable if _same_code(c, expected)), None)
        if match is None:
            return Problem("patrol.scan_wrong", {"code": readable[0]})
        self.code = self.scanned = match
        return None

    def proof(self) -> Proof | Problem:
        """The code (it must be this checkpoint's): scanned if the camera read it, typed otherwise; else the reason.

        A typed code proves less than a scanned one (it can be copied from a list), so the supervisor sees which.
        """
        if self.code.strip():
            if not self.code_matches():
                return Problem("patrol.code_wrong")
            scanned = bool(self.scanned) and self.scanned.strip() == self.code.strip()
            method = PresenceProof.SCANNED if scanned else PresenceProof.TYPED
            return Proof(method=method, code=self.code.strip())
        if self.reason.strip():
            return Proof(method=PresenceProof.REASON, reason=self.reason.strip())
        return Problem("patrol.proof_missing")

    def mark(self, result: CheckpointResult) -> Problem | IssueDraft | None:
        """Save this checkpoint's visit and move on; an issue returns the draft for the defect form."""
        cp = self.current
        if cp is None:
            return None
        proof = self.proof()
        if isinstance(proof, Problem):
            return proof
        if result is CheckpointResult.ISSUE and not self.note.strip():
            return Problem("patrol.issue_note_missing")
        visit = CheckpointVisit(
            round_id=self.round_id, checkpoint_id=str(cp["id"]), result=result, proof=proof, note=self.note.strip()
        )
        try:
            visit.check()
        except ValidationProblem as e:  # the form checks the same rules; this guards against drift
            return problem_from(e)
        visit_id = self.save(RecordType.CHECKPOINT_VISIT, visit)
        self.results[str(cp["id"])] = result.value
        self.visit_ids[str(cp["id"])] = visit_id
        draft = (
            IssueDraft(cp.get("place_id"), visit_id, self.note.strip()) if result is CheckpointResult.ISSUE else None
        )
        self.index += 1
        self.code = self.scanned = self.reason = self.note = ""
        return draft

    def finish_warning(self) -> Problem | None:
        """Finishing before any checkpoint is done records an empty round: the user is asked first."""
        return Problem("patrol.confirm_finish_empty") if self.done_count == 0 and not self.finished else None

    def close_warning(self) -> Problem | None:
        """Leaving mid-round ends it: the checkpoints not done count as skipped, so the user is asked first."""
        left = self.total - self.done_count
        return Problem("patrol.confirm_close", {"count": left}) if left > 0 and not self.finished else None

    def finish(self) -> None:
        """Close the round: a correction of the start record that adds when it finished."""
        if self.finished:
            return
        body = PatrolRound(route_id=str(self.route["id"]), started_at=self.started_at, finished_at=self.now())
        self.save(RecordType.PATROL_ROUND, body, supersedes=self.round_id)
        self.finished = True

    @property
    def ok_count(self) -> int:
        return sum(1 for r in self.results.values() if r == CheckpointResult.OK.value)

    @property
    def issue_count(self) -> int:
        return sum(1 for r in self.results.values() if r == CheckpointResult.ISSUE.value)
