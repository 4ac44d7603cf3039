"""Findings are computed by the server's tick, not by pushes or pulls; published only when they change;
an acknowledged finding follows its assignee through every later version."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from shared.model import Slot, WorkOrderAction
from sync_server import schedule
from sync_server.app import create_app
from sync_server.db import feed, open_db, transaction
from sync_server.db import findings as stored
from tests.work_order_records import Phone, action, decoration_check, leak

MORNING_MISSED = "decoration.check_missed:demo-permit1:2026-11-23:morning"


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor", "maintenance", "site-supervisor")}


def finding_entries(db, finding_id: str) -> dict[str, tuple[int, bool]]:
    """The feed rows of one finding: scope -> (seq, deleted)."""
    rows = db.execute("SELECT scope, seq, deleted FROM feed WHERE kind = 'finding' AND entity_id = ?", [finding_id])
    return {scope: (seq, bool(deleted)) for scope, seq, deleted in rows.fetchall()}


def test_a_pull_computes_no_findings_and_answers_while_another_writer_holds_the_lock(
    phones, clock, settings, server_db, tick
):
    site = phones["site-supervisor"]
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # 14:00: the morning slot of every permit was missed
    locker = open_db(settings.db_url)
    try:
        with transaction(locker):  # a long push holds the write lock (SQLite's only one; rows on PostgreSQL)
            locker.execute("UPDATE findings_due SET changes = changes + 1")
            locker.execute("UPDATE properties SET name = name")
            assert MORNING_MISSED not in site.of_kind("finding")  # answered: a pull reads and never waits to write
    finally:
        locker.close()
    assert stored.list_findings(server_db, property_id="demo", kind="decoration.check_missed") == []
    counts = tick()
    assert counts["demo"] == len(stored.list_findings(server_db, property_id="demo")) > 0
    assert MORNING_MISSED in site.of_kind("finding")


def test_one_tick_refreshes_a_stale_property_once_however_many_pulls_came(phones, clock, server_db, tick):
    site, sup = phones["site-supervisor"], phones["supervisor"]
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    assert tick().keys() == {"demo", "other"}  # 14:00: a slot ended for both properties since the first tick
    assert tick() == {}  # nothing new, no boundary passed: nothing is recomputed
    site.send(decoration_check("demo-permit1", Slot.MORNING), datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # late sync
    for _ in range(10):
        assert MORNING_MISSED in sup.of_kind("finding")  # pulls leave the findings to the tick
    assert tick().keys() == {"demo"}  # only the property a push made stale
    assert MORNING_MISSED not in sup.of_kind("finding")
    assert tick() == {}


def test_refreshes_with_nothing_new_publish_nothing_even_findings_older_than_the_window(
    phones, clock, server_db, settings
):
    d = phones["specialist"].send(leak(), clock.now())  # handling due in 24 h: overdue for ever after
    clock.advance(days=12)  # route and slot misses on 12 days, most of them before the 7-day window
    first = schedule.refresh_findings(server_db, property_id="demo", settings=settings)
    assert first is not None and first.published > 0
    all_found = stored.list_findings(server_db, property_id="demo")
    assert min(f["day"] for f in all_found) == "2026-11-23"  # older than the window: the days covered since
    overdue = f"order.overdue:wo-{d['id']}:handling"
    assert overdue in {f["id"] for f in all_found}
    before = feed.latest_seq(server_db)
    for _ in range(2):
        again = schedule.refresh_findings(server_db, property_id="demo", settings=settings)
        assert again is not None and again.published == 0 and again.findings > 0
        assert feed.latest_seq(server_db) == before
    # a changed finding is published once: the order is dispatched, the maintenance worker owns the deadline now
    entries = finding_entries(server_db, overdue)
    dispatch = action(f"wo-{d['id']}", WorkOrderAction.DISPATCH, assignee_id="user-demo-maintenance")
    phones["supervisor"].send(dispatch, clock.now())
    changed = schedule.refresh_findings(server_db, property_id="demo", settings=settings)
    assert changed is not None and changed.published > 0
    after = finding_entries(server_db, overdue)
    assert all(after[scope][0] > entries[scope][0] for scope in entries)
    assert phones["supervisor"].of_kind("finding")[overdue]["owner_id"] == "user-demo-maintenance"
    assert "user:user-demo-maintenance" in after
    settled = feed.latest_seq(server_db)
    again = schedule.refresh_findings(server_db, property_id="demo", settings=settings)
    assert again is not None and again.published == 0
    assert feed.latest_seq(server_db) == settled and finding_entries(server_db, overdue) == after


def test_the_assignee_of_an_acknowledged_finding_gets_its_later_versions(phones, clock, tick):
    spec, sup, other = phones["specialist"], phones["supervisor"], phones["site-supervisor"]
    d = spec.send(leak(), clock.now())
    clock.advance(hours=24, seconds=1)
    tick()
    overdue = f"order.overdue:wo-{d['id']}:handling"
    assert overdue not in spec.of_kind("finding")  # the supervisors' finding (an undispatched order)
    body = {"note": "find out why nobody dispatched it", "assignee_id": "user-demo-specialist"}
    acked = sup.http.post(f"/api/v1/findings/{overdue}/ack", json=body, headers=sup.headers)
    assert acked.status_code == 200, acked.text
    assert spec.of_kind("finding")[overdue]["ack_note"] == body["note"]
    clock.advance(hours=1)
    sup.send(action(f"wo-{d['id']}", WorkOrderAction.DISPATCH, assignee_id="user-demo-maintenance"), clock.now())
    phones["maintenance"].send(action(f"wo-{d['id']}", WorkOrderAction.COMPLETE), clock.now())
    tick()  # met late now: a new version of the finding, owned by the maintenance worker
    later = spec.of_kind("finding")[overdue]
    assert "met late" in later["message"] and later["owner_id"] == "user-demo-maintenance"
    assert (later["assigned_to"], later["ack_note"]) == ("user-demo-specialist", body["note"])
    assert phones["maintenance"].of_kind("finding")[overdue]["message"] == later["message"]
    # handed on to someone else: the first assignee's phone drops it, the new one gets it and what follows
    body = {"note": "yours now", "assignee_id": "user-demo-site-supervisor"}
    assert sup.http.post(f"/api/v1/findings/{overdue}/ack", json=body, headers=sup.headers).status_code == 200
    assert overdue not in spec.of_kind("finding")
    assert other.of_kind("finding")[overdue]["ack_note"] == "yours now"


def test_a_refresh_computed_while_another_worker_refreshed_writes_nothing(clock, settings, server_db, monkeypatch):
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    computed = schedule._compute

    def while_another_refreshes(db, window, **kw):
        found = computed(db, window, **kw)
        monkeypatch.setattr(schedule, "_compute", computed)
        other = open_db(settings.db_url)  # a second worker, between this one's snapshot and its write
        try:
            assert schedule.refresh_findings(other, property_id="demo", settings=settings) is not None
        finally:
            other.close()
        return found

    monkeypatch.setattr(schedule, "_compute", while_another_refreshes)
    published = feed.latest_seq(server_db)
    assert schedule.refresh_findings(server_db, property_id="demo", settings=settings) is None
    counts = server_db.execute(
        "SELECT entity_id, COUNT(*) FROM feed WHERE kind = 'finding' AND seq > ? GROUP BY 1", [published]
    ).fetchall()
    assert len(counts) == 3 and all(n == len(schedule.OVERSEERS) + 1 for _, n in counts)  # 3 mornings, once each
    again = schedule.refresh_findings(server_db, property_id="demo", settings=settings)
    assert again is not None and again.published == 0


def test_the_running_server_refreshes_soon_after_a_push_without_being_asked(settings, clock):
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    with TestClient(create_app(replace(settings, findings_tick_seconds=0.05))) as http:
        site = Phone(http, "demo-site-supervisor")
        deadline = time.monotonic() + 10
        while MORNING_MISSED not in site.of_kind("finding"):  # the first tick runs at start
            assert time.monotonic() < deadline, "the tick recorded no missed slot"
            time.sleep(0.05)
        site.send(decoration_check("demo-permit1", Slot.MORNING), datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
        while MORNING_MISSED in site.of_kind("finding"):
            assert time.monotonic() < deadline, "the push's late check never resolved the missed slot"
            time.sleep(0.05)
