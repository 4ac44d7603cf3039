"""Wire records for server tests, pointing at the demo property's reference data."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.ids import uuid7
from shared.model import DefectCategory, DefectReport, RecordType, Severity
from shared.wire import encode_record

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
_ms = itertools.count(int(T0.timestamp() * 1000))


def new_id() -> str:
    return uuid7(next(_ms))


def defect(
    seq: int,
    *,
    place_id: str = "demo-b1-u101",
    description: str = "Ceiling drips in the bathroom",
    id: str | None = None,
    recorded_at: datetime = T0,
    author_id: str | None = None,
) -> dict[str, Any]:
    body = DefectReport(place_id, DefectCategory.WATER_LEAKAGE, Severity.HIGH, description)
    return encode_record(
        id=id or new_id(),
        type=RecordType.DEFECT_REPORT,
        device_seq=seq,
        recorded_at=recorded_at,
        body=body,
        author_id=author_id,
    )


def patrol_round(seq: int, *, route_id: str = "demo-r1") -> dict[str, Any]:
    return {
        "id": new_id(),
        "type": "patrol_round",
        "device_seq": seq,
        "recorded_at": T0.isoformat(),
        "supersedes": None,
        "author_id": None,
        "body": {
            "route_id": route_id,
            "started_at": T0.isoformat(),
            "finished_at": (T0 + timedelta(hours=1)).isoformat(),
        },
    }


def push_body(device_id: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"device_id": device_id, "protocol": 1, "records": records}


PLACES = [f"demo-b{b}-u{f}0{u}" for b in (1, 2) for f in (1, 2, 3) for u in (1, 2)] + [
    "demo-lobby",
    "demo-garage",
    "demo-periphery",
    "demo-unloading",
]
CHECKPOINTS = {"demo-r1": [f"demo-r1-cp{n}" for n in range(1, 8)], "demo-r2": [f"demo-r2-cp{n}" for n in range(1, 5)]}


def scan_code(checkpoint_id: str) -> str:
    """The code printed on a demo checkpoint's label (sync_server.demo)."""
    route, n = checkpoint_id.removeprefix("demo-").split("-cp")
    return f"CP-DEMO-{route.upper()}-{int(n):02d}"


def record_mix(count: int) -> list[dict[str, Any]]:
    """A realistic stream of one specialist's records: rounds with checkpoint visits, defects spread over
    places and categories and owner complaints, device_seq 1..count (renovation checks are a site
    supervisor's, not a specialist's)."""
    records: list[dict[str, Any]] = []
    round_id, route = "", "demo-r1"
    categories = list(DefectCategory)
    for seq in range(1, count + 1):
        at = (T0 + timedelta(minutes=seq)).isoformat()
        kind = seq % 20
        base = {"id": new_id(), "device_seq": seq, "recorded_at": at, "supersedes": None, "author_id": None}
        if kind == 0 or not round_id:
            round_id, route = base["id"], f"demo-r{seq % 2 + 1}"
            body: dict[str, Any] = {"route_id": route, "started_at": at}
            records.append({**base, "type": "patrol_round", "body": body})
        elif kind < 10:
            checkpoint = CHECKPOINTS[route][seq % len(CHECKPOINTS[route])]
            body = {
                "round_id": round_id,
                "checkpoint_id": checkpoint,
                "result": "ok",
                "proof": {"method": "scanned", "code": scan_code(checkpoint)},
            }
            records.append({**base, "type": "checkpoint_visit", "body": body})
        elif kind < 17:
            body = {
                "place_id": PLACES[seq % len(PLACES)],
                "category": categories[(seq // 7) % len(categories)].value,
                "severity": "medium",
                "description": f"Defect {seq}: the tap leaks",
            }
            records.append({**base, "type": "defect_report", "body": body})
        else:  # owner complaints, a few of them urgent
            severity = "urgent" if seq % 100 == 19 else "medium"
            body = {"place_id": PLACES[seq % len(PLACES)], "owner_name": "Mr Wang", "description": "Noise at night"}
            records.append({**base, "type": "owner_complaint", "body": {**body, "severity": severity}})
    return records
