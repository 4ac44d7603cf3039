"""Renovation (decoration) site checks (DOMAIN.md, record 2): twice a day, violations, rectification notices."""

from __future__ import annotations

from datetime import datetime

from mobile.state.ports import Problem
from shared.model import ChecklistItem, Slot
from tests.scenarios.harness import SITE_SUPERVISOR, SUPERVISOR, deadlines, local

PERMITS = ("demo-permit1", "demo-permit2", "demo-permit3")
SITE_SUPERVISOR_ID = "user-demo-site-supervisor"


def check(phone, permit_id: str, *, violations: dict[ChecklistItem, str] | None = None, workers=3, passes=3) -> str:
    """A site check on the renovation screen: counts, the violations described, Save. Returns the record id."""
    form = phone.site_check(permit_id)
    form.set_counts(workers, passes)
    for item, text in (violations or {}).items():
        form.set_violation(item, True)
        form.describe(item, text)
    assert form.submit() == []
    assert form.saved_id is not None
    return form.saved_id


def rectification_of(field, permit_id: str) -> list[dict]:
    return [o for o in field.orders().values() if o["kind"] == "rectification" and o["permit_id"] == permit_id]


def test_renovation_checked_twice_a_day(field):
    site = field.phone(SITE_SUPERVISOR)
    field.at(local(23, 9, 45))
    for permit in PERMITS:
        check(site, permit)
        field.clock.advance(minutes=20)
    field.at(local(23, 14, 0))
    for permit in PERMITS[:2]:  # the afternoon round misses the third site
        check(site, permit)
        field.clock.advance(minutes=20)
    site.sync()

    today = site.today()
    assert {p.permit["id"]: p.done for p in today.permits} == {
        "demo-permit1": {Slot.MORNING, Slot.AFTERNOON},
        "demo-permit2": {Slot.MORNING, Slot.AFTERNOON},
        "demo-permit3": {Slot.MORNING},
    }
    field.at(local(23, 23, 50))
    assert field.findings("decoration.check_missed") == []  # the afternoon lasts until midnight

    field.at(local(24, 0, 10))
    missed = field.findings("decoration.check_missed")
    assert [(f["permit_id"], f["day"], f["slot"], f["owner_role"]) for f in missed] == [
        ("demo-permit3", "2026-11-23", "afternoon", "site_supervisor")
    ]


def test_violation_opens_rectification_notice_with_deadline(field):
    site = field.phone(SITE_SUPERVISOR)
    field.at(local(23, 10, 0))
    form = site.site_check("demo-permit1")
    form.set_counts(4, 4)
    form.set_violation(ChecklistItem.NO_DISORDERLY_STACKING, True)
    assert form.submit() == [Problem("renovation.violation_missing")]  # a violation must be described
    form.describe(ChecklistItem.NO_DISORDERLY_STACKING, "Tiles stacked in the corridor")
    shown = form.rectification_deadline()  # what the app tells the site supervisor before saving
    assert shown is not None
    assert form.submit() == []
    site.sync()

    [order] = rectification_of(field, "demo-permit1")
    assert (order["state"], order["place_id"], order["reporter_ids"]) == (
        "reported",
        "demo-b1-u302",
        [SITE_SUPERVISOR_ID],
    )
    assert order["violations"] == [{"item": "no_disorderly_stacking", "description": "Tiles stacked in the corridor"}]
    rectify = deadlines(order)["rectification"]
    assert datetime.fromisoformat(rectify["due_at"]) == shown
    assert rectify["due_at"] == "2026-11-24T10:00:00+08:00"
    site.sync()
    assert site.order(order["id"]) is not None  # the notice is on the site supervisor's phone too

    field.at(local(24, 10, 1))  # nobody checked it was put right
    late = field.findings("order.overdue", work_order_id=order["id"], deadline="rectification")
    assert [f["owner_id"] for f in late] == [SITE_SUPERVISOR_ID]


def test_workers_beyond_registered_passes_are_a_violation(field):
    site = field.phone(SITE_SUPERVISOR)
    permit = site.ctx.ref.item("permit", "demo-permit1")
    registered = int(permit["passes_registered"])
    form = site.site_check("demo-permit1")
    form.set_counts(registered + 2, registered)  # two workers on site without a temporary pass
    assert ChecklistItem.WORKERS_HAVE_PASSES in form.violations  # marked by the form itself
    assert form.submit() == [Problem("renovation.violation_missing")]
    form.describe(ChecklistItem.WORKERS_HAVE_PASSES, "Two plasterers without passes")
    assert form.submit() == []
    site.sync()

    [order] = rectification_of(field, "demo-permit1")
    assert order["violations"] == [{"item": "workers_have_passes", "description": "Two plasterers without passes"}]
    [record] = [r for r in field.supervisor.records("decoration_check") if r["id"] == form.saved_id]
    assert (record["body"]["workers_seen"], record["body"]["passes_seen"]) == (registered + 2, registered)


def test_clean_follow_up_check_closes_the_rectification(field):
    site = field.phone(SITE_SUPERVISOR)
    field.at(local(23, 10, 0))
    check(site, "demo-permit2", violations={ChecklistItem.NO_ILLEGAL_CONNECTIONS: "Cable run from the stairwell"})
    site.sync()
    field.at(local(24, 9, 30))
    check(site, "demo-permit2")
    site.sync()

    [order] = rectification_of(field, "demo-permit2")
    assert order["state"] == "closed"
    assert deadlines(order)["rectification"]["met_at"] == "2026-11-24T09:30:00+08:00"
    assert [e["action"] for e in order["history"]] == ["reported", "rectified"]


def test_only_site_supervisors_clean_follow_up_closes_rectification(field):
    site = field.phone(SITE_SUPERVISOR)
    field.at(local(23, 10, 0))
    check(site, "demo-permit2", violations={ChecklistItem.NO_ILLEGAL_CONNECTIONS: "Cable run from the stairwell"})
    site.sync()

    field.at(local(23, 15, 0))  # the service-center manager's spot check finds nothing wrong
    manager = field.phone(SUPERVISOR)
    check(manager, "demo-permit2")
    manager.sync()
    [order] = rectification_of(field, "demo-permit2")
    assert order["state"] == "reported"
    assert deadlines(order)["rectification"]["met_at"] is None

    field.at(local(24, 9, 30))  # the site supervisor's own follow-up
    check(site, "demo-permit2")
    site.sync()
    [order] = rectification_of(field, "demo-permit2")
    assert order["state"] == "closed"
    assert deadlines(order)["rectification"]["met_at"] == "2026-11-24T09:30:00+08:00"


def test_rectification_notice_not_followed_up_is_a_finding(field):
    site = field.phone(SITE_SUPERVISOR)
    field.at(local(23, 10, 0))
    check(site, "demo-permit1", violations={ChecklistItem.FIRE_SAFETY: "Extinguisher missing"})
    site.sync()
    field.at(local(24, 9, 0))
    check(site, "demo-permit2")  # other sites are checked, this one is not followed up
    site.sync()
    assert field.findings("decoration.follow_up_missed") == []

    field.at(local(25, 0, 10))
    missed = field.findings("decoration.follow_up_missed")
    assert [f["permit_id"] for f in missed] == ["demo-permit1"]
    # the site supervisor who issued the notice owns it, as one of the site supervisors
    assert (missed[0]["owner_id"], missed[0]["owner_role"]) == (SITE_SUPERVISOR_ID, "site_supervisor")
