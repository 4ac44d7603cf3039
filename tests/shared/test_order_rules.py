"""The rules of work orders in the pure replay: corrections, independent visits, closing by hand,
renovation passes, owner complaints, rework deadlines and work done on an assignee's behalf."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shared.errors import PermissionProblem
from shared.model import (
    ChecklistItem,
    DecorationCheck,
    DefectCategory,
    OwnerComplaint,
    Role,
    Severity,
    Slot,
    WorkOrderAction,
)
from shared.reconcile_rules import check_role, replay
from shared.work_order import order_id_for
from tests.shared.test_reconcile_rules import (
    CTX,
    SAND,
    T0,
    TZ,
    act,
    check,
    complete,
    dispatch,
    fact,
    leak,
    state_of,
    visit,
)

A = WorkOrderAction


def corrected(original, body, at):
    """A correction as the phone makes it: a new record of the same type that supersedes the original."""
    return dataclasses.replace(fact(body, at=at, author=original.author_id), supersedes=original.id)


def history(order):
    return [e.action for e in order.history]


# ---- 1. a correction keeps the order it corrects ----------------------------------------------
def test_a_correction_keeps_the_order_it_corrects():
    d = fact(leak(severity=Severity.MEDIUM), at=T0)
    oid = order_id_for(d.id)
    better = dataclasses.replace(leak(severity=Severity.URGENT), description="Water pours from the ceiling")
    fix = corrected(d, better, T0 + timedelta(hours=2))
    facts = [d, dispatch(oid, T0 + timedelta(hours=1)), fix]
    outcome = replay(facts, CTX)
    (order,) = outcome.orders
    assert (order.id, order.state.value, order.assignee_id) == (oid, "dispatched", "mnt-1")
    assert (order.description, order.severity) == ("Water pours from the ceiling", "urgent")
    assert history(order) == ["reported", "dispatch", "corrected"]
    event = order.history[-1]
    assert (event.record_id, event.at, event.actor_id) == (fix.id, fix.at, "spec-1")
    assert event.changes == {
        "description": {"from": "Ceiling drips", "to": "Water pours from the ceiling"},
        "severity": {"from": "medium", "to": "urgent"},
    }
    assert order.deadlines["handling"].due_at == T0 + timedelta(hours=24)  # counted from the original report
    # maintenance completes the order by the id it knows; the result does not depend on arrival order
    done = complete(oid, T0 + timedelta(hours=3))
    assert replay([done, fix, *facts[:2]], CTX).orders[0].state.value == "done"
    assert state_of(replay(list(reversed(facts)), CTX)) == state_of(outcome)


def test_a_correction_of_a_correction_keeps_the_order_and_lists_both_changes():
    d = fact(leak(), at=T0)
    first = corrected(d, leak(severity=Severity.LOW), T0 + timedelta(hours=1))
    second = corrected(first, leak(severity=Severity.URGENT), T0 + timedelta(hours=2))
    outcome = replay([second, d, first], dataclasses.replace(CTX, superseded=frozenset({d.id, first.id})))
    (order,) = outcome.orders
    assert order.id == order_id_for(d.id) and order.severity == "urgent"
    assert [e.changes["severity"]["to"] for e in order.history if e.action == "corrected"] == ["low", "urgent"]


def test_a_correction_to_another_place_moves_the_defect_out_of_the_order_it_had_joined():
    first = fact(leak(), at=T0)
    joined = fact(leak(), at=T0 + timedelta(minutes=30), author="spec-2")
    oid = order_id_for(first.id)
    move = corrected(joined, leak(place="b1-f3-u301"), T0 + timedelta(hours=1))
    late = fact(act(order_id_for(joined.id), A.DISPATCH, assignee_id="mnt-2"), at=T0 + timedelta(hours=2))
    late = dataclasses.replace(late, author_id="sup-1", author_role=Role.SUPERVISOR)
    ctx = dataclasses.replace(CTX, superseded=frozenset({joined.id}))
    old, new = replay([first, joined, move, late], ctx).orders
    assert old.id == oid and new.id == order_id_for(joined.id)
    assert history(old) == ["reported", "moved_out"]
    assert old.history[-1].related_order_id == new.id
    assert old.history[-1].changes == {"place_id": {"from": "b1-f2-u203", "to": "b1-f3-u301"}}
    assert (new.place_id, history(new)) == ("b1-f3-u301", ["reported", "corrected", "dispatch"])
    assert new.assignee_id == "mnt-2"  # an action addressed to the record's order id finds its order
    assert old.reporter_ids == ["spec-1"]


# ---- 2. the return visit is independent ------------------------------------------------------
def test_a_return_visit_by_maintenance_is_refused_up_front():
    with pytest.raises(PermissionProblem) as info:
        check_role(fact(visit("wo-x"), at=T0, author="mnt-1", role=Role.MAINTENANCE))
    assert info.value.code == "workflow.visit_not_independent"


def test_a_return_visit_by_the_orders_assignee_is_refused_and_never_waits():
    d = fact(leak(), at=T0)
    oid = order_id_for(d.id)
    to_self = fact(act(oid, A.DISPATCH, assignee_id="sup-1"), at=T0, author="sup-1", role=Role.SUPERVISOR)
    own = fact(act(oid, A.COMPLETE), at=T0 + timedelta(hours=1), author="sup-1", role=Role.SUPERVISOR)
    own_visit = fact(visit(oid), at=T0 + timedelta(hours=2), author="sup-1", role=Role.SUPERVISOR)
    outcome = replay([d, to_self, own, own_visit], CTX)
    assert outcome.skipped[own_visit.id].code == "workflow.visit_not_independent"
    assert own_visit.id not in outcome.waiting
    assert outcome.orders[0].state.value == "done"


# ---- 3. closing by hand marks what is still owed as missed --------------------------------------
def test_a_supervisors_close_marks_open_deadlines_missed_not_met():
    d = fact(leak(), at=T0)
    oid = order_id_for(d.id)
    done = complete(oid, T0 + timedelta(hours=2))
    close_at = T0 + timedelta(hours=5)
    close = fact(act(oid, A.CLOSE, note="owner moved away"), at=close_at, author="sup-1", role=Role.SUPERVISOR)
    (order,) = replay([d, dispatch(oid, T0 + timedelta(hours=1)), done, close], CTX).orders
    visit_due = order.deadlines["return_visit"]
    assert (visit_due.met_at, visit_due.missed_at) == (None, close_at)
    assert order.deadlines["handling"].met_at == done.at and order.deadlines["handling"].missed_at is None
    assert visit_due.overdue(close_at) and order.next_due_at() is None
    assert order.to_json(TZ)["deadlines"][-1]["missed_at"] == close_at.isoformat()


# ---- 4. renovation: passes registered, who checks ------------------------------------------------
def test_more_workers_than_registered_passes_is_a_violation_even_if_the_phone_passed_it():
    ctx = dataclasses.replace(CTX, permit_passes={"p-1": 2})
    body = DecorationCheck("p-1", Slot.MORNING, list(ChecklistItem), [], workers_seen=3, passes_seen=3)
    (order,) = replay([fact(body, at=T0, author="site-1", role=Role.SITE_SUPERVISOR)], ctx).orders
    assert order.kind.value == "rectification"
    assert order.violations == [{"item": "workers_have_passes", "description": ""}]
    within = dataclasses.replace(body, workers_seen=2, passes_seen=2)
    assert replay([fact(within, at=T0, author="site-1", role=Role.SITE_SUPERVISOR)], ctx).orders == []


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.MAINTENANCE])
def test_a_renovation_check_by_any_other_role_is_refused(role):
    with pytest.raises(PermissionProblem) as info:
        check_role(dataclasses.replace(check(Slot.MORNING, T0), author_role=role))
    assert info.value.code == "workflow.check_role_not_allowed"


def test_a_site_supervisors_clean_follow_up_check_closes_the_rectification():
    outcome = replay([check(Slot.MORNING, T0, SAND), check(Slot.AFTERNOON, T0 + timedelta(hours=6))], CTX)
    assert outcome.orders[0].state.value == "closed"


# ---- 5. owner complaints ---------------------------------------------------------------------
def complaint(at=T0, author="spec-1"):
    body = OwnerComplaint("b1-f2-u203", "Mrs Li", "Noise at night", severity=Severity.HIGH)
    return fact(body, at=at, author=author)


def reply(oid, at, author="spec-2"):
    return fact(act(oid, A.REPLY, note="told her the pump is checked"), at=at, author=author)


def test_a_complaint_is_handled_in_24_hours_and_answered_in_72_by_who_logged_it():
    c = complaint()
    (order,) = replay([c], CTX).orders
    assert order.severity == "high"
    assert order.deadlines["handling"].due_at == T0 + timedelta(hours=24)
    assert (order.deadlines["reply"].due_at, order.deadlines["reply"].assignee_id) == (
        T0 + timedelta(hours=72),
        "spec-1",
    )


def test_a_reply_to_a_complaint_nobody_had_to_repair_closes_it():
    c = complaint()
    oid = order_id_for(c.id)
    answer = reply(oid, T0 + timedelta(hours=3))
    (order,) = replay([c, answer], CTX).orders
    assert order.state.value == "closed" and order.closed_at == answer.at
    assert order.deadlines["reply"].met_at == answer.at and order.deadlines["handling"].met_at == answer.at
    assert order.history[-1].note == "told her the pump is checked"


@pytest.mark.parametrize("reply_first", [True, False])
def test_a_repaired_complaint_closes_only_after_both_the_reply_and_a_successful_return_visit(reply_first):
    c = complaint()
    oid = order_id_for(c.id)
    done = complete(oid, T0 + timedelta(hours=2))
    answer = reply(oid, T0 + timedelta(hours=3 if reply_first else 30))
    ok = fact(visit(oid), at=T0 + timedelta(hours=20))
    facts = [c, dispatch(oid, T0 + timedelta(hours=1)), done]
    (order,) = replay(facts, CTX).orders
    assert order.deadlines["reply"].met_at is None  # completing the repair is not the owner's answer
    assert order.deadlines["return_visit"].due_at == done.at + timedelta(days=7)
    first, second = (answer, ok) if reply_first else (ok, answer)
    (order,) = replay([*facts, first], CTX).orders
    assert order.state.value == "done"
    (order,) = replay([*facts, first, second], CTX).orders
    assert order.state.value == "closed" and order.closed_at == second.at


def test_a_complaint_whose_rework_passed_closes_with_the_reply():
    c = complaint()
    oid = order_id_for(c.id)
    failed = fact(visit(oid, fixed=False), at=T0 + timedelta(hours=5))
    rid = order_id_for(failed.id)
    facts = [c, dispatch(oid, T0 + timedelta(hours=1)), complete(oid, T0 + timedelta(hours=2)), failed]
    facts += [dispatch(rid, T0 + timedelta(hours=6)), complete(rid, T0 + timedelta(hours=7))]
    facts.append(fact(visit(rid), at=T0 + timedelta(hours=8)))
    original, rework = replay(facts, CTX).orders
    assert (original.state.value, rework.state.value) == ("done", "closed")
    original, _ = replay([*facts, reply(oid, T0 + timedelta(hours=9))], CTX).orders
    assert original.state.value == "closed"


def test_a_reply_on_an_order_that_is_not_a_complaint_is_refused():
    d = fact(leak(), at=T0)
    answer = reply(order_id_for(d.id), T0 + timedelta(hours=1))
    outcome = replay([d, answer], CTX)
    assert outcome.skipped[answer.id].code == "workflow.reply_not_complaint"
    assert answer.id not in outcome.waiting and outcome.orders[0].state.value == "reported"


# ---- 6. rework deadlines ---------------------------------------------------------------------
def test_a_dispatched_rework_is_handled_within_24_hours_and_then_visited():
    d = fact(leak(category=DefectCategory.ELECTRICAL), at=T0)
    oid = order_id_for(d.id)
    failed = fact(visit(oid, fixed=False), at=T0 + timedelta(hours=5))
    rid = order_id_for(failed.id)
    sent = dispatch(rid, T0 + timedelta(hours=6))
    facts = [d, dispatch(oid, T0 + timedelta(hours=1)), complete(oid, T0 + timedelta(hours=2)), failed, sent]
    _, rework = replay(facts, CTX).orders
    assert rework.deadlines["handling"].due_at == sent.at + timedelta(hours=24)
    done = complete(rid, T0 + timedelta(hours=9))
    _, rework = replay([*facts, done], CTX).orders
    assert rework.deadlines["handling"].met_at == done.at
    due = rework.return_visit_pending()
    assert due is not None and due.due_at == done.at + timedelta(days=7) and due.assignee_id == "spec-1"


# ---- 7. work done on the assignee's behalf -------------------------------------------------------
def test_a_supervisor_completing_a_dispatched_order_does_it_on_the_assignees_behalf():
    d = fact(leak(), at=T0)
    oid = order_id_for(d.id)
    start = fact(act(oid, A.START), at=T0 + timedelta(hours=2), author="sup-1", role=Role.SUPERVISOR)
    done = complete(oid, T0 + timedelta(hours=3))
    (order,) = replay([d, dispatch(oid, T0 + timedelta(hours=1)), start, done], CTX).orders
    behalf = {e.action: e.on_behalf_of for e in order.history}
    assert behalf == {"reported": None, "dispatch": None, "start": "mnt-1", "complete": None}
    assert order.to_json(TZ)["history"][2]["on_behalf_of"] == "mnt-1"


def test_a_corrected_complaint_keeps_its_order_and_deadlines():
    c = complaint()
    fix = corrected(c, dataclasses.replace(c.body, owner_name="Mr Li"), T0 + timedelta(hours=1))
    (order,) = replay([c, fix], CTX).orders
    assert (order.id, order.owner_name, order.deadlines["reply"].assignee_id) == (order_id_for(c.id), "Mr Li", "spec-1")
    assert order.history[-1].changes == {"owner_name": {"from": "Mrs Li", "to": "Mr Li"}}
