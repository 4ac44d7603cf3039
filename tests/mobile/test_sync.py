"""The sync client against the real server app: push, pull, refusals, limits, login loss, bad networks, the lock."""

from __future__ import annotations

import dataclasses
import random
import threading
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from mobile.login import login
from mobile.recorder import save_record
from mobile.sync import ALREADY_RUNNING, LOGIN_REQUIRED, OFFLINE, SyncClient
from shared.errors import AuthProblem, PermissionProblem
from shared.model import RecordType
from sync_server.app import create_app
from sync_server.demo import PASSWORD
from tests.conftest import bearer
from tests.conftest import login as server_login
from tests.mobile.conftest import SERVER_URL, quiet_client
from tests.mobile.factory import FixedClock, complaint, defect, record_mix
from tests.mobile.faults import BAD_GATEWAY, CUT_BODY, DROP, DUPLICATE, LOSE_RESPONSE, UNAVAILABLE, FaultyTransport


def faulty(client: TestClient, **kwargs) -> tuple[httpx.Client, FaultyTransport]:
    transport = FaultyTransport(client._transport, **kwargs)
    return httpx.Client(transport=transport, base_url=SERVER_URL), transport


def server_ids(server_db) -> list[str]:
    return [row[0] for row in server_db.execute("SELECT id FROM records ORDER BY id").fetchall()]


def test_login_keeps_the_token_and_the_user(make_phone, client):
    store = make_phone()
    user = login(client, SERVER_URL, "demo-specialist", PASSWORD, store=store)
    assert user["id"] == "user-demo-specialist" and user["role"] == "specialist"
    assert store.logged_in and store.server_url == SERVER_URL and store.user["name"] == "Li Na"


def test_a_wrong_password_is_refused_and_nothing_is_kept(make_phone, client):
    store = make_phone()
    with pytest.raises(AuthProblem) as caught:
        login(client, SERVER_URL, "demo-specialist", "not the password", store=store)
    assert caught.value.code == "auth.invalid_credentials"
    assert not store.logged_in and store.user is None


def test_the_first_sync_fills_the_phone_with_the_property_reference_data(phone, client):
    progress = []
    report = quiet_client(client, phone, pull_limit=7).run(progress=lambda *step: progress.append(step))
    assert report.ok, report.error
    assert {"property", "place", "route", "checkpoint", "permit", "user"} <= set(phone.reference_kinds())
    assert phone.get_reference("route", "demo-r1")["assigned_to"] == "user-demo-specialist"
    assert {p["id"] for p in phone.reference("place")} >= {"demo-b1", "demo-b1-f2", "demo-lobby"}
    assert phone.cursor is not None and phone.last_error is None
    assert phone.last_success == "2026-11-23T01:30:00+00:00"  # the server's (fake) clock, not the phone's
    pulls = [done for phase, done, _ in progress if phase == "pull"]
    assert pulls == sorted(pulls) and progress[-1] == ("pull", report.pulled, report.pulled)
    # nothing new: the next sync pulls nothing and keeps the cursor
    cursor = phone.cursor
    assert quiet_client(client, phone).run().pulled == 0 and phone.cursor == cursor


def test_records_made_offline_are_pushed_once_and_acknowledged(phone, client, server_db):
    quiet_client(client, phone).run()
    made = record_mix(phone, 30, rng=random.Random(1))
    steps = []
    report = quiet_client(client, phone, batch_size=8).run(progress=lambda *step: steps.append(step))
    assert report.ok and report.accepted == 30 and report.rejected == report.conflict == 0
    assert server_ids(server_db) == sorted(r["id"] for r in made)
    assert phone.pending_counts()["records"] == 0 and phone.record_counts()["synced"] == 30
    assert all(r["synced_at"] == report.server_time for r in phone.records())
    assert phone.last_success == report.server_time
    assert [s for s in steps if s[0] == "push"] == [("push", n, 30) for n in (0, 8, 16, 24, 30)]
    assert {r["type"] for r in made} >= {"patrol_round", "checkpoint_visit", "defect_report", "owner_complaint"}


def test_a_second_phone_of_the_same_user_sees_the_records(phone, make_phone, client):
    quiet_client(client, phone).run()
    made = record_mix(phone, 12, rng=random.Random(2))
    quiet_client(client, phone).run()
    other = make_phone("second")
    login(client, SERVER_URL, "demo-specialist", PASSWORD, store=other, device_name="spare phone")
    assert quiet_client(client, other).run().ok
    seen = {r["id"]: r for r in other.records(origin="server")}
    assert set(seen) == {r["id"] for r in made}
    assert all(seen[r["id"]]["body"] == r["body"] for r in made)
    assert other.pending_counts()["records"] == 0  # nothing pulled is sent back


def test_a_refused_record_stays_visible_with_the_server_message_and_the_rest_go_through(phone, client, server_db):
    quiet_client(client, phone).run()
    good = save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("demo-b1-u101"))
    bad = save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("no-such-place"))
    later = save_record(phone, type=RecordType.OWNER_COMPLAINT, body=complaint("demo-b1-u102"))
    report = quiet_client(client, phone).run()
    assert report.ok and (report.accepted, report.rejected) == (2, 1)
    refused = phone.get_record(bad["id"])
    assert refused["sync_status"] == "rejected" and refused["status_code"] == "record.unknown_reference"
    assert "no-such-place" in refused["status_message"]
    assert phone.pending_counts() == {"records": 0, "held": 1, "photos": phone.pending_counts()["photos"]}
    assert set(server_ids(server_db)) == {good["id"], later["id"]}
    # a held record is not sent on the next sync, only after retry_held
    assert quiet_client(client, phone).run().rejected == 0
    assert phone.retry_held() == 1
    assert quiet_client(client, phone).run().rejected == 1
    assert phone.get_record(bad["id"])["sync_status"] == "rejected"


def test_same_id_with_different_content_is_a_conflict_kept_on_the_phone(phone, client, server_db):
    mine = save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("demo-b1-u101"))
    (payload,) = phone.outbox_batch(1)
    impostor = {**payload, "body": {**payload["body"], "description": "Something else entirely"}}
    token = server_login(client, "demo-specialist", device_id=phone.device_id)
    sent = client.post(
        "/api/v1/sync/push", json={"device_id": phone.device_id, "records": [impostor]}, headers=bearer(token)
    )
    assert sent.json()["results"][0]["status"] == "accepted"
    login(client, SERVER_URL, "demo-specialist", PASSWORD, store=phone)
    report = quiet_client(client, phone).run()
    assert report.conflict == 1
    kept = phone.get_record(mine["id"])
    assert kept["sync_status"] == "conflict" and kept["body"]["description"] == "Ceiling drips in the bathroom"
    assert kept["status_message"]
    stored = server_db.execute("SELECT raw FROM records WHERE id = ?", [mine["id"]]).fetchone()[0]
    assert "Something else entirely" in stored  # the server kept the first version, untouched


def test_too_many_records_for_one_push_are_sent_in_smaller_batches(make_phone, settings, server_db):
    small = dataclasses.replace(settings, max_batch_records=3)
    with TestClient(create_app(small)) as client:
        store = make_phone()
        login(client, SERVER_URL, "demo-specialist", PASSWORD, store=store)
        made = [save_record(store, type=RecordType.DEFECT_REPORT, body=defect("demo-lobby")) for _ in range(10)]
        sync = quiet_client(client, store, batch_size=10)
        report = sync.run()
    assert report.ok and report.accepted == 10
    assert server_ids(server_db) == sorted(r["id"] for r in made)
    assert report.requests >= 4 + 2  # two refused pushes (10, 5), then batches of at most 3


def test_a_record_too_large_for_the_server_is_held_with_the_reason(make_phone, settings):
    tight = dataclasses.replace(settings, max_request_bytes=3000)
    with TestClient(create_app(tight)) as client:
        store = make_phone()
        login(client, SERVER_URL, "demo-specialist", PASSWORD, store=store)
        small = save_record(store, type=RecordType.DEFECT_REPORT, body=defect("demo-lobby"))
        huge = save_record(store, type=RecordType.DEFECT_REPORT, body=defect("demo-lobby", "x" * 3900))
        report = quiet_client(client, store).run()
    assert report.ok and (report.accepted, report.rejected) == (1, 1)
    assert store.get_record(small["id"])["sync_status"] == "synced"
    held = store.get_record(huge["id"])
    assert held["sync_status"] == "rejected" and held["status_code"] == "sync.batch_too_large"


def test_a_revoked_phone_is_told_to_log_in_again_and_keeps_its_records(phone, client):
    quiet_client(client, phone).run()
    saved = save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("demo-lobby"))
    supervisor = server_login(client, "demo-supervisor")
    assert client.post(f"/api/v1/devices/{phone.device_id}/revoke", headers=bearer(supervisor)).status_code == 200
    report = quiet_client(client, phone).run()
    assert report.status == LOGIN_REQUIRED and "log in again" in report.message
    assert not phone.logged_in and phone.login_state()["login_required"]
    assert phone.last_error["code"] == "auth.token_revoked"  # the phone can say why: a lost phone, not a bug
    assert phone.get_record(saved["id"])["sync_status"] == "pending" and phone.pending_counts()["records"] == 1
    # without a new login no request is even tried, and the reason stays the first one
    assert quiet_client(client, phone).run().requests == 0
    assert phone.last_error["code"] == "auth.token_revoked"


def test_network_failures_and_5xx_are_retried_with_capped_jittered_backoff(phone, client, server_db):
    made = [save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("demo-lobby")) for _ in range(3)]
    http, transport = faulty(client, script=[DROP, LOSE_RESPONSE, BAD_GATEWAY, UNAVAILABLE, CUT_BODY, DUPLICATE])
    sync = quiet_client(http, phone, rng=random.Random(7), base_delay=1.0, max_delay=4.0, max_attempts=8)
    report = sync.run()
    assert report.ok and report.accepted + report.duplicate == 3
    assert server_ids(server_db) == sorted(r["id"] for r in made)
    assert transport.total_faults == 6 and report.retries == 5
    caps = [min(4.0, 1.0 * 2**n) for n in range(5)]
    assert all(0 <= slept <= cap for slept, cap in zip(sync.slept, caps, strict=True))
    assert len(set(sync.slept)) == 5  # jitter: no two waits alike


def test_when_the_server_stays_unreachable_the_sync_gives_up_and_says_so(phone, client):
    saved = save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("demo-lobby"))
    http, _ = faulty(client, rate=1.0, kinds=(DROP,))
    sync = quiet_client(http, phone, max_attempts=4)
    report = sync.run()
    assert report.status == OFFLINE and report.requests == 4 and len(sync.slept) == 3
    assert phone.last_error["code"] == "sync.offline"
    assert phone.get_record(saved["id"])["sync_status"] == "pending" and phone.pending_counts()["records"] == 1
    assert quiet_client(client, phone).run().ok and phone.last_error is None


def test_a_second_run_while_one_is_going_returns_at_once(phone, client):
    save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("demo-lobby"))
    entered, release = threading.Event(), threading.Event()

    def hold(request):
        entered.set()
        assert release.wait(timeout=30)

    http, _ = faulty(client, before=hold)
    results = {}
    first = threading.Thread(target=lambda: results.setdefault("first", SyncClient(http, phone).run()))
    first.start()
    assert entered.wait(timeout=30)
    second = threading.Thread(target=lambda: results.setdefault("second", SyncClient(client, phone).run()))
    second.start()
    second.join(timeout=30)
    assert results["second"].status == ALREADY_RUNNING and results["second"].requests == 0
    release.set()
    first.join(timeout=30)
    assert results["first"].ok and results["first"].accepted == 1


def test_a_cursor_the_server_does_not_know_starts_the_pull_over(phone, client):
    quiet_client(client, phone).run()
    places = len(phone.reference("place"))
    phone.apply_pull_page(changes=[], cursor="999999")
    report = quiet_client(client, phone).run()
    assert report.ok and len(phone.reference("place")) == places and int(phone.cursor) < 999999


def test_another_user_cannot_log_in_while_the_first_users_records_wait(phone, client):
    saved = save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("demo-lobby"))
    with pytest.raises(PermissionProblem) as caught:
        login(client, SERVER_URL, "demo-site-supervisor", PASSWORD, store=phone)
    assert caught.value.code == "auth.other_user_pending" and "Li Na" in caught.value.message
    assert phone.user["id"] == "user-demo-specialist"  # still the specialist's phone
    assert quiet_client(client, phone).run().accepted == 1
    assert login(client, SERVER_URL, "demo-site-supervisor", PASSWORD, store=phone)["role"] == "site_supervisor"
    assert phone.get_record(saved["id"])["sync_status"] == "synced"


def test_a_phone_whose_clock_is_years_off_still_syncs_by_the_servers_cursor(phone, client, server_db):
    wrong = FixedClock(datetime(2001, 1, 1, tzinfo=UTC))
    saved = save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("demo-lobby"), clock=wrong)
    report = quiet_client(client, phone).run()
    assert report.ok and report.accepted == 1 and server_ids(server_db) == [saved["id"]]
    assert phone.last_success == "2026-11-23T01:30:00+00:00" and phone.cursor.isdigit()
