"""The phone's store: migrations, saving records with their outbox rows, pulled data, login state."""

from __future__ import annotations

import sqlite3

import pytest

from mobile import recorder
from mobile.recorder import save_correction, save_record
from mobile.store import migrate, open_store, outbox, store_modules
from shared.errors import NotFoundProblem, ValidationProblem
from shared.model import RecordType
from shared.wire import decode_record
from tests.mobile.factory import FixedClock, complaint, defect


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "phone.sqlite3")
    yield s
    s.close()


def change(seq, kind, id, data, deleted=False):
    return {"seq": seq, "kind": kind, "id": id, "data": data, "deleted": deleted}


def outbox_rows(store):
    return store.db.execute("SELECT record_id, device_seq, held FROM outbox ORDER BY device_seq").fetchall()


def test_reopening_keeps_the_device_id_and_applies_migrations_once(tmp_path):
    first = open_store(tmp_path / "phone.sqlite3")
    device_id = first.device_id
    first.close()
    second = open_store(tmp_path / "phone.sqlite3")
    assert second.device_id == device_id
    assert migrate(second.db) == []
    assert second.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    applied = {m for (m,) in second.db.execute("SELECT module FROM schema_migrations")}
    assert applied == {m.__name__.rsplit(".", 1)[-1] for m in store_modules() if getattr(m, "MIGRATIONS", None)}
    second.close()


def test_two_phones_get_different_device_ids(tmp_path):
    assert open_store(tmp_path / "a.sqlite3").device_id != open_store(tmp_path / "b.sqlite3").device_id


def test_a_saved_record_waits_in_the_outbox_with_the_next_device_seq(store):
    clock = FixedClock()
    first = save_record(store, type=RecordType.DEFECT_REPORT, body=defect(), clock=clock)
    second = save_record(store, type="owner_complaint", body=complaint(), clock=clock)
    assert (first["device_seq"], second["device_seq"]) == (1, 2)
    assert first["id"] < second["id"]  # uuid7: time-ordered
    assert first["sync_status"] == "pending" and first["body"]["category"] == "water_leakage"
    assert outbox_rows(store) == [(first["id"], 1, 0), (second["id"], 2, 0)]
    assert store.pending_counts() == {"records": 2, "held": 0, "photos": store.pending_counts()["photos"]}
    # what waits is exactly what the server will decode
    (payload,) = store.outbox_batch(1)
    assert decode_record(payload).id == first["id"]
    assert [r["id"] for r in store.records()] == [second["id"], first["id"]]  # newest first


def test_an_invalid_record_is_refused_and_nothing_is_kept(store):
    with pytest.raises(ValidationProblem) as caught:
        save_record(store, type=RecordType.DEFECT_REPORT, body={**defect().__dict__, "description": " "})
    assert caught.value.detail["field"] == "body.description"
    assert store.records() == [] and outbox_rows(store) == []
    # the refused attempt did not use up a device_seq
    assert save_record(store, type=RecordType.DEFECT_REPORT, body=defect())["device_seq"] == 1


def test_record_and_outbox_row_are_saved_together_or_not_at_all(store, monkeypatch):
    def broken(db, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(recorder.outbox, "enqueue", broken)
    with pytest.raises(sqlite3.OperationalError):
        save_record(store, type=RecordType.DEFECT_REPORT, body=defect())
    assert store.records() == [] and outbox_rows(store) == []


def test_a_correction_names_the_record_it_supersedes(store):
    original = save_record(store, type=RecordType.DEFECT_REPORT, body=defect(description="Wrong unit"))
    fixed = save_correction(store, supersedes=original["id"], body=defect(description="Ceiling drips in 204"))
    assert fixed["supersedes"] == original["id"] and fixed["type"] == "defect_report"
    assert store.get_record(original["id"])["superseded_by"] == fixed["id"]
    with pytest.raises(ValidationProblem) as caught:
        save_correction(store, supersedes=original["id"], body=defect())
    assert caught.value.code == "record.already_corrected"
    with pytest.raises(NotFoundProblem):
        save_correction(store, supersedes="0190f0f0-0000-7000-8000-000000000000", body=defect())


def test_pulled_changes_fill_the_reference_cache_and_move_the_cursor(store):
    store.apply_pull_page(
        changes=[
            {
                "seq": 1,
                "kind": "place",
                "id": "b1",
                "data": {"name": "Building 1", "parent_id": None},
                "deleted": False,
            },
            {
                "seq": 2,
                "kind": "place",
                "id": "b1-f2",
                "data": {"name": "Floor 2", "parent_id": "b1"},
                "deleted": False,
            },
            {"seq": 3, "kind": "work_order", "id": "wo-1", "data": {"state": "reported"}, "deleted": False},
        ],
        cursor="3",
    )
    store.apply_pull_page(
        changes=[
            {"seq": 4, "kind": "place", "id": "b1", "data": {"name": "Tower 1", "parent_id": None}, "deleted": False},
            {"seq": 5, "kind": "work_order", "id": "wo-1", "data": {}, "deleted": True},
        ],
        cursor="5",
    )
    assert [p["name"] for p in store.reference("place")] == ["Floor 2", "Tower 1"]
    assert store.get_reference("place", "b1-f2") == {"id": "b1-f2", "name": "Floor 2", "parent_id": "b1"}
    assert store.get_reference("work_order", "wo-1") is None
    assert store.cursor == "5"


def test_a_pull_page_is_applied_whole_or_not_at_all(store):
    bad = [
        {"seq": 1, "kind": "place", "id": "b1", "data": {"name": "Building 1"}, "deleted": False},
        {"seq": 2, "kind": "place", "data": {"name": "no id"}, "deleted": False},
    ]
    with pytest.raises(KeyError):
        store.apply_pull_page(changes=bad, cursor="2")
    assert store.reference("place") == [] and store.cursor is None


def test_records_pulled_from_the_server_are_listed_without_being_sent_again(store):
    mine = save_record(store, type=RecordType.DEFECT_REPORT, body=defect())
    other = {
        "id": "0190f0f0-0000-7000-8000-000000000001",
        "type": "owner_complaint",
        "author_id": "u-1",
        "device_id": "another-phone",
        "device_seq": 7,
        "recorded_at": "2026-11-23T07:00:00+08:00",
        "received_at": "2026-11-23T00:05:00+00:00",
        "supersedes": None,
        "body": complaint().__dict__,
    }
    store.apply_pull_page(
        changes=[
            {"seq": 1, "kind": "record", "id": other["id"], "data": other, "deleted": False},
            {"seq": 2, "kind": "record", "id": mine["id"], "data": {**other, "id": mine["id"]}, "deleted": False},
        ],
        cursor="2",
    )
    pulled = store.get_record(other["id"])
    assert (pulled["origin"], pulled["sync_status"], pulled["body"]["owner_name"]) == ("server", "synced", "Mr Wang")
    assert store.records()[0]["id"] == mine["id"] and len(store.records()) == 1  # default: made on this phone
    assert {r["id"] for r in store.records(origin=None)} == {mine["id"], other["id"]}
    # my own record keeps its status and body; only the push acknowledgement settles it
    assert store.get_record(mine["id"])["sync_status"] == "pending"
    assert store.get_record(mine["id"])["type"] == "defect_report"
    assert [r for (r, _, _) in outbox_rows(store)] == [mine["id"]]


def test_refused_records_are_held_until_retried(store):
    a = save_record(store, type=RecordType.DEFECT_REPORT, body=defect())
    b = save_record(store, type=RecordType.DEFECT_REPORT, body=defect())
    tally = store.apply_push_results(
        sent_ids={a["id"], b["id"]},
        results=[
            {"id": a["id"], "status": "accepted"},
            {"id": b["id"], "status": "rejected", "code": "record.unknown_reference", "message": "No such place."},
            {"id": "not-sent", "status": "accepted"},
        ],
        server_time="2026-11-23T00:10:00+00:00",
    )
    assert dict(tally) == {"accepted": 1, "rejected": 1}
    assert store.get_record(a["id"])["sync_status"] == "synced"
    assert store.get_record(b["id"])["status_message"] == "No such place."
    assert store.pending_counts()["records"] == 0 and store.pending_counts()["held"] == 1
    assert store.outbox_batch(10) == []  # held rows are not sent again on their own
    assert store.retry_held() == 1
    assert store.get_record(b["id"])["sync_status"] == "pending"
    assert [p["id"] for p in store.outbox_batch(10)] == [b["id"]]
    assert store.record_counts() == {"pending": 1, "synced": 1, "rejected": 0, "conflict": 0}


def test_a_discarded_record_stays_visible_but_is_not_sent(store):
    a = save_record(store, type=RecordType.DEFECT_REPORT, body=defect())
    store.apply_push_results(
        sent_ids={a["id"]}, results=[{"id": a["id"], "status": "conflict", "message": "Different"}], server_time=None
    )
    assert store.discard_held(a["id"]) is True
    assert store.retry_held() == 0 and store.get_record(a["id"])["sync_status"] == "conflict"
    assert outbox.counts(store.db) == {"pending": 0, "held": 0}


def test_another_user_logging_in_starts_from_an_empty_feed(store):
    store.set_login(server_url="http://s", token="t1", user={"id": "u1", "name": "Li"})
    store.apply_pull_page(changes=[{"seq": 1, "kind": "route", "id": "r1", "data": {}, "deleted": False}], cursor="1")
    store.set_login(server_url="http://s", token="t2", user={"id": "u1", "name": "Li"})
    assert store.cursor == "1" and store.reference("route")  # same user: keep what was pulled
    store.set_login(server_url="http://s", token="t3", user={"id": "u2", "name": "Zhang"})
    assert store.cursor is None and store.reference("route") == []
    state = store.login_state()
    assert (state["token"], state["user"]["id"], state["device_id"]) == ("t3", "u2", store.device_id)
    store.logout()
    assert store.logged_in is False and store.token is None


def test_a_failing_migration_leaves_nothing_half_done(tmp_path, monkeypatch):
    import types

    import mobile.store as store_package

    broken = types.ModuleType("mobile.store.broken")
    broken.MIGRATIONS = [("0001_half", "CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);")]
    db = open_store(tmp_path / "phone.sqlite3").db  # the real modules first
    monkeypatch.setattr(store_package, "store_modules", lambda: [broken])
    with pytest.raises(sqlite3.OperationalError):
        migrate(db)
    assert not db["half"].exists()
    assert db.execute("SELECT count(*) FROM schema_migrations WHERE module = 'broken'").fetchone()[0] == 0


def test_modules_not_written_yet_are_skipped(monkeypatch):
    import mobile.store as store_package

    monkeypatch.setattr(store_package, "MODULES", ("state", "not_written_yet", "records"))
    assert [m.__name__ for m in store_modules()] == ["mobile.store.state", "mobile.store.records"]
