"""Findings fall due on the property's own clock and are recorded by the server's tick, even when nobody looks;
renovation follow-ups; deadlines an order was closed over."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from shared.model import Slot, WorkOrderAction
from sync_server import schedule
from sync_server.app import create_app
from sync_server.db import findings as stored
from sync_server.db import work_orders
from tests.sync_server.app_patrol import walk
from tests.work_order_records import SAND, Phone, action, decoration_check, leak

TZ = ZoneInfo("Asia/Shanghai")
PERMITS = ("demo-permit1", "demo-permit2", "demo-permit3")


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor", "maintenance", "site-supervisor")}


def findings(phone: Phone, **params) -> list[dict]:
    return phone.get("/api/v1/findings", **params)["findings"]


def test_no_follow_up_check_by_the_rectification_deadline_is_a_missed_follow_up(phones, clock):
    site, sup = phones["site-supervisor"], phones["supervisor"]
    site.send(decoration_check("demo-permit1", Slot.MORNING, SAND), clock.now())  # 09:30: a violation
    (order,) = sup.get("/api/v1/orders", kind="rectification")["orders"]
    due = next(d["due_at"] for d in order["deadlines"] if d["name"] == "rectification")
    assert due == "2026-11-24T09:30:00+08:00"
    clock.advance(hours=3)
    site.send(decoration_check("demo-permit2", Slot.AFTERNOON), clock.now())  # another permit's check: no follow-up
    clock.advance(hours=21)
    assert findings(sup, kind="decoration.follow_up_missed") == []  # due exactly now
    clock.advance(seconds=1)
    (missed,) = findings(site, kind="decoration.follow_up_missed")
    assert (missed["work_order_id"], missed["permit_id"], missed["owner_id"], missed["owner_role"]) == (
        order["id"],
        "demo-permit1",
        "user-demo-site-supervisor",
        "site_supervisor",
    )
    assert (missed["day"], missed["due_at"]) == ("2026-11-24", due)
    assert missed["id"] in sup.of_kind("finding")
    site.send(decoration_check("demo-permit1", Slot.MORNING), clock.now())  # too late: it stays missed
    assert [f["id"] for f in findings(sup, kind="decoration.follow_up_missed")] == [missed["id"]]


def test_a_follow_up_check_made_in_time_is_no_finding_even_if_it_found_the_violation_again(phones, clock):
    site = phones["site-supervisor"]
    site.send(decoration_check("demo-permit1", Slot.MORNING, SAND), clock.now())
    clock.advance(hours=5)  # 14:30 the same day
    site.send(decoration_check("demo-permit1", Slot.AFTERNOON, SAND), clock.now())
    clock.advance(days=2)
    assert findings(phones["supervisor"], kind="decoration.follow_up_missed") == []
    (late,) = findings(phones["supervisor"], kind="order.overdue")  # the rectification itself is still not made
    assert late["deadline"] == "rectification"


def test_closing_an_order_over_an_open_return_visit_is_a_late_return_visit_at_once(phones, clock, server_db):
    d = phones["specialist"].send(leak(), clock.now())
    oid = f"wo-{d['id']}"
    sup = phones["supervisor"]
    sup.send(action(oid, WorkOrderAction.DISPATCH, assignee_id="user-demo-maintenance"), clock.now())
    phones["maintenance"].send(action(oid, WorkOrderAction.COMPLETE), clock.now())
    clock.advance(hours=1)
    closed = sup.http.post(
        f"/api/v1/orders/{oid}/actions", json={"action": "close", "note": "owner moved out"}, headers=sup.headers
    )
    assert closed.status_code == 200, closed.text
    visit = next(d for d in closed.json()["deadlines"] if d["name"] == "return_visit")
    if visit.get("missed_at") is None:  # reconciliation before it marks deadlines closed over: mark it as it will
        row = work_orders.get_order(server_db, id=oid)
        assert row is not None
        for deadline in row["data"]["deadlines"]:
            if deadline["name"] == "return_visit":
                deadline["missed_at"] = "2026-11-23T10:30:00+08:00"
        server_db.execute("UPDATE work_orders SET data = ? WHERE id = ?", [json.dumps(row["data"]), oid])
    (late,) = findings(phones["specialist"], kind="return_visit.late")  # due in 3 days, yet a finding now
    assert (late["work_order_id"], late["owner_id"], late["day"]) == (oid, "user-demo-specialist", "2026-11-23")
    assert "closed without it" in late["message"] and late["missed_at"]
    assert late["id"] in sup.of_kind("finding")


def test_a_property_keeps_its_own_time_zone_when_the_server_runs_on_another(settings, clock):
    """A Shanghai property on a server started with ``--tz Europe/London``: no false 'morning missed'."""
    london = replace(settings, tz_name="Europe/London")
    clock.set(datetime(2026, 11, 22, 23, 30, tzinfo=UTC))  # 07:30 on the 23rd in Shanghai, still the 22nd in London
    with TestClient(create_app(london)) as http:
        site, sup, spec = (Phone(http, f"demo-{r}") for r in ("site-supervisor", "supervisor", "specialist"))
        assert findings(sup) == []  # the schedules start today, the 23rd
        site.send(decoration_check("demo-permit1", Slot.MORNING), clock.now())
        walk(spec, "demo-r1", [1, 2, 3, 4, 5, 6, 7], clock.now)
        clock.set(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))  # 00:30 on the 24th in Shanghai, 16:30 in London
        missed = findings(sup, kind="decoration.check_missed", day="2026-11-23")
        of_permit1 = [f["slot"] for f in missed if f["permit_id"] == "demo-permit1"]
        assert of_permit1 == ["afternoon"]  # the 07:30 check was that morning's; the afternoon ended at midnight
        assert missed[0]["due_at"].endswith("+08:00")
        routes = findings(sup, kind="patrol.route_missed")
        assert [(f["route_id"], f["day"]) for f in routes] == [("demo-r2", "2026-11-23")]


def test_misses_of_days_nobody_looked_at_are_recorded_by_one_tick(phones, clock, settings, server_db):
    sup = phones["supervisor"]
    other = Phone(phones["supervisor"].http, "other-supervisor")
    sup.pull(), other.pull()  # the schedules start on the 23rd
    clock.advance(days=9)  # 09:30 on 2 December: nobody pulled since
    counts = schedule.tick(server_db, settings)
    days = [(date(2026, 11, 23) + timedelta(days=n)).isoformat() for n in range(9)]
    for pid, prefix in (("demo", "demo"), ("other", "other")):
        routes = stored.list_findings(server_db, property_id=pid, kind="patrol.route_missed")
        assert sorted((f["route_id"], f["day"]) for f in routes) == [
            (f"{prefix}-r{r}", day) for r in (1, 2) for day in days
        ]
        checks = stored.list_findings(server_db, property_id=pid, kind="decoration.check_missed")
        assert len(checks) == 3 * 2 * 9 == counts[pid] - len(routes)
    pulled = sup.of_kind("finding")
    for day in days:
        assert f"patrol.route_missed:demo-r1:{day}" in pulled
        for permit in PERMITS:
            for slot in ("morning", "afternoon"):
                assert f"decoration.check_missed:{permit}:{day}:{slot}" in pulled
    assert all(f["property_id"] == "demo" for f in pulled.values())


def test_a_refresh_after_more_than_the_cap_covers_only_the_last_62_days(phones, clock, settings, server_db):
    phones["supervisor"].pull()
    clock.advance(days=100)
    schedule.tick(server_db, settings)
    days = {f["day"] for f in stored.list_findings(server_db, property_id="demo", kind="patrol.route_missed")}
    today = clock.now().astimezone(TZ).date()
    assert min(days) == (today - timedelta(days=schedule.MAX_DAYS - 1)).isoformat()
    assert max(days) == (today - timedelta(days=1)).isoformat()


def test_the_server_ticks_on_its_own_without_any_request(settings, clock, server_db):
    with TestClient(create_app(replace(settings, findings_tick_seconds=0.05))):
        deadline = time.monotonic() + 10
        while stored.refreshed_through(server_db, property_id="demo") is None:  # the first tick starts the schedules
            assert time.monotonic() < deadline, "no tick"
            time.sleep(0.05)
        clock.advance(days=1)
        while not stored.list_findings(server_db, property_id="demo", kind="patrol.route_missed"):
            assert time.monotonic() < deadline, "the tick recorded no missed route"
            time.sleep(0.05)
    routes = stored.list_findings(server_db, property_id="demo", kind="patrol.route_missed")
    assert sorted(f["route_id"] for f in routes) == ["demo-r1", "demo-r2"]
