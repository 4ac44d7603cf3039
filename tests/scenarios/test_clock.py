"""Time is the server's (issue 11): a phone whose clock is off neither shows what is overdue wrongly nor starts
deadlines early or late. The specialist's phone runs 3 days fast, the supervisor's 2 hours slow; maintenance's
is right. Every deadline and every order history must come out as if all three clocks were right."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.model import DefectCategory, WorkOrderAction
from tests.scenarios.harness import MAINTENANCE, SPECIALIST, SUPERVISOR, TZ, deadlines, local

A = WorkOrderAction
UNIT = "demo-b1-u201"
MAINTENANCE_ID = "user-demo-maintenance"
FAST, SLOW = timedelta(days=3), -timedelta(hours=2)


def phones(field):
    supervisor = field.phone(SUPERVISOR, clock_off=SLOW)
    specialist = field.phone(SPECIALIST, clock_off=FAST)
    maintenance = field.phone(MAINTENANCE)
    return specialist, supervisor, maintenance


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_phones_with_wrong_clocks_show_today_and_overdue_by_the_servers_time(field):
    specialist, supervisor, _ = phones(field)
    assert specialist.ctx.clock() - field.now() == FAST  # the phone's own clock says Thursday
    assert specialist.ctx.now() == field.now() and supervisor.ctx.now() == field.now()

    specialist.walk("demo-r1", stop_before=4)  # three checkpoints this Monday morning
    progress = {r.route["id"]: r.done for r in specialist.today().routes}
    assert progress["demo-r1"] == 3  # its own visits count for today, not for Thursday
    reported_at = field.now()
    order_id = specialist.report_defect(UNIT, DefectCategory.ELECTRICAL, "The corridor light flickers")
    specialist.sync()
    assert [o["id"] for o in specialist.today().my_orders] == [order_id]
    assert specialist.orders().overdue() == []  # due tomorrow morning, not three days ago

    field.at(reported_at + timedelta(hours=23, minutes=59))
    specialist.sync()
    supervisor.sync()
    assert specialist.orders().overdue() == [] and supervisor.today().overdue_orders == []
    field.at(reported_at + timedelta(hours=24, minutes=1))  # the slow phone's own clock still says 07:31
    supervisor.sync()
    assert [o["id"] for o in supervisor.today().overdue_orders] == [order_id]
    assert [o["id"] for o in specialist.orders().overdue()] == [order_id]  # without a sync: its clock counts on


def test_deadlines_and_histories_come_out_as_with_right_clocks(field):
    specialist, supervisor, maintenance = phones(field)
    reported_at = field.now()
    order_id = specialist.report_defect(UNIT, DefectCategory.WATER_LEAKAGE, "Water dripping from the ceiling")
    specialist.sync()
    field.clock.advance(minutes=20)
    dispatched_at = field.now()
    supervisor.sync()
    supervisor.act(order_id, A.DISPATCH, assignee_id=MAINTENANCE_ID)
    supervisor.sync()
    maintenance.sync()
    field.clock.advance(minutes=40)
    maintenance.act(order_id, A.START)
    field.at(local(23, 16, 45))
    completed_at = field.now()
    maintenance.act(order_id, A.COMPLETE, note="Pipe joint replaced")
    maintenance.sync()

    order = field.order(order_id)
    handling = deadlines(order)["handling"]
    assert at(handling["due_at"]) == reported_at + timedelta(hours=24)  # not 3 days late
    assert at(handling["met_at"]) == completed_at
    history = [(entry.get("action"), at(entry["at"])) for entry in order["history"]]
    times = [when for _, when in history]
    assert times == sorted(times), f"the order's history runs backwards: {history}"
    assert reported_at in times and dispatched_at in times and completed_at in times

    # The return visit (water: 3 days after completion) on the phone that is 3 days fast.
    field.at(local(24, 10, 0))
    specialist.sync()
    due = specialist.ctx.ref.item("return_visit_due", order_id)
    assert due is not None and at(due["due_at"]) == completed_at + timedelta(days=3)
    assert [(v.item["id"], v.overdue) for v in specialist.today().visits] == [(order_id, False)]
    field.at(local(26, 16, 50))
    specialist.sync()
    assert [(v.item["id"], v.overdue) for v in specialist.today().visits] == [(order_id, True)]
    assert local(26, 16, 50).astimezone(TZ).date() == specialist.today().day
