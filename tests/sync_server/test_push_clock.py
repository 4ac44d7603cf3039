"""A push says the phone's clock at sending (``sent_at``): the server corrects the records' times by the offset."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import FakeClock, bearer, login
from tests.sync_server.helpers import defect, push_body

PUSH = "/api/v1/sync/push"
DEVICE = "demo-specialist-phone"


def test_a_fast_phones_records_are_put_on_the_servers_clock_and_flagged(client, clock: FakeClock, server_db):
    token = login(client, "demo-specialist")
    ahead = timedelta(days=3)
    happened = clock.now() - timedelta(minutes=10)
    record = defect(1, recorded_at=happened + ahead)  # the phone's clock said Thursday
    body = {**push_body(DEVICE, [record]), "sent_at": (clock.now() + ahead).isoformat()}
    answer = client.post(PUSH, headers=bearer(token), json=body)
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "accepted"
    effective_at, flag = server_db.execute(
        "SELECT effective_at, clock_flag FROM records WHERE id = ?", [record["id"]]
    ).fetchone()
    assert datetime.fromisoformat(effective_at) == happened and flag == "clock.fast"


def test_a_sent_at_without_its_offset_or_not_a_time_is_refused(client):
    token = login(client, "demo-specialist")
    for sent_at in ("yesterday", "2026-11-23T09:00:00", 1764000000):
        body = {**push_body(DEVICE, [defect(1)]), "sent_at": sent_at}
        answer = client.post(PUSH, headers=bearer(token), json=body)
        assert answer.status_code == 422, sent_at
        assert answer.json()["code"] == "request.invalid" and answer.json()["detail"]["field"] == "sent_at"


def test_a_phone_whose_clock_was_off_gives_one_finding_a_day_not_one_per_record(client, clock: FakeClock, tick):
    token = login(client, "demo-specialist")
    behind = timedelta(hours=2)
    records = [defect(n, recorded_at=clock.now() - timedelta(minutes=20 - n) - behind) for n in (1, 2, 3)]
    body = {**push_body(DEVICE, records), "sent_at": (clock.now() - behind).isoformat()}
    assert client.post(PUSH, headers=bearer(token), json=body).status_code == 200
    tick()
    supervisor = bearer(login(client, "demo-supervisor"))
    found = client.get("/api/v1/findings", headers=supervisor).json()["findings"]
    assert [f["kind"] for f in found if f["kind"].startswith("record.clock")] == ["record.clock_corrected"]
    (flag,) = [f for f in found if f["kind"] == "record.clock_corrected"]
    assert flag["owner_id"] == "user-demo-specialist" and "clock.slow" in flag["message"]
