"""Who may read the figures and acknowledge findings; the order list behind a Pareto bar; the log over a range."""

from __future__ import annotations

import pytest

from shared.model import DefectCategory, OwnerComplaint
from tests.conftest import bearer, login
from tests.work_order_records import Phone, leak

PERIOD = {"from": "2026-11-23", "to": "2026-11-23"}


def call(client, username: str | None, method: str, path: str, **kw):
    headers = bearer(login(client, username)) if username else {}
    return client.request(method, path, headers=headers, **kw)


@pytest.mark.parametrize(
    ("username", "params", "status", "code"),
    [
        (None, {}, 401, "auth.missing_token"),
        ("demo-specialist", {}, 403, "auth.forbidden"),
        ("demo-site-supervisor", {}, 403, "auth.forbidden"),
        ("demo-maintenance", {}, 403, "auth.forbidden"),
        ("demo-supervisor", {}, 200, None),
        ("demo-supervisor", {"property_id": "demo"}, 200, None),
        ("demo-supervisor", {"property_id": "other"}, 403, "admin.other_property"),
        ("demo-admin", {}, 422, "request.invalid"),
        ("demo-admin", {"property_id": "other"}, 200, None),
        ("demo-admin", {"property_id": "nowhere"}, 404, "property.not_found"),
        ("demo-supervisor", {"from": "2026-11-24"}, 422, "stats.bad_period"),
    ],
)
def test_who_reads_the_figures_of_which_property(client, username, params, status, code):
    response = call(client, username, "GET", "/api/v1/stats", params={**PERIOD, **params})
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code
    else:
        assert response.json()["period"] == {**PERIOD, "tz": "Asia/Shanghai"}


def test_each_property_counts_its_own_orders(client, clock):
    Phone(client, "demo-specialist").send(leak(), clock.now())
    sup = call(client, "demo-supervisor", "GET", "/api/v1/stats", params=PERIOD).json()
    admin_other = call(client, "demo-admin", "GET", "/api/v1/stats", params={**PERIOD, "property_id": "other"}).json()
    assert (sup["counts"]["defects"], admin_other["counts"]["defects"]) == (1, 0)


@pytest.fixture
def finding_ids(client, clock):
    """A day later nobody walked either property's routes: each has route-missed findings."""
    for prop in ("demo", "other"):  # the server starts watching the schedules today
        call(client, f"{prop}-supervisor", "GET", "/api/v1/findings")
    clock.advance(days=1)
    ids = {}
    for prop in ("demo", "other"):
        found = call(client, f"{prop}-supervisor", "GET", "/api/v1/findings").json()["findings"]
        ids[prop] = next(f["id"] for f in found if f["kind"] == "patrol.route_missed")
    return ids


@pytest.mark.parametrize(
    ("username", "which", "status", "code"),
    [
        (None, "demo", 401, "auth.missing_token"),
        ("demo-specialist", "demo", 403, "auth.forbidden"),
        ("demo-site-supervisor", "demo", 403, "auth.forbidden"),
        ("demo-maintenance", "demo", 403, "auth.forbidden"),
        ("demo-supervisor", "demo", 200, None),
        ("demo-supervisor", "other", 404, "finding.not_found"),
        ("demo-supervisor", "missing", 404, "finding.not_found"),
        ("demo-admin", "other", 200, None),
        ("demo-admin", "missing", 404, "finding.not_found"),
    ],
)
def test_who_acknowledges_which_finding(client, finding_ids, username, which, status, code):
    finding_id = finding_ids.get(which, "finding-nowhere")
    response = call(client, username, "POST", f"/api/v1/findings/{finding_id}/ack", json={"note": "seen"})
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code
    else:
        assert (response.json()["id"], response.json()["ack_note"]) == (finding_id, "seen")


def test_an_acknowledged_finding_reaches_the_phones_and_survives_the_next_refresh(client, clock, finding_ids):
    finding_id = finding_ids["demo"]
    spec = Phone(client, "demo-specialist")
    spec.pull()
    sup = Phone(client, "demo-supervisor")
    bad = sup.http.post(
        f"/api/v1/findings/{finding_id}/ack", json={"assignee_id": "user-other-specialist"}, headers=sup.headers
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "record.unknown_reference")
    body = {"note": "walk it this afternoon", "assignee_id": "user-demo-specialist"}
    acked = sup.http.post(f"/api/v1/findings/{finding_id}/ack", json=body, headers=sup.headers).json()
    assert (acked["acked_by"], acked["assigned_to"], acked["ack_note"]) == (
        "user-demo-supervisor",
        "user-demo-specialist",
        "walk it this afternoon",
    )
    assert acked["acked_at"] == "2026-11-24T09:30:00+08:00"
    assert spec.of_kind("finding")[finding_id]["ack_note"] == "walk it this afternoon"
    clock.advance(hours=1)
    listed = {f["id"]: f for f in sup.get("/api/v1/findings")["findings"]}  # recomputed: the ack stays
    assert listed[finding_id]["acked_by"] == "user-demo-supervisor"
    assert "acked_by" not in next(f for i, f in listed.items() if i != finding_id)


def test_a_tapped_pareto_bar_lists_its_orders_of_the_period(client, clock):
    spec = Phone(client, "demo-specialist")
    leaks = [spec.send(leak(), clock.now()), spec.send(leak("demo-b1-u102"), clock.now())]
    spec.send(leak("demo-b1-u201", category=DefectCategory.ELECTRICAL), clock.now())
    clock.advance(days=1)
    spec.send(leak("demo-b1-u202"), clock.now())  # the next day: outside the period
    spec.send(OwnerComplaint("demo-b1-u101", "Mrs Li", "Noise"), clock.now())
    sup = Phone(client, "demo-supervisor")
    top = sup.get("/api/v1/stats", **PERIOD)["pareto"][0]
    assert (top["category"], top["count"], top["key"]) == ("water_leakage", 2, True)
    listed = sup.get("/api/v1/orders", category=top["category"], **PERIOD)["orders"]
    assert sorted(o["id"] for o in listed) == sorted(f"wo-{r['id']}" for r in leaks)
    assert len(sup.get("/api/v1/orders", **{"from": "2026-11-24"})["orders"]) == 2
    assert len(sup.get("/api/v1/orders", to="2026-11-23")["orders"]) == 3


def test_the_log_covers_a_range_and_finds_words(client, clock):
    spec = Phone(client, "demo-specialist")
    spec.send(leak(), clock.now())
    clock.advance(days=1)
    spec.send(leak("demo-b1-u201", category=DefectCategory.ELECTRICAL), clock.now())
    spec.send(OwnerComplaint("demo-b1-u101", "Mrs Li", "电梯太慢"), clock.now())
    sup = Phone(client, "demo-supervisor")
    both = sup.get("/api/v1/log", **{"from": "2026-11-23", "to": "2026-11-24"})["entries"]
    assert [e["day"] for e in both] == ["2026-11-23", "2026-11-24", "2026-11-24"]
    assert len(sup.get("/api/v1/log", day="2026-11-23")["entries"]) == 1  # day= keeps working
    assert len(sup.get("/api/v1/log")["entries"]) == 2  # today
    found = sup.get("/api/v1/log", q="电梯", **{"from": "2026-11-23", "to": "2026-11-24"})["entries"]
    assert [e["type"] for e in found] == ["owner_complaint"]
    assert len(sup.get("/api/v1/log", q="CEILING", **{"from": "2026-11-23", "to": "2026-11-24"})["entries"]) == 2
    wiring = sup.get("/api/v1/log", category="electrical", **{"from": "2026-11-23", "to": "2026-11-24"})["entries"]
    assert [e["body"]["place_id"] for e in wiring] == ["demo-b1-u201"]
    typed = sup.get("/api/v1/log", type="defect_report", **{"from": "2026-11-23", "to": "2026-11-24"})["entries"]
    assert len(typed) == 2
