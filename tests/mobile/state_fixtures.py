"""Reference data and a recording save() for the state-object tests (no rendering, no network)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mobile.state.ports import MemoryRef
from shared.model import RecordType

T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 Monday in Shanghai


class Saved:
    """A save() that keeps what it was given, checks bodies like the recorder does, and returns ids r1, r2..."""

    def __init__(self) -> None:
        self.records: list[tuple[RecordType, Any, str | None]] = []

    def __call__(self, type: RecordType, body: Any, *, supersedes: str | None = None) -> str:
        if hasattr(body, "check"):
            body.check()
        self.records.append((type, body, supersedes))
        return f"r{len(self.records)}"

    def of(self, type: RecordType) -> list[Any]:
        return [body for t, body, _ in self.records if t is type]


def demo_ref() -> MemoryRef:
    places = [
        {"id": "b1", "kind": "building", "name": "Building 1", "parent_id": None},
        {"id": "b2", "kind": "building", "name": "Building 2", "parent_id": None},
        {"id": "b1-f2", "kind": "floor", "name": "Floor 2", "parent_id": "b1"},
        {"id": "b1-f10", "kind": "floor", "name": "Floor 10", "parent_id": "b1"},
        {"id": "b1-f2-u203", "kind": "unit", "name": "Unit 203", "parent_id": "b1-f2"},
        {"id": "lobby", "kind": "area", "name": "Lobby", "parent_id": None},
        {"id": "garage", "kind": "area", "name": "Garage", "parent_id": None},
    ]
    return MemoryRef(
        {
            "property": [{"id": "p", "name": "Demo", "tz": "Asia/Shanghai"}],
            "place": places,
            "route": [
                {"id": "r-lobby", "name": "Lobby round", "assigned_to": "u-spec"},
                {"id": "r-garage", "name": "Garage round", "assigned_to": "u-other"},
            ],
            "checkpoint": [
                {
                    "id": "cp2",
                    "route_id": "r-lobby",
                    "place_id": "b1-f2",
                    "name": "Stairs",
                    "scan_code": "CP-2",
                    "position": 2,
                },
                {
                    "id": "cp1",
                    "route_id": "r-lobby",
                    "place_id": "lobby",
                    "name": "Door",
                    "scan_code": "CP-1",
                    "position": 1,
                },
                {
                    "id": "cp9",
                    "route_id": "r-garage",
                    "place_id": "garage",
                    "name": "Ramp",
                    "scan_code": "CP-9",
                    "position": 1,
                },
            ],
            "permit": [
                {
                    "id": "pm1",
                    "unit_id": "b1-f2-u203",
                    "contractor": "Acme",
                    "starts_on": "2026-11-01",
                    "ends_on": "2026-12-31",
                    "passes_registered": 2,
                    "status": "active",
                },
                {
                    "id": "pm-old",
                    "unit_id": "b1-f2-u203",
                    "contractor": "Old",
                    "starts_on": "2026-01-01",
                    "ends_on": "2026-02-01",
                    "passes_registered": 2,
                    "status": "active",
                },
            ],
            "user": [
                {"id": "u-spec", "name": "Li", "role": "specialist"},
                {"id": "u-maint", "name": "Chen", "role": "maintenance"},
                {"id": "u-sup", "name": "Zhang", "role": "supervisor"},
            ],
            "work_order": [
                {
                    "id": "wo1",
                    "kind": "repair",
                    "state": "reported",
                    "category": "water_leakage",
                    "place_id": "b1-f2-u203",
                    "due_at": "2026-11-23T12:00:00+00:00",
                    "reporter_ids": ["u-spec"],
                },
                {
                    "id": "wo2",
                    "kind": "repair",
                    "state": "dispatched",
                    "category": "electrical",
                    "place_id": "lobby",
                    "assignee_id": "u-maint",
                    "due_at": "2026-11-22T12:00:00+00:00",
                },
                {"id": "wo3", "kind": "rectification", "state": "closed", "place_id": "b1-f2-u203"},
            ],
            "return_visit_due": [
                {"id": "rv2", "work_order_id": "wo5", "due_at": "2026-11-25T00:00:00+00:00", "place_id": "lobby"},
                {"id": "rv1", "work_order_id": "wo4", "due_at": "2026-11-20T00:00:00+00:00", "place_id": "b1-f2"},
            ],
            "finding": [{"id": "f1", "kind": "patrol_missed", "message": "Garage round not walked"}],
        }
    )
