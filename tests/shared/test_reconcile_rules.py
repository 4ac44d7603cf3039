"""The pure replay of facts into work orders: what each record causes, in any arrival order."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.model import (
    ChecklistItem,
    DecorationCheck,
    DefectCategory,
    DefectReport,
    OwnerComplaint,
    RecordType,
    ReturnVisit,
    Role,
    Satisfaction,
    Severity,
    Slot,
    Violation,
    WorkOrderAction,
    WorkOrderActionRecord,
)
from shared.reconcile_rules import Context, Fact, Replay, check_role, replay
from shared.work_order import order_id_for

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 7, 40, tzinfo=TZ)
CTX = Context(
    tz=TZ, responsible={"b1-f2-u203": "spec-1"}, visit_rounds={"cv-1": "round-1"}, permit_places={"p-1": "u-7"}
)
_ids = itertools.count(1)


def fid() -> str:
    return f"0000000{next(_ids):05d}"


def fact(body, *, at, author="spec-1", role=Role.SPECIALIST, id=None):
    kind = {
        DefectReport: RecordType.DEFECT_REPORT,
        OwnerComplaint: RecordType.OWNER_COMPLAINT,
        DecorationCheck: RecordType.DECORATION_CHECK,
        ReturnVisit: RecordType.RETURN_VISIT,
        WorkOrderActionRecord: RecordType.WORK_ORDER_ACTION,
    }[type(body)]
    return Fact(id or fid(), kind, at, author, role, body)


def leak(place="b1-f2-u203", category=DefectCategory.WATER_LEAKAGE, **kw):
    return DefectReport(place, category, kw.pop("severity", Severity.HIGH), "Ceiling drips", **kw)


def act(order_id, action, **kw):
    if action in (WorkOrderAction.CLOSE, WorkOrderAction.REPLY):
        kw.setdefault("note", "closed at the desk")
    return WorkOrderActionRecord(order_id, action, **kw)


def visit(order_id, fixed=True, satisfaction=Satisfaction.SATISFIED):
    return ReturnVisit(
        order_id, fixed, satisfaction, comment="ok" if fixed else "still drips", no_signature_reason="owner away"
    )


def dispatch(order_id, at):
    return fact(
        act(order_id, WorkOrderAction.DISPATCH, assignee_id="mnt-1"), at=at, author="sup-1", role=Role.SUPERVISOR
    )


def complete(order_id, at):
    return fact(act(order_id, WorkOrderAction.COMPLETE), at=at, author="mnt-1", role=Role.MAINTENANCE)


def state_of(outcome):
    return json.dumps([o.to_json(TZ) for o in outcome.orders], sort_keys=True)


def test_a_defect_becomes_a_repair_order_with_a_24_hour_handling_deadline():
    d = fact(leak(), at=T0)
    (order,) = replay([d], CTX).orders
    assert order.id == order_id_for(d.id)
    assert (order.kind.value, order.state.value, order.category) == ("repair", "reported", "water_leakage")
    assert order.deadlines["handling"].due_at == T0 + timedelta(hours=24)
    assert order.history[0].action == "reported" and order.history[0].record_id == d.id


def test_a_defect_fixed_on_the_spot_opens_no_order():
    assert replay([fact(leak(fixed_on_spot=True), at=T0)], CTX).orders == []


def test_a_second_defect_of_the_same_place_and_category_joins_the_open_order():
    first = fact(leak(photos=["a" * 64]), at=T0)
    second = fact(leak(photos=["b" * 64], severity=Severity.URGENT), at=T0 + timedelta(hours=1), author="spec-2")
    other_place = fact(leak(place="b1-f3-u301"), at=T0)
    outcome = replay([first, second, other_place], CTX)
    assert len(outcome.orders) == 2
    order = outcome.orders[0]
    assert order.reporter_ids == ["spec-1", "spec-2"]
    assert order.photos == ["a" * 64, "b" * 64]
    assert order.severity == "urgent"
    assert [e.action for e in order.history] == ["reported", "reported_again"]


def test_a_defect_after_the_order_closed_opens_a_new_order():
    first = fact(leak(), at=T0)
    oid = order_id_for(first.id)
    close = fact(act(oid, WorkOrderAction.CLOSE), at=T0 + timedelta(hours=1), author="sup-1", role=Role.SUPERVISOR)
    again = fact(leak(), at=T0 + timedelta(hours=2))
    assert [o.state.value for o in replay([first, close, again], CTX).orders] == ["closed", "reported"]


def test_a_checkpoint_issue_defect_is_linked_to_its_patrol_round():
    (order,) = replay([fact(leak(checkpoint_visit_id="cv-1"), at=T0)], CTX).orders
    assert order.checkpoint_visit_ids == ["cv-1"] and order.round_ids == ["round-1"]


def full_repair_flow(successful_second_visit=True):
    d = fact(leak(), at=T0)
    oid = order_id_for(d.id)
    done_at = T0.replace(hour=23, minute=59)
    facts = [
        d,
        dispatch(oid, T0 + timedelta(minutes=30)),
        fact(act(oid, WorkOrderAction.START), at=T0 + timedelta(hours=1), author="mnt-1", role=Role.MAINTENANCE),
        complete(oid, done_at),
    ]
    failed = fact(visit(oid, fixed=False), at=done_at + timedelta(days=1))
    rid = order_id_for(failed.id)
    facts += [
        failed,
        dispatch(rid, failed.at + timedelta(hours=2)),
        complete(rid, failed.at + timedelta(hours=5)),
        fact(visit(rid, fixed=successful_second_visit), at=failed.at + timedelta(days=1)),
    ]
    return facts, oid, rid


def test_completing_a_leak_repair_makes_a_return_visit_due_in_3_days_for_the_responsible_specialist():
    facts, oid, _ = full_repair_flow()
    (order,) = replay(facts[:4], CTX).orders
    assert order.state.value == "done"
    due = order.return_visit_pending()
    assert due is not None and due.assignee_id == "spec-1"
    assert due.due_at.astimezone(TZ).replace(tzinfo=None) == datetime(2026, 11, 26, 23, 59)
    assert order.deadlines["handling"].met_at == facts[3].at


def test_a_failed_return_visit_opens_a_rework_order_and_its_good_visit_closes_both():
    facts, oid, rid = full_repair_flow()
    outcome = replay(facts, CTX)
    original, rework = outcome.orders
    assert (original.id, rework.id) == (oid, rid)
    assert (original.state.value, rework.state.value) == ("closed", "closed")
    assert rework.parent_id == oid and rework.kind.value == "rework"
    assert rework.deadlines["notice"].due_at == facts[4].at + timedelta(hours=24)
    assert rework.deadlines["notice"].met_at == facts[5].at  # dispatched: written notice given
    assert [e.action for e in original.history] == [
        "reported",
        "dispatch",
        "start",
        "complete",
        "return_visit_failed",
        "rework_opened",
        "closed_by_rework",
    ]
    failed, opened, closed = original.history[-3:]
    assert (failed.verdict, failed.note, failed.related_order_id) == ("not_fixed", "still drips", None)
    assert (opened.related_order_id, opened.note, closed.related_order_id) == (rid, "", rid)
    assert (rework.verdict, rework.description) == ("not_fixed", "still drips")  # the owner's words, nothing added
    assert (rework.history[-1].verdict, rework.history[-1].note) == ("fixed_satisfied", "ok")
    assert outcome.skipped == {}


def test_a_second_failed_visit_opens_the_next_rework_order():
    facts, oid, rid = full_repair_flow(successful_second_visit=False)
    states = [(o.kind.value, o.state.value) for o in replay(facts, CTX).orders]
    assert states == [("repair", "rework"), ("rework", "rework"), ("rework", "reported")]


def test_the_outcome_depends_only_on_the_set_of_facts_not_their_order():
    facts, _, _ = full_repair_flow()
    expected = state_of(replay(facts, CTX))
    for shuffled in (list(reversed(facts)), facts[4:] + facts[:4], facts[1::2] + facts[::2]):
        assert state_of(replay(shuffled, CTX)) == expected


def test_a_return_visit_recorded_before_completion_waits_for_it():
    d = fact(leak(), at=T0)
    oid = order_id_for(d.id)
    early_visit = fact(visit(oid), at=T0 + timedelta(hours=2))  # the maintenance phone's clock is behind
    outcome = replay(
        [d, dispatch(oid, T0 + timedelta(minutes=5)), early_visit, complete(oid, T0 + timedelta(hours=3))], CTX
    )
    (order,) = outcome.orders
    assert order.state.value == "closed" and outcome.skipped == {}


def test_an_action_before_the_dispatch_it_needs_is_applied_after_it():
    d = fact(leak(), at=T0)
    oid = order_id_for(d.id)
    outcome = replay([d, complete(oid, T0 + timedelta(minutes=1)), dispatch(oid, T0 + timedelta(minutes=3))], CTX)
    assert outcome.orders[0].state.value == "done" and outcome.skipped == {}


def test_completing_a_closed_order_is_skipped_with_its_code():
    d = fact(leak(), at=T0)
    oid = order_id_for(d.id)
    close = fact(act(oid, WorkOrderAction.CLOSE), at=T0 + timedelta(hours=1), author="sup-1", role=Role.SUPERVISOR)
    late = fact(act(oid, WorkOrderAction.COMPLETE), at=T0 + timedelta(hours=2), author="sup-1", role=Role.SUPERVISOR)
    outcome = replay([d, close, late], CTX)
    assert outcome.skipped[late.id].code == "workflow.invalid_transition"
    assert outcome.orders[0].state.value == "closed"
    skipped = outcome.orders[0].history[-1]
    assert (skipped.action, skipped.record_id, skipped.reason) == (
        "action_skipped",
        late.id,
        "workflow.invalid_transition",
    )
    assert skipped.reason_detail == {"action": "complete", "state": "closed"} and skipped.note == ""


def test_maintenance_may_only_act_on_orders_dispatched_to_them():
    d = fact(leak(), at=T0)
    oid = order_id_for(d.id)
    other = fact(act(oid, WorkOrderAction.START), at=T0 + timedelta(hours=1), author="mnt-2", role=Role.MAINTENANCE)
    outcome = replay([d, dispatch(oid, T0 + timedelta(minutes=1)), other], CTX)
    assert outcome.skipped[other.id].code == "workflow.not_assignee"
    assert outcome.orders[0].state.value == "dispatched"


@pytest.mark.parametrize(
    ("action", "role"), [(WorkOrderAction.CLOSE, Role.MAINTENANCE), (WorkOrderAction.SIGN_OFF, Role.SPECIALIST)]
)
def test_an_action_the_role_may_never_take_is_refused_up_front(action, role):
    with pytest.raises(Exception) as info:
        check_role(fact(act("wo-x", action), at=T0, role=role))
    assert getattr(info.value, "code", None) == "workflow.role_not_allowed"


def test_an_action_on_an_order_of_a_later_defect_is_resolved_to_the_order_it_joined():
    later = fact(leak(), at=T0 + timedelta(hours=1))
    earlier = fact(leak(), at=T0)  # synced after the later one: it opens the order, the later one joins it
    act_on_later = dispatch(order_id_for(later.id), T0 + timedelta(hours=2))
    (order,) = replay([later, act_on_later, earlier], CTX).orders
    assert order.id == order_id_for(earlier.id)
    assert order.state.value == "dispatched"


def test_an_owner_complaint_has_handling_and_reply_deadlines():
    c = fact(OwnerComplaint("b1-f2-u203", "Mrs Li", "Noise at night"), at=T0)
    (order,) = replay([c], CTX).orders
    assert order.kind.value == "complaint"
    assert order.deadlines["handling"].due_at == T0 + timedelta(hours=24)
    assert order.deadlines["reply"].due_at == T0 + timedelta(hours=72)


def check(slot, at, *violations, permit="p-1"):
    failed = [v for v in violations]
    passed = [i for i in ChecklistItem if i not in {v.item for v in failed}]
    body = DecorationCheck(permit, slot, passed, failed, workers_seen=2, passes_seen=2)
    return fact(body, at=at, author="site-1", role=Role.SITE_SUPERVISOR)


SAND = Violation(ChecklistItem.NO_DISORDERLY_STACKING, "Sand piled in the corridor", ["c" * 64])


def test_a_decoration_violation_opens_a_rectification_order_with_a_deadline():
    ctx = Context(tz=TZ, rectification_hours=48, permit_places={"p-1": "u-7"})
    (order,) = replay([check(Slot.MORNING, T0, SAND)], ctx).orders
    assert (order.kind.value, order.permit_id, order.place_id) == ("rectification", "p-1", "u-7")
    assert order.deadlines["rectification"].due_at == T0 + timedelta(hours=48)
    assert order.photos == ["c" * 64] and not order.permit_flagged
    assert order.violations == [{"item": "no_disorderly_stacking", "description": "Sand piled in the corridor"}]
    assert order.description == ""  # the check had no note: nothing is made up


def test_a_clean_follow_up_check_closes_the_rectification_order():
    outcome = replay([check(Slot.MORNING, T0, SAND), check(Slot.AFTERNOON, T0 + timedelta(hours=6))], CTX)
    order = outcome.orders[0]
    assert order.state.value == "closed"
    assert order.deadlines["rectification"].met_at == T0 + timedelta(hours=6)


def test_a_permit_with_repeated_violations_is_flagged_for_preventive_measures():
    outcome = replay([check(Slot.MORNING, T0, SAND), check(Slot.AFTERNOON, T0 + timedelta(hours=6), SAND)], CTX)
    (order,) = outcome.orders
    assert order.violation_checks == 2 and order.permit_flagged


def test_a_sign_off_at_the_same_moment_as_the_visit_that_closes_the_order_applies_after_it():
    facts, oid, rid = full_repair_flow()
    last_visit = facts[-1]
    sign_off = fact(
        act(oid, WorkOrderAction.SIGN_OFF), at=last_visit.at, author="sup-1", role=Role.SUPERVISOR, id="0" * 12
    )
    assert sign_off.id < last_visit.id  # sorted first, so it must wait for the close
    outcome = replay([*facts, sign_off], CTX)
    assert outcome.orders[0].state.value == "signed_off" and outcome.skipped == {}


def test_a_leak_repair_completed_at_2359_before_a_dst_change_is_due_three_days_later_at_2359():
    madrid = ZoneInfo("Europe/Madrid")
    ctx = Context(tz=madrid, responsible={"b1-f2-u203": "spec-1"})
    reported = datetime(2026, 10, 24, 9, 0, tzinfo=madrid)
    d = fact(leak(), at=reported)
    oid = order_id_for(d.id)
    done = complete(oid, datetime(2026, 10, 24, 23, 59, tzinfo=madrid))  # clocks go back that night
    (order,) = replay([d, dispatch(oid, reported), done], ctx).orders
    assert order.to_json(madrid)["deadlines"][-1]["due_at"] == "2026-10-27T23:59:00+01:00"


# ---- the running replay: fed fact by fact, at rest once everything is closed ----------------------
def closed_day(day, *, late_close=False):
    d = fact(leak(), at=T0 + timedelta(days=day))
    close_at = T0 + timedelta(days=day, hours=1)
    close = fact(act(order_id_for(d.id), WorkOrderAction.CLOSE), at=close_at, author="sup-1", role=Role.SUPERVISOR)
    return [d, close]


def test_feeding_facts_one_at_a_time_gives_the_orders_of_one_replay_and_finish_changes_nothing():
    facts, oid, rid = full_repair_flow()
    facts += closed_day(3) + [fact(act(oid, WorkOrderAction.SIGN_OFF), at=T0 + timedelta(days=4), role=Role.SUPERVISOR)]
    facts.append(complete(rid, T0 + timedelta(days=5)))  # too late: the rework order is closed
    running = Replay(CTX)
    for f in sorted(facts, key=lambda f: f.key):
        running.feed([f])
        first, second = running.finish(), running.finish()
        assert state_of(first) == state_of(second)  # finish gives held facts up on copies only
    whole = replay(facts, CTX)
    assert state_of(running.finish()) == state_of(whole)
    assert running.finish().skipped.keys() == whole.skipped.keys() == {facts[-1].id}


def test_a_fact_sorting_before_the_last_one_fed_is_refused():
    running = Replay(CTX)
    first, second = closed_day(0)
    running.feed([second])
    with pytest.raises(ValueError):
        running.feed([first])


def test_a_replay_is_at_rest_after_each_close_and_not_while_an_order_is_open():
    day0, day1 = closed_day(0), closed_day(1)
    rests = Replay(CTX).feed([*day0, *day1, fact(leak(), at=T0 + timedelta(days=2))])
    assert rests == [day0[1].key, day1[1].key]


def test_an_action_waiting_for_a_report_still_to_come_keeps_the_replay_from_rest():
    d = fact(leak(), at=T0 + timedelta(hours=2))
    early = dispatch(order_id_for(d.id), T0 + timedelta(minutes=90))  # the supervisor's clock is behind
    day0 = closed_day(0)
    rests = Replay(CTX).feed([*day0, early, d])
    assert rests == [day0[1].key]  # not after the early dispatch: it waits for the report that follows


def test_a_permit_stream_never_rests_once_it_has_a_rectification_order():
    checks = [check(Slot.MORNING, T0, SAND), check(Slot.AFTERNOON, T0 + timedelta(hours=6))]
    running = Replay(CTX)
    assert running.feed(checks) == []
    assert running.finish().orders[0].state.value == "closed"


def test_a_closed_orders_episode_replayed_from_its_own_facts_matches_the_whole_stream():
    facts, oid, rid = full_repair_flow()
    later = closed_day(4) + closed_day(5)
    sign_off = fact(act(oid, WorkOrderAction.SIGN_OFF), at=T0 + timedelta(days=6), role=Role.SUPERVISOR)
    noted = fact(visit(rid), at=T0 + timedelta(days=7))  # a visit too late to decide anything
    whole = {o.id: o.to_json(TZ) for o in replay([*facts, *later, sign_off, noted], CTX).orders}
    episode = {o.id: o.to_json(TZ) for o in replay([*facts, sign_off, noted], CTX).orders}
    assert episode == {oid: whole[oid], rid: whole[rid]}
    assert whole[oid]["state"] == "signed_off" and whole[rid]["history"][-1]["action"] == "return_visit_noted"
