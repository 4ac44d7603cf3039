"""The rules of work orders through the server, with records made the way the phone app makes them:
corrections keep their order, return visits are independent, a close by hand misses what was owed,
renovation slots and passes are the server's call, complaints are answered, reworks have deadlines,
work done on an assignee's behalf says so, and every property keeps its own clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from shared.model import ChecklistItem, DefectCategory, OwnerComplaint, Severity, Slot, WorkOrderAction
from sync_server.app import create_app
from sync_server.db import open_db, transaction
from sync_server.settings import CHEAP_ARGON2, Settings
from tests.conftest import prepare_data_dir
from tests.sync_server.test_reconcile import dump, push_each
from tests.work_order_records import SAND, Phone, action, decoration_check, leak, visit

TZ = ZoneInfo("Asia/Shanghai")
SPECIALIST, SUPERVISOR, MAINTENANCE = "user-demo-specialist", "user-demo-supervisor", "user-demo-maintenance"
A = WorkOrderAction


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor", "maintenance", "site-supervisor")}


def now(clock) -> datetime:
    """Half a day ago on the property's clock: every record of a test happens after it and before the sync."""
    return clock.now().astimezone(TZ) - timedelta(hours=12)


def refused(phone: Phone, body, at) -> dict:
    raw = phone.record(body, at)
    return phone.push(raw)[raw["id"]]


def orders_of(phones) -> dict[str, dict]:
    return phones["supervisor"].of_kind("work_order")


# ---- 1 ------------------------------------------------------------------------------------------
def test_a_correction_keeps_the_order_it_corrects(phones, clock):
    spec, sup, mnt = phones["specialist"], phones["supervisor"], phones["maintenance"]
    typo = spec.send(leak(), now(clock))
    oid = f"wo-{typo['id']}"
    sup.send(action(oid, A.DISPATCH, assignee_id=MAINTENANCE, note="urgent"), now(clock) + timedelta(minutes=5))
    before = orders_of(phones)[oid]
    better = dataclasses.replace(leak(), description="Ceiling drips over the bath tub", severity=Severity.URGENT)
    fix = spec.send(better, now(clock) + timedelta(minutes=10), supersedes=typo["id"])
    orders = orders_of(phones)
    assert list(orders) == [oid]
    order = orders[oid]
    assert (order["number"], order["state"], order["assignee_id"]) == (before["number"], "dispatched", MAINTENANCE)
    assert order["history"][:-1] == before["history"]
    assert (order["description"], order["severity"]) == ("Ceiling drips over the bath tub", "urgent")
    event = order["history"][-1]
    assert (event["action"], event["record_id"], event["actor_id"]) == ("corrected", fix["id"], SPECIALIST)
    assert event["changes"] == {
        "description": {"from": "Ceiling drips in the bathroom", "to": "Ceiling drips over the bath tub"},
        "severity": {"from": "high", "to": "urgent"},
    }
    assert oid in mnt.of_kind("work_order")  # still on maintenance's list
    mnt.send(action(oid, A.COMPLETE), now(clock) + timedelta(minutes=30))  # by the id they know
    assert orders_of(phones)[oid]["state"] == "done"


def test_a_correction_to_another_place_is_seen_in_both_orders_and_the_old_id_still_leads_to_it(phones, clock):
    spec, site, sup = phones["specialist"], phones["site-supervisor"], phones["supervisor"]
    first = spec.send(leak(), now(clock))
    joined = site.send(leak(), now(clock) + timedelta(minutes=5))  # joins the specialist's order
    oid, moved_id = f"wo-{first['id']}", f"wo-{joined['id']}"
    assert list(orders_of(phones)) == [oid]
    fix = site.send(leak(place_id="demo-b1-u102"), now(clock) + timedelta(minutes=20), supersedes=joined["id"])
    orders = orders_of(phones)
    old, new = orders[oid], orders[moved_id]
    out = old["history"][-1]
    assert (out["action"], out["record_id"], out["related_order_id"]) == ("moved_out", fix["id"], moved_id)
    assert out["related_number"] == new["number"]
    assert out["changes"] == {"place_id": {"from": "demo-b1-u101", "to": "demo-b1-u102"}}
    assert new["place_id"] == "demo-b1-u102"
    assert [e["action"] for e in new["history"]] == ["reported", "corrected"]
    # the supervisor dispatches by the id of the record the app showed: it reaches the moved defect's order
    sup.send(action(moved_id, A.DISPATCH, assignee_id=MAINTENANCE), now(clock) + timedelta(minutes=30))
    assert (orders_of(phones)[moved_id]["state"], orders_of(phones)[oid]["state"]) == ("dispatched", "reported")


def test_a_correction_that_moves_a_dispatched_defect_takes_its_order_along(phones, clock):
    spec, sup, mnt = phones["specialist"], phones["supervisor"], phones["maintenance"]
    wrong = spec.send(leak(category=DefectCategory.ELECTRICAL), now(clock))
    oid = f"wo-{wrong['id']}"
    sup.send(action(oid, A.DISPATCH, assignee_id=MAINTENANCE), now(clock) + timedelta(minutes=5))
    number = orders_of(phones)[oid]["number"]
    spec.send(leak(place_id="demo-b1-u102"), now(clock) + timedelta(minutes=10), supersedes=wrong["id"])
    order = orders_of(phones)[oid]
    assert (order["number"], order["state"], order["place_id"], order["category"]) == (
        number,
        "dispatched",
        "demo-b1-u102",
        "water_leakage",
    )
    assert order["history"][-1]["changes"] == {
        "place_id": {"from": "demo-b1-u101", "to": "demo-b1-u102"},
        "category": {"from": "electrical", "to": "water_leakage"},
    }
    mnt.send(action(oid, A.COMPLETE), now(clock) + timedelta(hours=1))
    due = spec.of_kind("return_visit_due")[oid]
    assert due["due_at"] == (now(clock) + timedelta(hours=1, days=3)).isoformat()  # a leak: within 3 days
    # a new report of the old place and category is a new order, not the moved one
    again = spec.send(leak(category=DefectCategory.ELECTRICAL), now(clock) + timedelta(hours=2))
    assert orders_of(phones)[f"wo-{again['id']}"]["state"] == "reported"


# ---- 2 ------------------------------------------------------------------------------------------
def test_a_return_visit_by_maintenance_is_refused(phones, clock):
    spec, sup, mnt = phones["specialist"], phones["supervisor"], phones["maintenance"]
    oid = f"wo-{spec.send(leak(), now(clock))['id']}"
    sup.send(action(oid, A.DISPATCH, assignee_id=MAINTENANCE), now(clock))
    mnt.send(action(oid, A.COMPLETE), now(clock) + timedelta(minutes=5))
    result = refused(mnt, visit(oid), now(clock) + timedelta(minutes=6))
    assert (result["status"], result["code"]) == ("rejected", "workflow.visit_not_independent")
    assert orders_of(phones)[oid]["state"] == "done"


def test_a_return_visit_by_the_orders_assignee_is_refused(phones, clock):
    spec, sup, mnt = phones["specialist"], phones["supervisor"], phones["maintenance"]
    oid = f"wo-{spec.send(leak(), now(clock))['id']}"
    sup.send(action(oid, A.DISPATCH, assignee_id=MAINTENANCE), now(clock))
    mnt.send(action(oid, A.COMPLETE), now(clock) + timedelta(minutes=5))
    result = refused(mnt, visit(oid), now(clock) + timedelta(minutes=6))
    assert (result["status"], result["code"]) == ("rejected", "workflow.visit_not_independent")
    spec.send(visit(oid), now(clock) + timedelta(minutes=7))  # customer service's own visit closes it
    assert orders_of(phones)[oid]["state"] == "closed"


# ---- 3 ------------------------------------------------------------------------------------------
def test_a_supervisors_close_marks_the_open_deadlines_missed(phones, clock):
    spec, sup, mnt = phones["specialist"], phones["supervisor"], phones["maintenance"]
    oid = f"wo-{spec.send(leak(), now(clock))['id']}"
    sup.send(action(oid, A.DISPATCH, assignee_id=MAINTENANCE), now(clock))
    mnt.send(action(oid, A.COMPLETE), now(clock) + timedelta(hours=1))
    close_at = now(clock) + timedelta(hours=2)
    sup.send(action(oid, A.CLOSE, note="owner refused the visit"), close_at)
    order = orders_of(phones)[oid]
    deadlines = {d["name"]: d for d in order["deadlines"]}
    assert deadlines["return_visit"]["met_at"] is None
    assert deadlines["return_visit"]["missed_at"] == close_at.isoformat()
    assert deadlines["handling"]["missed_at"] is None and deadlines["handling"]["met_at"] is not None
    assert set(deadlines["handling"]) == {"name", "due_at", "met_at", "missed_at", "assignee_id"}
    assert spec.of_kind("return_visit_due") == {}


# ---- 4 ------------------------------------------------------------------------------------------
def test_the_check_slot_is_the_servers_from_the_propertys_clock_not_the_phones_label(phones, clock, server_db):
    clock.set(datetime(2026, 11, 23, 7, 5, tzinfo=UTC))  # 15:05 at the property
    site = phones["site-supervisor"]
    labelled = site.send(decoration_check("demo-permit1", Slot.MORNING), clock.now() - timedelta(minutes=5))
    row = server_db.execute("SELECT slot, local_day FROM recon_facts WHERE id = ?", [labelled["id"]]).fetchone()
    assert tuple(row) == ("afternoon", "2026-11-23")


def test_a_renovation_check_by_a_specialist_is_refused(phones, clock):
    result = refused(phones["specialist"], decoration_check("demo-permit1", Slot.MORNING), now(clock))
    assert (result["status"], result["code"]) == ("rejected", "workflow.check_role_not_allowed")


def test_only_a_site_supervisors_clean_follow_up_closes_the_rectification(phones, clock):
    site, sup = phones["site-supervisor"], phones["supervisor"]
    opened = site.send(decoration_check("demo-permit1", Slot.MORNING, SAND), now(clock))
    oid = f"wo-{opened['id']}"
    sup.send(decoration_check("demo-permit1", Slot.AFTERNOON), now(clock) + timedelta(hours=5))
    assert orders_of(phones)[oid]["state"] == "reported"  # a manager's clean spot check is no follow-up
    site.send(decoration_check("demo-permit1", Slot.AFTERNOON), now(clock) + timedelta(hours=6))
    assert orders_of(phones)[oid]["state"] == "closed"


def test_more_workers_than_registered_passes_is_a_violation_even_if_the_phone_passed_it(phones, clock):
    site = phones["site-supervisor"]
    check = dataclasses.replace(decoration_check("demo-permit3", Slot.MORNING), workers_seen=4, passes_seen=4)
    assert ChecklistItem.WORKERS_HAVE_PASSES in check.passed  # the phone saw four passes: it passed the item
    raw = site.send(check, now(clock))
    order = orders_of(phones)[f"wo-{raw['id']}"]
    assert (order["kind"], order["permit_id"]) == ("rectification", "demo-permit3")
    assert order["violations"] == [{"item": "workers_have_passes", "description": ""}]
    within = dataclasses.replace(check, workers_seen=3, passes_seen=3)
    site.send(within, now(clock) + timedelta(hours=5))
    assert orders_of(phones)[f"wo-{raw['id']}"]["state"] == "closed"


# ---- 5 ------------------------------------------------------------------------------------------
def complaint() -> OwnerComplaint:
    return OwnerComplaint("demo-b1-u101", "Mrs Li", "Noise from the pump room", severity=Severity.HIGH)


def test_an_owner_complaint_is_handled_in_24_hours_and_answered_in_72_by_who_logged_it(phones, clock):
    c = phones["specialist"].send(complaint(), now(clock))
    order = orders_of(phones)[f"wo-{c['id']}"]
    assert order["severity"] == "high"
    deadlines = {d["name"]: (d["due_at"], d["assignee_id"]) for d in order["deadlines"]}
    assert deadlines == {
        "handling": ("2026-11-23T21:30:00+08:00", None),
        "reply": ("2026-11-25T21:30:00+08:00", SPECIALIST),
    }


def test_a_reply_closes_a_complaint_that_needed_no_repair(phones, clock):
    spec = phones["specialist"]
    oid = f"wo-{spec.send(complaint(), now(clock))['id']}"
    assert spec.get(f"/api/v1/orders/{oid}")["allowed_actions"] == ["reply"]  # the desk offers it on complaints
    spec.send(action(oid, A.REPLY, note="the pump runs only in the day now"), now(clock) + timedelta(hours=3))
    order = orders_of(phones)[oid]
    assert order["state"] == "closed"
    assert all(d["met_at"] for d in order["deadlines"])
    assert order["history"][-1]["note"] == "the pump runs only in the day now"


def test_a_repaired_complaint_closes_once_replied_and_visited(phones, clock):
    spec, sup, mnt = phones["specialist"], phones["supervisor"], phones["maintenance"]
    oid = f"wo-{spec.send(complaint(), now(clock))['id']}"
    sup.send(action(oid, A.DISPATCH, assignee_id=MAINTENANCE), now(clock) + timedelta(hours=1))
    mnt.send(action(oid, A.COMPLETE), now(clock) + timedelta(hours=2))
    order = orders_of(phones)[oid]
    deadlines = {d["name"]: d for d in order["deadlines"]}
    assert deadlines["reply"]["met_at"] is None  # the repair is not the owner's answer
    assert deadlines["return_visit"]["due_at"] == (now(clock) + timedelta(hours=2, days=7)).isoformat()
    assert oid in spec.of_kind("return_visit_due")
    spec.send(visit(oid), now(clock) + timedelta(hours=5))
    assert orders_of(phones)[oid]["state"] == "done"  # visited, not answered yet
    spec.send(action(oid, A.REPLY), now(clock) + timedelta(hours=6))
    assert orders_of(phones)[oid]["state"] == "closed"


def test_a_reply_to_a_repair_order_is_refused(phones, clock):
    spec = phones["specialist"]
    oid = f"wo-{spec.send(leak(), now(clock))['id']}"
    result = refused(spec, action(oid, A.REPLY), now(clock) + timedelta(minutes=1))
    assert (result["status"], result["code"]) == ("rejected", "workflow.reply_not_complaint")


# ---- 6 ------------------------------------------------------------------------------------------
def test_a_dispatched_rework_is_handled_within_24_hours_and_then_visited(phones, clock):
    spec, sup, mnt = phones["specialist"], phones["supervisor"], phones["maintenance"]
    oid = f"wo-{spec.send(leak(), now(clock))['id']}"
    sup.send(action(oid, A.DISPATCH, assignee_id=MAINTENANCE), now(clock))
    mnt.send(action(oid, A.COMPLETE), now(clock) + timedelta(hours=1))
    rid = f"wo-{spec.send(visit(oid, fixed=False), now(clock) + timedelta(hours=2))['id']}"
    sent_at = now(clock) + timedelta(hours=3)
    sup.send(action(rid, A.DISPATCH, assignee_id=MAINTENANCE), sent_at)
    handling = {d["name"]: d for d in orders_of(phones)[rid]["deadlines"]}["handling"]
    assert handling["due_at"] == (sent_at + timedelta(hours=24)).isoformat()
    mnt.send(action(rid, A.COMPLETE), now(clock) + timedelta(hours=4))
    assert spec.of_kind("return_visit_due")[rid]["due_at"] == (now(clock) + timedelta(hours=4, days=3)).isoformat()


# ---- 7 ------------------------------------------------------------------------------------------
def test_a_supervisor_starting_or_completing_for_maintenance_does_it_on_their_behalf(phones, clock):
    spec, sup = phones["specialist"], phones["supervisor"]
    oid = f"wo-{spec.send(leak(), now(clock))['id']}"
    sup.send(action(oid, A.DISPATCH, assignee_id=MAINTENANCE), now(clock))
    sup.send(action(oid, A.START), now(clock) + timedelta(minutes=10))
    sup.send(action(oid, A.COMPLETE), now(clock) + timedelta(minutes=20))
    behalf = [(e["action"], e["actor_id"], e["on_behalf_of"]) for e in orders_of(phones)[oid]["history"]]
    assert behalf == [
        ("reported", SPECIALIST, None),
        ("dispatch", SUPERVISOR, None),
        ("start", SUPERVISOR, MAINTENANCE),
        ("complete", SUPERVISOR, MAINTENANCE),
    ]


# ---- 8 ------------------------------------------------------------------------------------------
def test_each_property_keeps_its_own_clock_for_deadlines_days_and_numbers(client, clock, server_db):
    with transaction(server_db):
        server_db.execute("UPDATE properties SET tz = 'Europe/Madrid' WHERE id = 'demo'")
    clock.set(datetime(2026, 12, 31, 20, 5, tzinfo=UTC))  # 21:05 in Madrid; already 2027 in Shanghai
    spec, sup = Phone(client, "demo-specialist"), Phone(client, "demo-supervisor")
    d = spec.send(leak(), clock.now() - timedelta(minutes=5))
    order = sup.of_kind("work_order")[f"wo-{d['id']}"]
    assert order["number"].startswith("WO-2026-")
    assert order["reported_at"] == "2026-12-31T21:00:00+01:00"
    assert order["deadlines"][0]["due_at"] == "2027-01-01T21:00:00+01:00"
    day = server_db.execute("SELECT local_day FROM recon_facts WHERE id = ?", [d["id"]]).fetchone()[0]
    assert day == "2026-12-31"


def test_signing_off_an_order_a_defect_moved_out_of_keeps_both_orders_as_they_were(phones, clock, server_db):
    spec, site, sup = phones["specialist"], phones["site-supervisor"], phones["supervisor"]
    first = spec.send(leak(), now(clock))
    joined = site.send(leak(), now(clock) + timedelta(minutes=5))
    site.send(leak(place_id="demo-b1-u102"), now(clock) + timedelta(minutes=20), supersedes=joined["id"])
    oid, moved_id = f"wo-{first['id']}", f"wo-{joined['id']}"
    sup.send(action(moved_id, A.CLOSE, note="fixed by the owner"), now(clock) + timedelta(hours=1))
    sup.send(action(oid, A.CLOSE, note="duplicate of a lift report"), now(clock) + timedelta(hours=2))
    before = orders_of(phones)
    server_db.execute("DELETE FROM recon_streams")  # no saved replay: the sign-off replays the closed order's episode
    sup.send(action(oid, A.SIGN_OFF), now(clock) + timedelta(hours=3))
    after = orders_of(phones)
    assert after[oid]["state"] == "signed_off"
    assert after[oid]["history"][:-1] == before[oid]["history"]
    assert "moved_out" in [e["action"] for e in after[oid]["history"]]
    assert after[moved_id] == before[moved_id]


def test_a_correction_gives_the_same_orders_whatever_the_arrival_order(
    phones, clock, server_db, tmp_path, new_database_url
):
    spec, site, sup, mnt = phones["specialist"], phones["site-supervisor"], phones["supervisor"], phones["maintenance"]
    t = now(clock)
    first, joined = spec.record(leak(), t), site.record(leak(), t + timedelta(minutes=5))
    oid, moved_id = f"wo-{first['id']}", f"wo-{joined['id']}"
    fix = site.record(leak(place_id="demo-b1-u102"), t + timedelta(minutes=20), supersedes=joined["id"])
    records = [
        ("specialist", first),
        ("site-supervisor", joined),
        ("supervisor", sup.record(action(oid, A.DISPATCH, assignee_id=MAINTENANCE), t + timedelta(minutes=10))),
        ("site-supervisor", fix),
        ("supervisor", sup.record(action(moved_id, A.DISPATCH, assignee_id=MAINTENANCE), t + timedelta(minutes=30))),
        ("maintenance", mnt.record(action(moved_id, A.COMPLETE), t + timedelta(minutes=40))),
        ("maintenance", mnt.record(action(oid, A.COMPLETE), t + timedelta(minutes=50))),
    ]
    push_each(phones, records)
    other = Settings(data_dir=tmp_path / "second", argon2=CHEAP_ARGON2, now=clock.now, database_url=new_database_url())
    prepare_data_dir(other)
    with TestClient(create_app(other)) as second:
        again = {who: Phone(second, f"demo-{who}") for who in phones}
        # the site supervisor's phone syncs first, the correction before the first dispatch, completions swapped
        push_each(again, [records[i] for i in (1, 0, 3, 2, 4, 6, 5)])
        db = open_db(other.db_url)
        try:
            assert dump(db) == dump(server_db)
        finally:
            db.close()
    states = {r["id"]: r["state"] for r in server_db.query("SELECT id, state FROM work_orders")}
    assert states == {oid: "done", moved_id: "done"}
