"""Record bodies for tests, built on reference data pulled from the server (or made-up ids offline)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from mobile.recorder import save_record
from mobile.store import Store
from shared.model import (
    ChecklistItem,
    CheckpointResult,
    CheckpointVisit,
    DecorationCheck,
    DefectCategory,
    DefectReport,
    OwnerComplaint,
    PatrolRound,
    PresenceProof,
    Proof,
    RecordType,
    Role,
    Severity,
    Slot,
)
from shared.workflow import CHECK_ROLES

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class FixedClock:
    """A phone clock that moves one second per reading, so ids and recorded_at are reproducible and ordered."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def defect(place_id: str = "b1-f2-u203", description: str = "Ceiling drips in the bathroom") -> DefectReport:
    return DefectReport(place_id, DefectCategory.WATER_LEAKAGE, Severity.HIGH, description)


def complaint(place_id: str = "b1-f2-u203") -> OwnerComplaint:
    return OwnerComplaint(place_id, "Mr Wang", "Noise from the pump room at night", contact="138 0000 0000")


def decoration(permit_id: str, slot: Slot = Slot.MORNING) -> DecorationCheck:
    return DecorationCheck(permit_id, slot, list(ChecklistItem), [], workers_seen=2, passes_seen=2)


def checkpoint_visit(round_id: str, checkpoint: dict[str, Any]) -> CheckpointVisit:
    code = checkpoint.get("scan_code") or checkpoint["id"]
    return CheckpointVisit(round_id, checkpoint["id"], CheckpointResult.OK, Proof(PresenceProof.SCANNED, code=code))


def record_mix(
    store: Store, count: int, *, rng: random.Random, clock: FixedClock | None = None
) -> list[dict[str, Any]]:
    """``count`` records of every kind the reference data allows, in turn: patrol rounds with their
    checkpoint visits, defects, owner complaints and (for a user who may make them) decoration checks,
    on seeded random places."""
    clock = clock or FixedClock()
    routes, checkpoints = store.reference("route"), store.reference("checkpoint")
    permits, places = store.reference("permit"), store.reference("place")
    assert routes and checkpoints and places, "pull the demo reference data first"
    saved: list[dict[str, Any]] = []
    checks = permits and Role((store.user or {}).get("role", "specialist")) in CHECK_ROLES  # as the app offers them
    kinds = ["patrol", "defect", "complaint", "decoration"] if checks else ["patrol", "defect", "complaint"]
    turn = 0
    while len(saved) < count:
        pick = kinds[turn % len(kinds)]  # every kind in turn; places, routes and permits drawn at random
        turn += 1
        if pick == "patrol":
            route = rng.choice(routes)
            started = clock()
            patrol = save_record(
                store, type=RecordType.PATROL_ROUND, body=PatrolRound(route["id"], started), clock=clock
            )
            saved.append(patrol)
            on_route = [c for c in checkpoints if c.get("route_id") == route["id"]] or checkpoints
            for checkpoint in on_route[: max(0, min(4, count - len(saved)))]:
                body = checkpoint_visit(patrol["id"], checkpoint)
                saved.append(save_record(store, type=RecordType.CHECKPOINT_VISIT, body=body, clock=clock))
        elif pick == "defect":
            place = rng.choice(places)
            body = defect(place["id"], f"Defect {len(saved)}: water stain on the ceiling")
            saved.append(save_record(store, type=RecordType.DEFECT_REPORT, body=body, clock=clock))
        elif pick == "complaint":
            body = complaint(rng.choice(places)["id"])
            saved.append(save_record(store, type=RecordType.OWNER_COMPLAINT, body=body, clock=clock))
        else:
            body = decoration(rng.choice(permits)["id"], rng.choice(list(Slot)))
            saved.append(save_record(store, type=RecordType.DECORATION_CHECK, body=body, clock=clock))
    return saved
