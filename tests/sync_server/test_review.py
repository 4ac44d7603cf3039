"""The review side: order lists by state, owner and deadline; an order's history; sign-off; the day's log."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shared.model import DefectCategory, WorkOrderAction
from tests.conftest import bearer, login
from tests.work_order_records import Phone, action, leak, visit

TZ = ZoneInfo("Asia/Shanghai")
MAINTENANCE = "user-demo-maintenance"


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor", "maintenance", "site-supervisor")}


def local(clock) -> datetime:
    return clock.now().astimezone(TZ)


def closed_order(phones, clock) -> str:
    d = phones["specialist"].send(leak(), local(clock))
    oid = f"wo-{d['id']}"
    phones["supervisor"].send(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), local(clock))
    phones["maintenance"].send(action(oid, WorkOrderAction.COMPLETE), local(clock))
    phones["specialist"].send(visit(oid), local(clock))
    return oid


def test_orders_are_listed_by_state_and_owner(phones, clock):
    closed = closed_order(phones, clock)
    fresh = phones["specialist"].send(leak(category=DefectCategory.ELECTRICAL), local(clock))
    sup = phones["supervisor"]
    assert [o["id"] for o in sup.get("/api/v1/orders", state="closed")["orders"]] == [closed]
    assert [o["id"] for o in sup.get("/api/v1/orders", state="reported")["orders"]] == [f"wo-{fresh['id']}"]
    assert [o["id"] for o in sup.get("/api/v1/orders", owner=MAINTENANCE)["orders"]] == [closed]
    both = sup.get("/api/v1/orders", state=["closed", "reported"])["orders"]
    assert len(both) == 2


def test_an_order_shows_its_full_history_and_the_actions_the_reader_may_take(phones, clock):
    oid = closed_order(phones, clock)
    order = phones["supervisor"].get(f"/api/v1/orders/{oid}")
    assert [(e["action"], e["actor_id"]) for e in order["history"]] == [
        ("reported", "user-demo-specialist"),
        ("dispatch", "user-demo-supervisor"),
        ("complete", MAINTENANCE),
        ("return_visit_ok", "user-demo-specialist"),
    ]
    assert all(e["record_id"] for e in order["history"])
    assert order["number"].startswith("WO-2026-") and order["allowed_actions"] == ["sign_off"]
    assert phones["maintenance"].get(f"/api/v1/orders/{oid}")["allowed_actions"] == []


def test_a_supervisor_signs_off_a_closed_order(phones, clock, client):
    oid = closed_order(phones, clock)
    sup = phones["supervisor"]
    response = client.post(f"/api/v1/orders/{oid}/sign-off", json={"note": "filed"}, headers=sup.headers)
    assert response.status_code == 200, response.text
    order = response.json()
    assert (order["state"], order["signed_off_by"]) == ("signed_off", "user-demo-supervisor")
    assert order["history"][-1]["action"] == "sign_off" and order["history"][-1]["note"] == "filed"
    assert sup.of_kind("work_order")[oid]["state"] == "signed_off"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("specialist", 403, "workflow.role_not_allowed"), ("supervisor", 409, "workflow.invalid_transition")],
)
def test_sign_off_is_refused_to_a_specialist_and_for_an_order_not_closed(phones, clock, client, who, status, code):
    d = phones["specialist"].send(leak(), local(clock))
    oid = f"wo-{d['id']}"
    before = phones["supervisor"].get(f"/api/v1/orders/{oid}")
    response = client.post(f"/api/v1/orders/{oid}/sign-off", json={}, headers=phones[who].headers)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert phones["supervisor"].get(f"/api/v1/orders/{oid}") == before


def test_desk_dispatch_goes_through_the_same_state_machine(phones, clock, client):
    d = phones["specialist"].send(leak(), local(clock))
    oid = f"wo-{d['id']}"
    body = {"action": "dispatch", "assignee_id": MAINTENANCE}
    response = client.post(f"/api/v1/orders/{oid}/actions", json=body, headers=phones["supervisor"].headers)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "dispatched"
    assert oid in phones["maintenance"].of_kind("work_order")


def test_another_propertys_order_is_not_found(phones, clock, client):
    d = phones["specialist"].send(leak(), local(clock))
    other = bearer(login(client, "other-supervisor"))
    response = client.get(f"/api/v1/orders/wo-{d['id']}", headers=other)
    assert (response.status_code, response.json()["code"]) == (404, "workorder.not_found")
    assert client.get("/api/v1/orders", headers=other).json()["orders"] == []


def test_the_log_lists_a_days_records_by_person_and_place(phones, clock):
    phones["specialist"].send(leak(), local(clock))
    phones["site-supervisor"].send(leak(place_id="demo-lobby"), local(clock))
    sup = phones["supervisor"]
    day = sup.get("/api/v1/log", day="2026-11-23")
    assert [(e["type"], e["place_id"]) for e in day["entries"]] == [
        ("defect_report", "demo-b1-u101"),
        ("defect_report", "demo-lobby"),
    ]
    assert [e["author_id"] for e in sup.get("/api/v1/log", person="user-demo-specialist")["entries"]] == [
        "user-demo-specialist"
    ]
    assert [e["place_id"] for e in sup.get("/api/v1/log", place="demo-lobby")["entries"]] == ["demo-lobby"]
    assert sup.get("/api/v1/log", day="2026-11-22")["entries"] == []
    # a specialist sees only their own records
    assert len(phones["specialist"].get("/api/v1/log")["entries"]) == 1
