"""Pushing records: accepted once, duplicates harmless, conflicts reported, bad records rejected alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.errors import ValidationProblem
from sync_server import reconcile
from tests.conftest import bearer, login
from tests.sync_server.helpers import T0, defect, new_id, patrol_round, push_body

PUSH = "/api/v1/sync/push"
DEVICE = "demo-specialist-phone"


@pytest.fixture
def token(client):
    return login(client, "demo-specialist")


def push(client, token, records, device_id=DEVICE):
    return client.post(PUSH, headers=bearer(token), json=push_body(device_id, records))


def count(db, table="records"):
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_accepted_duplicate_and_conflict_in_one_batch(client, token, server_db):
    first = defect(1)
    changed = {**first, "body": {**first["body"], "description": "Something else"}}
    response = push(client, token, [first, first, changed, defect(2)])
    assert response.status_code == 200
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["accepted", "duplicate", "conflict", "accepted"]
    assert response.json()["results"][2]["code"] == "record.conflict"
    assert count(server_db) == 2
    stored = server_db.execute("SELECT raw FROM records WHERE id = ?", [first["id"]]).fetchone()[0]
    assert "Ceiling drips" in stored and "Something else" not in stored


def test_a_resend_in_a_later_batch_is_a_duplicate_with_null_or_own_author(client, token, server_db):
    record = defect(1)
    assert push(client, token, [record]).json()["results"][0]["status"] == "accepted"
    again = push(client, token, [record, {**record, "author_id": "user-demo-specialist"}]).json()["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert count(server_db) == 1


def test_server_fills_author_device_and_times(client, token, server_db, clock):
    clock.advance(hours=2)
    push(client, token, [defect(1, recorded_at=T0)])
    row = next(server_db.query("SELECT * FROM records"))
    assert row["author_id"] == "user-demo-specialist"
    assert row["device_id"] == DEVICE
    assert row["property_id"] == "demo"
    assert row["received_at"] == clock.now().isoformat()
    assert row["effective_at"] == T0.isoformat() and row["clock_flag"] is None


def test_a_future_device_clock_falls_back_to_receive_time_with_a_flag(client, token, server_db, clock):
    push(client, token, [defect(1, recorded_at=clock.now() + timedelta(days=3))])
    row = next(server_db.query("SELECT * FROM records"))
    assert row["effective_at"] == clock.now().isoformat() and row["clock_flag"] == "clock.future"


def test_another_users_records_are_rejected(client, token, server_db):
    results = push(client, token, [defect(1, author_id="user-demo-supervisor"), defect(2)]).json()["results"]
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert results[0]["code"] == "record.wrong_author"
    assert count(server_db) == 1


def test_references_to_another_propertys_places_and_routes_are_rejected(client, token, server_db):
    records = [defect(1, place_id="other-b1-u101"), patrol_round(2, route_id="other-r1"), defect(3, place_id="nowhere")]
    results = push(client, token, records).json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert {r["code"] for r in results} == {"record.unknown_reference"}
    assert results[0]["detail"] == {"field": "body.place_id", "kind": "place"}
    assert count(server_db) == 0 and count(server_db, "feed WHERE kind = 'record'") == 0


def test_an_invalid_record_is_rejected_without_failing_the_batch(client, token, server_db):
    bad_type = {**defect(1), "type": "selfie"}
    too_long = defect(2, description="x" * 5000)
    not_an_object = ["nope"]
    results = push(client, token, [bad_type, too_long, *not_an_object, defect(4)]).json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "accepted"]
    assert results[0]["code"] == "record.unknown_type"
    assert results[1]["detail"]["field"] == "body.description"
    assert results[2]["id"] is None
    assert count(server_db) == 1


def test_a_push_for_another_device_is_refused(client, token, server_db):
    response = push(client, token, [defect(1)], device_id="someone-elses-phone")
    assert response.status_code == 403 and response.json()["code"] == "auth.device_mismatch"
    assert count(server_db) == 0


def test_device_seq_gaps_are_reported(client, token):
    assert push(client, token, [defect(1), defect(2), defect(5)]).json()["device_seq_gaps"] == [[3, 4]]
    assert push(client, token, [defect(3), defect(4), defect(9)]).json()["device_seq_gaps"] == [[6, 8]]


def test_accepted_records_reach_the_author_and_supervisors_feed(client, token):
    record = defect(1)
    push(client, token, [record])
    for who, sees in [
        ("demo-specialist", True),
        ("demo-supervisor", True),
        ("demo-maintenance", False),
        ("other-supervisor", False),
    ]:
        changes = client.get("/api/v1/sync/pull", headers=bearer(login(client, who))).json()["changes"]
        records = [c for c in changes if c["kind"] == "record"]
        assert bool(records) is sees, who
        if sees:
            assert records[0]["id"] == record["id"] and records[0]["data"]["body"] == record["body"]


def test_a_record_reconciliation_refuses_is_rejected_and_not_stored(client, token, server_db, monkeypatch):
    refused = defect(1, description="refuse me")

    def fake_reconcile(db, *, record, user, settings, received_at, clock_offset):
        db.execute("INSERT INTO feed (scope, kind, entity_id, data) VALUES ('x', 'work_order', ?, '{}')", [record.id])
        if record.body.description == "refuse me":
            raise ValidationProblem("order.refused", "No.")

    monkeypatch.setattr(reconcile, "reconcile_record", fake_reconcile)
    results = push(client, token, [refused, defect(2)]).json()["results"]
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert results[0]["code"] == "order.refused"
    assert [r["id"] for r in server_db.query("SELECT id FROM records")] == [results[1]["id"]]
    assert count(server_db, "feed WHERE scope = 'x'") == 1  # the refused record's side effects were rolled back


def test_same_id_from_two_users_is_a_conflict_not_an_overwrite(client, token, server_db):
    record_id = new_id()
    push(client, token, [defect(1, id=record_id)])
    other = login(client, "demo-site-supervisor")
    result = push(client, other, [defect(1, id=record_id)], device_id="demo-site-supervisor-phone").json()
    assert result["results"][0]["status"] == "conflict"
    assert next(server_db.query("SELECT author_id FROM records"))["author_id"] == "user-demo-specialist"
