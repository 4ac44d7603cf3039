"""A repeated record is harmless, a changed one is a conflict, and neither stops the rest of the batch."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from shared.ids import uuid7
from shared.model import RecordType
from shared.parse import to_json
from shared.wire import encode_record
from tests.conftest import bearer, login
from tests.e2e.conftest import server_records
from tests.mobile.factory import complaint, defect

pytestmark = pytest.mark.e2e
WHEN = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def wire(seq: int, body, type=RecordType.DEFECT_REPORT) -> dict:
    return encode_record(id=uuid7(1_790_000_000_000 + seq), type=type, device_seq=seq, recorded_at=WHEN, body=body)


def test_same_id_same_body_is_a_duplicate_and_different_body_a_conflict(live_server):
    server = live_server()
    token = login(server.url, "demo-specialist", device_id="repeat-phone")
    first, second = wire(1, defect("demo-lobby")), wire(2, complaint("demo-b1-u101"), RecordType.OWNER_COMPLAINT)
    with httpx.Client(base_url=server.url, headers=bearer(token), timeout=30) as http:

        def push(*records):
            response = http.post("/api/v1/sync/push", json={"device_id": "repeat-phone", "records": list(records)})
            assert response.status_code == 200, response.text
            return {r["id"]: r for r in response.json()["results"]}

        assert {r["status"] for r in push(first, second).values()} == {"accepted"}
        changed = {**second, "body": {**to_json(complaint("demo-b1-u101")), "description": "Something else"}}
        fresh = wire(3, defect("demo-garage"))
        invalid = {**wire(4, defect("demo-lobby")), "body": {"description": "no place"}}
        results = push(first, changed, fresh, invalid)

    assert results[first["id"]]["status"] == "duplicate"
    assert results[second["id"]]["status"] == "conflict" and results[second["id"]]["code"] == "record.conflict"
    assert results[fresh["id"]]["status"] == "accepted"
    assert results[invalid["id"]]["status"] == "rejected" and results[invalid["id"]]["code"] == "record.missing_field"
    held = server_records(server)
    assert set(held) == {first["id"], second["id"], fresh["id"]}
    assert "Something else" not in held[second["id"]][0]  # the first version stands
