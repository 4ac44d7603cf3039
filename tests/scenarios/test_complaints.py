"""Owners' complaints logged on site (DOMAIN.md, work orders and deadlines): 24 h to handle, 72 h to reply.

The complaint form (``mobile.state.complaint.ComplaintForm``) is built in parallel; ``phone.complaint()``
imports it inside the test, so this module loads without it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.model import Severity, WorkOrderAction
from tests.scenarios.harness import SPECIALIST, deadlines, local

A = WorkOrderAction
UNIT = "demo-b2-u301"
SPECIALIST_ID, MAINTENANCE_ID = "user-demo-specialist", "user-demo-maintenance"
FORM = "needs: ComplaintForm in mobile/state/complaint.py"


def log_complaint(field, description: str = "Noise from the renovation above after 22:00") -> dict:
    """The specialist logs an owner's complaint on the complaint screen and syncs; returns the supervisor's order."""
    specialist = field.phone(SPECIALIST)
    form = specialist.complaint()
    form.places.set_place(UNIT)
    form.owner_name = "Ms. Huang"
    form.contact = "138 0000 0000"
    form.description = description
    form.severity = Severity.HIGH
    assert form.submit() == []
    specialist.sync()
    found = [o for o in field.orders().values() if o["kind"] == "complaint" and o["description"] == description]
    assert len(found) == 1, found
    return found[0]


def test_complaint_logged_in_the_app_has_24h_and_72h_deadlines(field):
    logged_at = local(23, 9, 30)
    order = log_complaint(field)
    assert (order["state"], order["place_id"], order["owner_name"], order["reporter_ids"]) == (
        "reported",
        UNIT,
        "Ms. Huang",
        [SPECIALIST_ID],
    )
    due = {name: datetime.fromisoformat(d["due_at"]) for name, d in deadlines(order).items()}
    assert due["handling"] == logged_at + timedelta(hours=24)
    assert due["reply"] == logged_at + timedelta(hours=72)
    assert deadlines(order)["reply"]["due_at"] == "2026-11-26T09:30:00+08:00"

    field.at(local(24, 9, 31))  # a day without anyone taking it on
    assert [f["deadline"] for f in field.findings("order.overdue", work_order_id=order["id"])] == ["handling"]


def test_reply_to_owner_meets_the_reply_deadline_and_closes_it(field):
    order = log_complaint(field)
    field.at(local(23, 11, 0))
    specialist = field.phone(SPECIALIST)
    specialist.sync()
    assert A.REPLY in specialist.orders().actions(specialist.order(order["id"]))
    specialist.act(order["id"], A.REPLY, note="Told Ms. Huang the contractor stops at 20:00 from today")
    specialist.sync()

    order = field.order(order["id"])
    assert order["state"] == "closed"
    assert deadlines(order)["reply"]["met_at"] == "2026-11-23T11:00:00+08:00"
    assert deadlines(order)["handling"]["met_at"] == "2026-11-23T11:00:00+08:00"  # the owner was given feedback
    assert order["history"][-1]["note"] == "Told Ms. Huang the contractor stops at 20:00 from today"
    field.at(local(27, 9, 0))
    assert field.findings("order.overdue", work_order_id=order["id"]) == []


def test_overdue_reply_belongs_to_who_logged_it(field):
    order = log_complaint(field)
    field.at(local(23, 10, 0))
    supervisor = field.supervisor
    supervisor.sync()
    supervisor.act(order["id"], A.DISPATCH, assignee_id=MAINTENANCE_ID)  # handled in time...
    supervisor.sync()

    field.at(local(26, 9, 31))  # ...but nobody answered the owner within 72 hours
    late = field.findings("order.overdue", work_order_id=order["id"])
    assert [(f["deadline"], f["owner_id"]) for f in late] == [("reply", SPECIALIST_ID)]
    specialist = field.phone(SPECIALIST)
    specialist.sync()
    assert late[0]["id"] in {f["id"] for f in specialist.items("finding")}  # it reaches their phone
