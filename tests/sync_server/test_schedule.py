"""What was due and missed: renovation check slots, patrol routes and checkpoints, late visits, overdue orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.model import Slot, WorkOrderAction
from tests.sync_server.app_patrol import walk
from tests.work_order_records import Phone, action, decoration_check, leak

TZ = ZoneInfo("Asia/Shanghai")
MAINTENANCE = "user-demo-maintenance"


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor", "maintenance", "site-supervisor")}


def local(clock) -> datetime:
    return clock.now().astimezone(TZ)


def findings(phone: Phone, **params) -> list[dict]:
    return phone.get("/api/v1/findings", **params)["findings"]


def test_renovation_permit_checked_only_in_the_morning_shows_one_missed_afternoon_check(phones, clock):
    site = phones["site-supervisor"]
    site.send(decoration_check("demo-permit1", Slot.MORNING), local(clock))  # 09:30
    clock.set(datetime(2026, 11, 23, 5, 0, tzinfo=UTC))  # 13:00: the morning slot is over, the afternoon is not
    assert [f for f in findings(phones["supervisor"]) if f.get("permit_id") == "demo-permit1"] == []
    clock.set(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))  # 00:30 the next day
    missed = [f for f in findings(phones["supervisor"], kind="decoration.check_missed") if f["day"] == "2026-11-23"]
    of_permit1 = [(f["permit_id"], f["slot"]) for f in missed if f["permit_id"] == "demo-permit1"]
    assert of_permit1 == [("demo-permit1", "afternoon")]
    unchecked = sorted((f["permit_id"], f["slot"]) for f in missed if f["permit_id"] != "demo-permit1")
    assert unchecked == [(p, s) for p in ("demo-permit2", "demo-permit3") for s in ("afternoon", "morning")]
    assert {f["owner_role"] for f in missed} == {"site_supervisor"}
    # site supervisors get them in their pull too
    pulled = site.of_kind("finding")
    assert "decoration.check_missed:demo-permit1:2026-11-23:afternoon" in pulled


def test_a_late_synced_check_resolves_the_missed_slot(phones, clock, tick):
    site = phones["site-supervisor"]
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # 14:00
    key = "decoration.check_missed:demo-permit1:2026-11-23:morning"
    assert key not in site.of_kind("finding")  # a pull computes nothing: the server's tick does
    tick()
    assert key in site.of_kind("finding")
    # the morning check was made at 10:00 on a phone that was offline until now
    site.send(decoration_check("demo-permit1", Slot.MORNING), datetime(2026, 11, 23, 10, 0, tzinfo=TZ))
    assert key in site.of_kind("finding")  # until the next tick
    tick()
    assert key not in site.of_kind("finding")


def test_a_fully_walked_patrol_has_no_skipped_checkpoint(phones, clock):
    spec = phones["specialist"]
    run = walk(spec, "demo-r1", [1, 2, 3, 4, 5, 6, 7], clock.now)  # start, seven visits, finish: as the app does
    assert run.finished and len(run.visit_ids) == 7
    assert findings(spec, kind="patrol.checkpoint_skipped") == []
    clock.set(datetime(2026, 11, 23, 16, 0, tzinfo=UTC))  # midnight in Shanghai: the day is over
    assert findings(phones["supervisor"], kind="patrol.checkpoint_skipped") == []
    missed = findings(spec, kind="patrol.route_missed")
    assert [f["route_id"] for f in missed] == ["demo-r2"]  # demo-r1 counts as walked


def test_a_route_not_walked_and_a_checkpoint_skipped_are_findings_of_the_specialist(phones, clock):
    spec = phones["specialist"]
    run = walk(spec, "demo-r1", [1, 2, 3, 4, 5, 7], clock.now)  # checkpoint 6 passed by
    skipped = findings(spec, kind="patrol.checkpoint_skipped")
    assert [(f["round_id"], f["checkpoint_id"], f["owner_id"]) for f in skipped] == [
        (run.round_id, "demo-r1-cp6", "user-demo-specialist")
    ]
    assert findings(spec, kind="patrol.route_missed") == []  # the day is not over
    clock.set(datetime(2026, 11, 23, 16, 0, tzinfo=UTC))  # midnight in Shanghai
    missed = findings(spec, kind="patrol.route_missed")
    assert [(f["route_id"], f["day"], f["owner_id"]) for f in missed] == [
        ("demo-r2", "2026-11-23", "user-demo-specialist")
    ]
    assert "patrol.checkpoint_skipped:" + run.round_id + ":demo-r1-cp6" in phones["supervisor"].of_kind("finding")


def test_an_unfinished_round_is_judged_when_its_day_is_over(phones, clock):
    spec = phones["specialist"]
    run = walk(spec, "demo-r2", [1, 2], clock.now, finish=False)
    assert findings(spec, kind="patrol.checkpoint_skipped") == []  # still under way
    clock.set(datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
    skipped = findings(spec, kind="patrol.checkpoint_skipped")
    assert [(f["round_id"], f["checkpoint_id"]) for f in skipped] == [
        (run.round_id, "demo-r2-cp3"),
        (run.round_id, "demo-r2-cp4"),
    ]


def test_a_return_visit_not_made_in_time_is_late_for_the_responsible_specialist(phones, clock):
    d = phones["specialist"].send(leak(), local(clock))
    oid = f"wo-{d['id']}"
    phones["supervisor"].send(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), local(clock))
    phones["maintenance"].send(action(oid, WorkOrderAction.COMPLETE), local(clock))
    clock.advance(days=3)
    assert findings(phones["specialist"], kind="return_visit.late") == []  # due exactly now: not late yet
    clock.advance(seconds=1)
    (late,) = findings(phones["specialist"], kind="return_visit.late")
    assert (late["work_order_id"], late["owner_id"], late["due_at"]) == (
        oid,
        "user-demo-specialist",
        "2026-11-26T09:30:00+08:00",
    )
    assert late["met_at"] is None and "not met yet" in late["message"]


def test_an_undispatched_repair_past_24_hours_is_overdue_for_the_supervisors(phones, clock):
    d = phones["specialist"].send(leak(), local(clock))
    sup = phones["supervisor"]
    assert sup.get("/api/v1/orders", overdue="true")["orders"] == []
    clock.advance(hours=24, seconds=1)
    (overdue,) = sup.get("/api/v1/orders", overdue="true")["orders"]
    assert overdue["id"] == f"wo-{d['id']}" and overdue["overdue_deadlines"] == ["handling"]
    (finding,) = findings(sup, kind="order.overdue")
    assert (finding["owner_id"], finding["owner_role"], finding["deadline"]) == (None, "supervisor", "handling")
    assert finding["id"] in sup.of_kind("finding")


def test_a_record_claiming_a_future_time_is_flagged_and_its_deadline_runs_from_receipt(phones, clock):
    d = phones["specialist"].send(leak(), local(clock) + timedelta(hours=3))
    order = phones["supervisor"].get(f"/api/v1/orders/wo-{d['id']}")
    assert order["reported_at"] == "2026-11-23T09:30:00+08:00"
    (flag,) = findings(phones["supervisor"], kind="record.clock_suspect")
    assert (flag["record_id"], flag["owner_id"]) == (d["id"], "user-demo-specialist")
    assert "clock.future" in flag["message"]
