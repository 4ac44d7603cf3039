"""A leak from the specialist's offline phone to a closed, signed-off order, over a real server with a moved clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from mobile.recorder import save_record
from mobile.sync import SyncClient
from shared.model import RecordType, ReturnVisit, Satisfaction, WorkOrderAction
from sync_server.clock import ENV, set_file_clock
from tests.e2e.conftest import no_sleep
from tests.work_order_records import Phone, action, leak

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Asia/Shanghai")
SPECIALIST, MAINTENANCE = "user-demo-specialist", "user-demo-maintenance"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def test_leak_to_rework_to_closed_with_every_step_in_the_history(live_server, make_phone, tmp_path, monkeypatch):
    clock_file = tmp_path / "clock.txt"
    monkeypatch.setenv(ENV, str(clock_file))

    wall = [at(23, 9, 30)]  # the phone's clock, right like the server's

    def move(to: datetime) -> None:
        set_file_clock(clock_file, to)
        wall[0] = to

    move(at(23, 9, 30))
    server = live_server(now=lambda: at(23, 9, 30))
    store = make_phone(server, "demo-specialist")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        sync = SyncClient(http, store, sleep=no_sleep, wall_clock=lambda: wall[0])
        supervisor, maintenance = Phone(http, "demo-supervisor"), Phone(http, "demo-maintenance")

        def synced() -> None:
            report = sync.run()
            assert report.ok, report.message

        # 09:10 in the garage, no signal: the leak is recorded offline, then synced at 09:30
        defect = save_record(store, type=RecordType.DEFECT_REPORT, body=leak(), clock=lambda: at(23, 9, 10))
        synced()
        oid = f"wo-{defect['id']}"
        mine = store.get_reference("work_order", oid)
        assert mine is not None and mine["number"].startswith("WO-2026-") and mine["state"] == "reported"

        move(at(23, 9, 40))
        assert supervisor.of_kind("work_order")[oid]["state"] == "reported"
        supervisor.send(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), at(23, 9, 40))
        move(at(23, 10, 0))
        maintenance.send(action(oid, WorkOrderAction.START), at(23, 10, 0))
        move(at(23, 23, 59) + timedelta(seconds=30))
        maintenance.send(action(oid, WorkOrderAction.COMPLETE), at(23, 23, 59))

        # the return visit reaches the specialist's phone, due three days later at 23:59 property time
        move(at(24, 8, 0))
        synced()
        due = store.get_reference("return_visit_due", oid)
        assert due is not None
        assert (due["due_at"], due["assignee_id"]) == ("2026-11-26T23:59:00+08:00", SPECIALIST)

        # the owner is not satisfied: a rework order with a 24-hour written-notice deadline
        move(at(24, 10, 0))
        unhappy = ReturnVisit(oid, True, Satisfaction.DISSATISFIED, "Still damp", no_signature_reason="owner refused")
        failed = save_record(store, type=RecordType.RETURN_VISIT, body=unhappy, clock=lambda: at(24, 10, 0))
        synced()
        assert store.get_reference("return_visit_due", oid) is None
        rid = f"wo-{failed['id']}"
        rework = supervisor.of_kind("work_order")[rid]
        assert (rework["kind"], rework["parent_id"], rework["state"]) == ("rework", oid, "reported")
        assert {d["name"]: d["due_at"] for d in rework["deadlines"]} == {"notice": "2026-11-25T10:00:00+08:00"}
        assert supervisor.of_kind("work_order")[oid]["state"] == "rework"

        move(at(24, 11, 0))
        supervisor.send(action(rid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), at(24, 11, 0))
        move(at(24, 15, 0))
        maintenance.send(action(rid, WorkOrderAction.COMPLETE), at(24, 15, 0))

        # the second visit: fixed and satisfied closes the rework and the original order
        move(at(25, 9, 0))
        synced()
        second_due = store.get_reference("return_visit_due", rid)
        assert second_due is not None and second_due["due_at"] == "2026-11-27T15:00:00+08:00"
        happy = ReturnVisit(rid, True, Satisfaction.SATISFIED, "Dry now", no_signature_reason="owner at work")
        save_record(store, type=RecordType.RETURN_VISIT, body=happy, clock=lambda: at(25, 9, 0))
        synced()
        assert store.get_reference("return_visit_due", rid) is None
        assert store.get_reference("work_order", oid)["state"] == "closed"

        original = supervisor.get(f"/api/v1/orders/{oid}")
        assert [(e["action"], e["actor_id"], e["at"]) for e in original["history"]] == [
            ("reported", SPECIALIST, "2026-11-23T09:10:00+08:00"),
            ("dispatch", "user-demo-supervisor", "2026-11-23T09:40:00+08:00"),
            ("start", MAINTENANCE, "2026-11-23T10:00:00+08:00"),
            ("complete", MAINTENANCE, "2026-11-23T23:59:00+08:00"),
            ("return_visit_failed", SPECIALIST, "2026-11-24T10:00:00+08:00"),
            ("rework_opened", SPECIALIST, "2026-11-24T10:00:00+08:00"),
            ("closed_by_rework", SPECIALIST, "2026-11-25T09:00:00+08:00"),
        ]
        assert original["history"][0]["record_id"] == defect["id"]
        second = supervisor.get(f"/api/v1/orders/{rid}")
        assert [e["action"] for e in second["history"]] == ["reported", "dispatch", "complete", "return_visit_ok"]
        assert all(d["met_at"] is not None for d in original["deadlines"] + second["deadlines"])
        assert supervisor.get("/api/v1/findings", kind="order.overdue")["findings"] == []

        # the supervisor signs the closed order off
        response = http.post(f"/api/v1/orders/{oid}/sign-off", json={"note": "filed"}, headers=supervisor.headers)
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "signed_off"
