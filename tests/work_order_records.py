"""A scripted phone for work-order tests: makes wire records of the demo property, pushes and pulls them.

Works against a TestClient or a live server (any ``httpx.Client`` with a base URL).
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import httpx

from shared.ids import uuid7
from shared.model import (
    ChecklistItem,
    CheckpointVisit,
    DecorationCheck,
    DefectCategory,
    DefectReport,
    OwnerComplaint,
    PatrolRound,
    RecordType,
    ReturnVisit,
    Satisfaction,
    Severity,
    Slot,
    Violation,
    WorkOrderAction,
    WorkOrderActionRecord,
)
from shared.wire import encode_record
from tests.conftest import bearer, login

_ms = itertools.count(1_795_000_000_000)
TYPES = {
    PatrolRound: RecordType.PATROL_ROUND,
    CheckpointVisit: RecordType.CHECKPOINT_VISIT,
    DefectReport: RecordType.DEFECT_REPORT,
    OwnerComplaint: RecordType.OWNER_COMPLAINT,
    DecorationCheck: RecordType.DECORATION_CHECK,
    ReturnVisit: RecordType.RETURN_VISIT,
    WorkOrderActionRecord: RecordType.WORK_ORDER_ACTION,
}


class Phone:
    def __init__(self, http: httpx.Client, username: str) -> None:
        self.http = http
        self.device_id = f"{username}-wo-phone"
        self.headers = bearer(login(http, username, device_id=self.device_id))
        self.seq = 0
        self.cursor = ""
        self.seen: dict[tuple[str, str], dict[str, Any]] = {}

    def record(self, body: Any, at: datetime, *, type: RecordType | None = None, **kw: Any) -> dict[str, Any]:
        self.seq += 1
        record_type = type or TYPES[body.__class__]
        return encode_record(
            id=uuid7(next(_ms)), type=record_type, device_seq=self.seq, recorded_at=at, body=body, **kw
        )

    def push(self, *records: dict[str, Any]) -> dict[str, dict[str, Any]]:
        response = self.http.post(
            "/api/v1/sync/push", json={"device_id": self.device_id, "records": list(records)}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return {r["id"]: r for r in response.json()["results"]}

    def send(self, body: Any, at: datetime, **kw: Any) -> dict[str, Any]:
        """Record and push one record; assert it was accepted; return the wire record."""
        raw = self.record(body, at, **kw)
        result = self.push(raw)[raw["id"]]
        assert result["status"] == "accepted", result
        return raw

    def pull(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Pull everything new; return the latest view of every (kind, id) this phone has seen (deleted removed)."""
        while True:
            response = self.http.get("/api/v1/sync/pull", params={"since": self.cursor}, headers=self.headers)
            assert response.status_code == 200, response.text
            page = response.json()
            for change in page["changes"]:
                key = (change["kind"], change["id"])
                if change["deleted"]:
                    self.seen.pop(key, None)
                else:
                    self.seen[key] = change["data"]
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return self.seen

    def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        return {i: d for (k, i), d in self.pull().items() if k == kind}

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


def leak(place_id: str = "demo-b1-u101", **kw: Any) -> DefectReport:
    return DefectReport(
        place_id, kw.pop("category", DefectCategory.WATER_LEAKAGE), Severity.HIGH, "Ceiling drips in the bathroom", **kw
    )


def action(order_id: str, what: WorkOrderAction, **kw: Any) -> WorkOrderActionRecord:
    if what in (WorkOrderAction.CLOSE, WorkOrderAction.REPLY):
        kw.setdefault("note", "closed at the desk" if what is WorkOrderAction.CLOSE else "told the owner")
    return WorkOrderActionRecord(order_id, what, **kw)


def visit(order_id: str, *, fixed: bool = True, satisfied: bool = True, comment: str = "") -> ReturnVisit:
    satisfaction = Satisfaction.SATISFIED if satisfied else Satisfaction.DISSATISFIED
    return ReturnVisit(order_id, fixed, satisfaction, comment=comment, owner_name="Mrs Li", signature="e" * 64)


def decoration_check(permit_id: str, slot: Slot, *violations: Violation) -> DecorationCheck:
    failed = {v.item for v in violations}
    passed = [item for item in ChecklistItem if item not in failed]
    return DecorationCheck(permit_id, slot, passed, list(violations), workers_seen=2, passes_seen=2)


SAND = Violation(ChecklistItem.NO_DISORDERLY_STACKING, "Sand piled in the corridor")


def causal_order(records: list[tuple[str, dict[str, Any]]], rank: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(who, wire record)`` pairs, made in this order, re-sorted by ``rank`` as far as phones could send them so.

    A phone names only what it made or pulled: a record comes after the records it names (its round, its
    visit, what it corrects, the report that opened its order) and after what had moved that order (or the
    order a named record acted on: a failed return visit opens a rework order) before it was made.
    """
    by_id = {raw["id"]: raw for _, raw in records}
    ids = set(by_id)

    def order_of(raw: dict[str, Any]) -> str | None:
        return str(raw["body"].get("work_order_id") or "").removeprefix("wo-") or None

    def named(raw: dict[str, Any]) -> set[str]:
        body = raw["body"]
        return {
            r
            for r in (raw.get("supersedes"), body.get("round_id"), body.get("checkpoint_visit_id"), order_of(raw))
            if r in ids
        }

    needs: dict[str, set[str]] = {}
    for i, (_, raw) in enumerate(records):
        needs[raw["id"]] = set(named(raw))
        for _, earlier in records[:i]:
            if any(order_of(earlier) and order_of(earlier) == order_of(n) for n in [raw, *map(by_id.get, named(raw))]):
                needs[raw["id"]].add(earlier["id"])
    pending, done, ordered = sorted(records, key=rank), set(), []
    while pending:
        i = next(i for i, (_, raw) in enumerate(pending) if needs[raw["id"]] <= done)
        who, raw = pending.pop(i)
        ordered.append((who, raw))
        done.add(raw["id"])
    return ordered
