"""Facility defects and return visits (DOMAIN.md, records 3 and 4; work orders and deadlines), from the app."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from shared.model import DefectCategory, RecordType, Satisfaction, WorkOrderAction
from tests.photo_samples import small_jpeg
from tests.scenarios.harness import MAINTENANCE, SPECIALIST, TZ, deadlines, local

A = WorkOrderAction
UNIT = "demo-b1-u201"  # Building 1, floor 2: on the specialist's morning route
MAINTENANCE_ID, SPECIALIST_ID = "user-demo-maintenance", "user-demo-specialist"


def dispatched_repair(field, category: DefectCategory, description: str = "Water dripping from the ceiling") -> str:
    """The specialist reports a defect in the app; the supervisor dispatches it to maintenance on their phone."""
    specialist = field.phone(SPECIALIST)
    order_id = specialist.report_defect(UNIT, category, description)
    specialist.sync()
    field.clock.advance(minutes=20)
    supervisor = field.supervisor
    supervisor.sync()
    maintainers = [u["id"] for u in supervisor.orders().assignees()]
    assert MAINTENANCE_ID in maintainers
    supervisor.act(order_id, A.DISPATCH, assignee_id=MAINTENANCE_ID)
    supervisor.sync()
    return order_id


def completed_repair(field, category: DefectCategory) -> tuple[str, datetime]:
    """... then maintenance starts and completes it on their phone; returns the order and when it was completed."""
    order_id = dispatched_repair(field, category)
    maintenance = field.phone(MAINTENANCE)
    maintenance.sync()
    field.clock.advance(minutes=40)
    maintenance.act(order_id, A.START)
    field.at(local(23, 16, 45))
    maintenance.act(order_id, A.COMPLETE, note="Pipe joint replaced")
    completed_at = field.clock.now()
    maintenance.sync()
    return order_id, completed_at


def visit_due_on_specialists_phone(field, order_id: str) -> dict:
    specialist = field.phone(SPECIALIST)
    specialist.sync()
    due = specialist.ctx.ref.item("return_visit_due", order_id)
    assert due is not None, "the specialist's phone does not list the return visit"
    return due


def test_leak_repair_return_visit_due_in_3_days(field):
    order_id, completed_at = completed_repair(field, DefectCategory.WATER_LEAKAGE)
    field.clock.advance(hours=1)

    due = visit_due_on_specialists_phone(field, order_id)
    assert datetime.fromisoformat(due["due_at"]) == completed_at + timedelta(days=3)
    assert due["due_at"] == "2026-11-26T16:45:00+08:00"  # on the property's clock
    assert due["assignee_id"] == SPECIALIST_ID
    specialist = field.phone(SPECIALIST)
    today = specialist.today()
    assert [(v.item["id"], v.overdue) for v in today.visits] == [(order_id, False)]
    order = field.order(order_id)
    assert order["state"] == "done"
    assert deadlines(order)["return_visit"]["met_at"] is None
    assert field.findings("order.overdue", work_order_id=order_id) == []  # handled within the day


def test_safety_repair_return_visit_due_in_2_days(field):
    order_id, completed_at = completed_repair(field, DefectCategory.SAFETY_FACILITIES)
    due = visit_due_on_specialists_phone(field, order_id)
    assert datetime.fromisoformat(due["due_at"]) == completed_at + timedelta(days=2)


def test_fire_facility_repair_return_visit_due_in_2_days(field):
    order_id, completed_at = completed_repair(field, DefectCategory.FIRE_FACILITIES)
    due = visit_due_on_specialists_phone(field, order_id)
    assert datetime.fromisoformat(due["due_at"]) == completed_at + timedelta(days=2)


def test_other_repair_return_visit_due_in_7_days(field):
    order_id, completed_at = completed_repair(field, DefectCategory.ELECTRICAL)
    due = visit_due_on_specialists_phone(field, order_id)
    assert datetime.fromisoformat(due["due_at"]) == completed_at + timedelta(days=7)


def test_return_visit_made_late_is_a_finding(field):
    order_id, _ = completed_repair(field, DefectCategory.WATER_LEAKAGE)
    field.at(local(26, 16, 44))
    assert field.findings("return_visit.late", work_order_id=order_id) == []
    field.at(local(27, 9, 0))  # a day late
    specialist = field.phone(SPECIALIST)
    specialist.sync()
    specialist.visit(order_id, fixed=True, satisfaction=Satisfaction.SATISFIED, comment="Dry now")
    specialist.sync()

    late = field.findings("return_visit.late", work_order_id=order_id)
    assert [(f["owner_id"], f["met_at"]) for f in late] == [(SPECIALIST_ID, "2026-11-27T09:00:00+08:00")]
    assert field.order(order_id)["state"] == "closed"


def test_repair_handled_within_24_hours(field):
    specialist = field.phone(SPECIALIST)
    order_id = specialist.report_defect(UNIT, DefectCategory.ELECTRICAL, "The corridor light flickers")
    reported_at = field.clock.now()
    specialist.sync()

    field.at(reported_at + timedelta(hours=23, minutes=59))
    assert field.findings("order.overdue", work_order_id=order_id) == []
    assert field.supervisor.orders().overdue() == []

    field.at(reported_at + timedelta(hours=24, minutes=1))  # nobody dispatched it
    overdue = field.findings("order.overdue", work_order_id=order_id)
    assert [(f["deadline"], f["owner_role"], f["due_at"]) for f in overdue] == [
        ("handling", "supervisor", (reported_at + timedelta(hours=24)).astimezone(TZ).isoformat())
    ]
    assert [o["id"] for o in field.supervisor.orders().overdue()] == [order_id]


def test_failed_return_visit_notifies_maintenance_within_24_hours(field):
    order_id, _ = completed_repair(field, DefectCategory.WATER_LEAKAGE)
    field.at(local(24, 10, 0))
    specialist = field.phone(SPECIALIST)
    specialist.sync()
    visit_id = specialist.visit(order_id, fixed=False, satisfaction=Satisfaction.DISSATISFIED, comment="Still damp")
    specialist.sync()

    orders = field.orders()
    rework = orders[f"wo-{visit_id}"]
    assert (rework["kind"], rework["parent_id"], rework["state"]) == ("rework", order_id, "reported")
    notice = deadlines(rework)["notice"]
    assert (notice["due_at"], notice["met_at"]) == ("2026-11-25T10:00:00+08:00", None)
    assert orders[order_id]["state"] == "rework"
    assert specialist.ctx.ref.item("return_visit_due", order_id) is None

    field.at(local(25, 10, 1))  # nobody told maintenance in writing within 24 hours
    late = field.findings("order.overdue", work_order_id=rework["id"], deadline="notice")
    assert [(f["owner_role"], f["due_at"]) for f in late] == [("supervisor", "2026-11-25T10:00:00+08:00")]


def test_rework_dispatched_in_time_meets_the_notice(field):
    order_id, _ = completed_repair(field, DefectCategory.WATER_LEAKAGE)
    field.at(local(24, 10, 0))
    specialist = field.phone(SPECIALIST)
    specialist.sync()
    visit_id = specialist.visit(order_id, fixed=False, satisfaction=Satisfaction.NEUTRAL, comment="Still damp")
    specialist.sync()
    field.at(local(24, 15, 0))
    supervisor = field.supervisor
    supervisor.sync()
    supervisor.act(f"wo-{visit_id}", A.DISPATCH, assignee_id=MAINTENANCE_ID)
    supervisor.sync()

    field.at(local(25, 12, 0))
    rework = field.order(f"wo-{visit_id}")
    assert deadlines(rework)["notice"]["met_at"] == "2026-11-24T15:00:00+08:00"
    assert field.findings("order.overdue", work_order_id=rework["id"], deadline="notice") == []


def test_return_visit_by_the_assignee_is_rejected(field):
    order_id, _ = completed_repair(field, DefectCategory.WATER_LEAKAGE)
    field.clock.advance(hours=1)
    maintenance = field.phone(MAINTENANCE)
    maintenance.sync()
    visit_id = maintenance.visit(order_id, fixed=True, satisfaction=Satisfaction.VERY_SATISFIED, comment="All good")
    report = maintenance.sync()

    assert report.rejected == 1
    assert maintenance.record(visit_id)["sync_status"] == "rejected"
    order = field.order(order_id)
    assert order["state"] == "done"
    assert deadlines(order)["return_visit"]["met_at"] is None
    assert visit_due_on_specialists_phone(field, order_id)["assignee_id"] == SPECIALIST_ID


def test_close_without_visit_leaves_return_visit_missed(field):
    order_id, _ = completed_repair(field, DefectCategory.WATER_LEAKAGE)
    field.at(local(24, 9, 0))
    supervisor = field.supervisor
    supervisor.sync()
    supervisor.act(order_id, A.CLOSE, note="Owner moved out, no visit possible")
    supervisor.sync()

    order = field.order(order_id)
    assert order["state"] == "closed"
    visit = deadlines(order)["return_visit"]
    assert visit["met_at"] is None
    assert visit["missed_at"] is not None
    field.at(local(27, 9, 0))  # past the visit's due time
    late = field.findings("return_visit.late", work_order_id=order_id)
    assert [(f["owner_id"], f["met_at"]) for f in late] == [(SPECIALIST_ID, None)]


def test_correction_keeps_the_order(field):
    order_id = dispatched_repair(field, DefectCategory.WATER_LEAKAGE, "Leek under the sink")
    number = field.order(order_id)["number"]
    maintenance = field.phone(MAINTENANCE)
    maintenance.sync()
    assert maintenance.order(order_id)["state"] == "dispatched"

    # the specialist corrects the typo: the defect form again, saved as a correction of the report
    field.clock.advance(minutes=30)
    specialist = field.phone(SPECIALIST)
    original = order_id.removeprefix("wo-")
    form = specialist.defect(place_id=UNIT, description="Leak under the sink")
    form.save = partial(specialist.ctx.save, supersedes=original)
    form.category = DefectCategory.WATER_LEAKAGE
    assert form.submit() == []
    specialist.sync()

    orders = [o for o in field.orders().values() if o["number"] == number]
    assert len(orders) == 1
    order = orders[0]
    assert (order["state"], order["assignee_id"], order["description"]) == (
        "dispatched",
        MAINTENANCE_ID,
        "Leak under the sink",
    )
    assert len(field.orders()) == 1

    # maintenance, not synced since, completes the order it knows
    field.clock.advance(hours=2)
    maintenance.act(order_id, A.COMPLETE, note="Sink trap resealed")
    report = maintenance.sync()
    assert report.rejected == 0 and report.conflict == 0
    order = next(o for o in field.orders().values() if o["number"] == number)
    assert order["state"] == "done"
    assert maintenance.order(order["id"])["state"] == "done"


def test_supervisor_sees_the_defect_with_its_photos_and_reporter(field):
    specialist = field.phone(SPECIALIST)
    form = specialist.defect(place_id=UNIT)
    form.category, form.description = DefectCategory.CIVIL, "Crack in the corridor wall"
    form.add_photo(specialist.ctx.ingest_photo(small_jpeg()))
    assert form.submit() == []
    report = specialist.sync()
    assert report.photos.sent == 1

    order = field.order(f"wo-{form.saved_id}")
    assert (order["kind"], order["place_id"], order["category"], order["reporter_ids"]) == (
        "repair",
        UNIT,
        "civil",
        [SPECIALIST_ID],
    )
    assert order["photos"] == form.photos
    assert [r["id"] for r in field.supervisor.records(RecordType.DEFECT_REPORT.value)] == [form.saved_id]
