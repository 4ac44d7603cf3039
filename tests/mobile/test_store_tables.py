"""The tables the phone's screens read instead of scanning every record's JSON: photos per record, the
day's records by their index, open orders by their state, and the store migration that fills them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mobile.context import AppContext
from mobile.recorder import save_correction, save_record
from mobile.state.orders import OrdersBoard
from mobile.store import open_store, records
from shared.model import RecordType, WorkOrderAction
from shared.wire import encode_record
from tests.mobile.factory import FixedClock, defect

SHA = [f"{n:064x}" for n in range(1, 6)]
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "phone.sqlite3")
    yield s
    s.close()


def photos_of_records(store):
    return set(store.db.execute("SELECT record_id, sha256 FROM record_photos").fetchall())


def test_an_older_store_gets_its_photo_table_filled_from_the_records_it_holds(tmp_path):
    path = tmp_path / "phone.sqlite3"
    old = open_store(path)
    mine = save_record(old, type=RecordType.DEFECT_REPORT, body=defect(), clock=FixedClock())
    pulled = encode_record(
        id="rec-pulled",
        type=RecordType.DEFECT_REPORT,
        device_seq=1,
        recorded_at=datetime(2026, 11, 23, tzinfo=UTC),
        body=defect(),
    )
    pulled["body"]["photos"] = [SHA[1], SHA[2]]
    old.apply_pull_page(changes=[{"kind": "record", "id": "rec-pulled", "data": {"record": pulled}}], cursor="1")
    old.db.execute(
        "UPDATE records SET body = json_set(body, '$.photos', json(?)) WHERE id = ?", [f'["{SHA[0]}"]', mine["id"]]
    )
    # Back to the store as the app before this change left it: no photo table, the full supersedes index.
    old.db.conn.executescript(
        "DROP TABLE record_photos; DROP INDEX records_listing; DROP INDEX records_supersedes;"
        "CREATE INDEX records_supersedes ON records (supersedes);"
        "DELETE FROM schema_migrations WHERE module = 'records' AND name = '0002_record_photos';"
    )
    old.close()

    store = open_store(path)
    try:
        assert photos_of_records(store) == {(mine["id"], SHA[0]), ("rec-pulled", SHA[1]), ("rec-pulled", SHA[2])}
        (sql,) = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'records_supersedes'").fetchone()
        assert "WHERE supersedes IS NOT NULL" in sql
    finally:
        store.close()


def test_photos_of_new_and_pulled_records_are_kept_beside_them(store):
    saved = save_record(store, type=RecordType.DEFECT_REPORT, body=defect(), clock=FixedClock())
    payload = encode_record(
        id="rec-a",
        type=RecordType.DEFECT_REPORT,
        device_seq=1,
        recorded_at=datetime(2026, 11, 23, tzinfo=UTC),
        body=defect(),
    )
    payload["body"]["photos"] = [SHA[3]]
    store.apply_pull_page(changes=[{"kind": "record", "id": "rec-a", "data": {"record": payload}}], cursor="1")
    payload["body"]["photos"] = [SHA[4]]  # the server published it again with another photo
    store.apply_pull_page(changes=[{"kind": "record", "id": "rec-a", "data": {"record": payload}}], cursor="2")
    assert photos_of_records(store) == {("rec-a", SHA[4])}
    assert saved["body"]["photos"] == []
    store.apply_pull_page(changes=[{"kind": "record", "id": "rec-a", "data": None, "deleted": True}], cursor="3")
    assert photos_of_records(store) == set()


def test_photo_hashes_finds_lists_at_any_depth_and_the_signature():
    body = {"photos": [SHA[0]], "violations": [{"photos": [SHA[1]]}], "signature": SHA[2], "note": SHA[3]}
    assert records.photo_hashes(body) == {SHA[0], SHA[1], SHA[2]}


def test_corrections_are_found_after_sqlite_gathered_statistics(store):
    clock = FixedClock()
    first = save_record(store, type=RecordType.DEFECT_REPORT, body=defect(), clock=clock)
    for _ in range(30):
        save_record(store, type=RecordType.DEFECT_REPORT, body=defect(), clock=clock)
    fixed = save_correction(store, supersedes=first["id"], body=defect(description="Drips faster"), clock=clock)
    store.db.execute("ANALYZE")
    listed = {r["id"]: r for r in store.records()}
    assert listed[first["id"]]["superseded_by"] == fixed["id"]
    assert sum(1 for r in listed.values() if r["superseded_by"]) == 1


def test_the_days_records_are_those_of_the_property_day_whatever_zone_the_phone_wrote(store):
    day_start = datetime(2026, 11, 23, 0, 0, tzinfo=TZ)
    inside = [day_start + timedelta(minutes=1), day_start + timedelta(hours=23, minutes=59)]
    outside = [day_start - timedelta(minutes=1), day_start + timedelta(hours=24)]
    for n, at in enumerate(inside + outside):
        # Each written with another offset than the property's, as phones set to other zones write them.
        zone = ZoneInfo("America/Los_Angeles") if n % 2 else UTC
        save_record(
            store, type=RecordType.DEFECT_REPORT, body=defect(), recorded_at=at.astimezone(zone), clock=FixedClock()
        )
    found = store.records_around(day_start, day_start + timedelta(days=1))
    assert sorted(datetime.fromisoformat(r["recorded_at"]) for r in found) == inside


def test_today_reads_only_orders_that_can_be_open_and_keeps_those_acted_on_here(tmp_path):
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    ctx = AppContext(data_dir=tmp_path / "app", clock=lambda: now)
    try:
        ctx.store.set_login(server_url="http://x.invalid", token="t", user={"id": "u1", "role": "supervisor"})
        late = (now - timedelta(hours=1)).isoformat()
        orders = [
            {"kind": "work_order", "id": "wo-open", "data": {"state": "dispatched", "due_at": late}},
            {"kind": "work_order", "id": "wo-done", "data": {"state": "done", "due_at": late}},
            {"kind": "work_order", "id": "wo-closed", "data": {"state": "closed", "due_at": late}},
        ]
        ctx.store.apply_pull_page(changes=orders, cursor="1")
        board = OrdersBoard(ref=ctx.ref, save=ctx.save, now=ctx.now, user=ctx.user)
        assert {o["id"] for o in ctx.today(board).overdue_orders} == {"wo-done", "wo-open"}
        assert board.act(board.ref.item("work_order", "wo-done"), WorkOrderAction.CLOSE, note="Owner away") is None
        assert "wo-done" in {o["id"] for o in board.open_orders()}  # laid over, as before it was synced
        assert sorted(o["id"] for o in board.visible()) == ["wo-closed", "wo-done", "wo-open"]
    finally:
        ctx.close()
