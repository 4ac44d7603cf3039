"""Today per role: routes with progress, permits by slot, return visits soonest first, orders, findings."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from mobile.state.orders import OrdersBoard
from mobile.state.today import build_today
from shared.model import Slot
from tests.mobile.state_fixtures import T0, Saved, demo_ref

TZ = ZoneInfo("Asia/Shanghai")
RECORDS = [
    {"type": "checkpoint_visit", "recorded_at": T0.isoformat(), "body": {"checkpoint_id": "cp1"}},
    {"type": "checkpoint_visit", "recorded_at": (T0 - timedelta(days=1)).isoformat(), "body": {"checkpoint_id": "cp2"}},
    {"type": "decoration_check", "recorded_at": T0.isoformat(), "body": {"permit_id": "pm1", "slot": "morning"}},
]


def today(user: dict[str, str]):
    ref = demo_ref()
    board = OrdersBoard(ref=ref, save=Saved(), now=lambda: T0, user=user)
    return build_today(ref=ref, records=RECORDS, user=user, now=T0, tz=TZ, board=board)


def test_specialist_sees_route_progress_visits_soonest_first_and_own_orders() -> None:
    t = today({"id": "u-spec", "role": "specialist"})
    assert [(r.route["id"], r.done, r.total) for r in t.routes] == [("r-lobby", 1, 2)]
    assert [(v.item["id"], v.overdue) for v in t.visits] == [("rv1", True), ("rv2", False)]
    assert [o["id"] for o in t.my_orders] == ["wo1"]
    assert t.permits == [] and t.completion_percent is None


def test_site_supervisor_sees_permits_with_the_morning_done() -> None:
    t = today({"id": "u-site", "role": "site_supervisor"})
    assert [(p.permit["id"], p.done, p.current) for p in t.permits] == [("pm1", {Slot.MORNING}, Slot.MORNING)]
    assert t.routes == [] and t.visits == []


def test_supervisor_sees_overdue_orders_findings_and_completion() -> None:
    t = today({"id": "u-sup", "role": "supervisor"})
    assert [o["id"] for o in t.overdue_orders] == ["wo2"]
    assert [f["id"] for f in t.findings] == ["f1"]
    assert t.completion_percent == 40  # 1 of 3 checkpoints + 1 of 2 permit checks


def test_maintenance_sees_orders_assigned_to_them() -> None:
    t = today({"id": "u-maint", "role": "maintenance"})
    assert [o["id"] for o in t.assigned] == ["wo2"]


def test_a_route_shows_on_today_only_on_the_weekdays_it_is_walked() -> None:
    ref = demo_ref()
    for route in ref.data["route"]:
        route["weekdays"] = ["tue", "thu"] if route["id"] == "r-garage" else ["mon", "tue"]
    user = {"id": "u-sup", "role": "supervisor"}
    board = OrdersBoard(ref=ref, save=Saved(), now=lambda: T0, user=user)
    monday = build_today(ref=ref, records=RECORDS, user=user, now=T0, tz=TZ, board=board)
    assert [r.route["id"] for r in monday.routes] == ["r-lobby"]  # T0 is a Monday in Shanghai
    tuesday = build_today(ref=ref, records=[], user=user, now=T0 + timedelta(days=1), tz=TZ, board=board)
    assert sorted(r.route["id"] for r in tuesday.routes) == ["r-garage", "r-lobby"]
