"""Work orders on the phone: overdue first, maintenance sees its own, actions follow shared.workflow."""

from __future__ import annotations

from mobile.state.messages import problem_message
from mobile.state.orders import CONFIRM_ACTIONS, OrdersBoard
from mobile.state.ports import MemoryRef, Problem
from shared.i18n import Translator
from shared.model import RecordType, WorkOrderAction, WorkOrderState
from sync_server.reconcile_write import HISTORY_SHOWN, summary
from tests.mobile.state_fixtures import T0, Saved, demo_ref


def board(user_id: str, role: str) -> tuple[OrdersBoard, Saved]:
    saved = Saved()
    return OrdersBoard(ref=demo_ref(), save=saved, now=lambda: T0, user={"id": user_id, "role": role}), saved


def test_overdue_orders_come_first() -> None:
    b, _ = board("u-sup", "supervisor")
    assert [o["id"] for o in b.visible()] == ["wo2", "wo1", "wo3"]
    b.overdue_only = True
    assert [o["id"] for o in b.visible()] == ["wo2"]


def test_maintenance_sees_only_orders_assigned_to_them() -> None:
    b, _ = board("u-maint", "maintenance")
    assert [o["id"] for o in b.visible()] == ["wo2"]
    assert b.actions(b.visible()[0]) == [WorkOrderAction.START, WorkOrderAction.COMPLETE]


def test_specialist_has_no_actions_but_sees_the_order_they_reported() -> None:
    b, _ = board("u-spec", "specialist")
    assert [o["id"] for o in b.mine_open()] == ["wo1"]
    assert b.actions(demo_ref().item("work_order", "wo1")) == []


def test_dispatch_needs_an_assignee_then_is_saved_and_shown_as_dispatched() -> None:
    b, saved = board("u-sup", "supervisor")
    order = demo_ref().item("work_order", "wo1")
    assert WorkOrderAction.DISPATCH in b.actions(order)
    assert b.act(order, WorkOrderAction.DISPATCH) == Problem("orders.assignee_missing")
    assert [u["id"] for u in b.assignees()] == ["u-maint"]
    assert b.act(order, WorkOrderAction.DISPATCH, assignee_id="u-maint", note=" today ") is None
    (body,) = saved.of(RecordType.WORK_ORDER_ACTION)
    assert body.assignee_id == "u-maint" and body.note == "today"
    assert b.state_of(order) is WorkOrderState.DISPATCHED
    assert b.counts_by_state()[WorkOrderState.DISPATCHED] == 2


def test_a_forbidden_action_is_refused_with_the_workflow_message() -> None:
    b, saved = board("u-sup", "supervisor")
    problem = b.act(demo_ref().item("work_order", "wo3"), WorkOrderAction.START)
    assert problem is not None and "closed" in (problem.text or "")
    assert saved.records == []


def test_supervisor_signs_off_a_closed_order() -> None:
    b, saved = board("u-sup", "supervisor")
    order = demo_ref().item("work_order", "wo3")
    assert b.actions(order) == [WorkOrderAction.SIGN_OFF]
    assert b.act(order, WorkOrderAction.SIGN_OFF) is None
    assert b.state_of(order) is WorkOrderState.SIGNED_OFF and b.actions(order) == []


def complaint_ref(**extra: object) -> MemoryRef:
    ref = demo_ref()
    ref.data["work_order"] = [
        *ref.data["work_order"],
        {"id": "wo-c", "kind": "complaint", "state": "reported", "place_id": "lobby", "severity": "urgent", **extra},
    ]
    return ref


def test_customer_service_replies_to_the_owner_on_a_complaint_order_only() -> None:
    saved = Saved()
    ref = complaint_ref(reporter_ids=["u-spec"])
    b = OrdersBoard(ref=ref, save=saved, now=lambda: T0, user={"id": "u-spec", "role": "specialist"})
    complaint, repair = ref.item("work_order", "wo-c"), ref.item("work_order", "wo1")
    assert b.actions(complaint) == [WorkOrderAction.REPLY] and b.actions(repair) == []
    # A reply says what the owner was told: without it nothing is saved.
    problem = b.act(complaint, WorkOrderAction.REPLY, note="  ")
    assert problem == Problem("orders.reply_missing") and saved.records == []
    assert problem_message(Translator("en"), problem) == "Write what the owner was told."
    assert b.act(repair, WorkOrderAction.REPLY, note="told") == Problem("orders.reply_complaints_only")
    assert b.act(complaint, WorkOrderAction.REPLY, note="Told Mrs Wang the plumber comes at 3 pm") is None
    (body,) = saved.of(RecordType.WORK_ORDER_ACTION)
    assert body.action is WorkOrderAction.REPLY and body.note == "Told Mrs Wang the plumber comes at 3 pm"
    assert b.state_of(complaint) is WorkOrderState.CLOSED  # answered and nothing to repair: the complaint is closed
    maint = OrdersBoard(ref=ref, save=saved, now=lambda: T0, user={"id": "u-maint", "role": "maintenance"})
    assert WorkOrderAction.REPLY not in maint.actions(complaint)


def test_closing_needs_a_reason_and_is_checked_before_asking_and_saving() -> None:
    b, saved = board("u-sup", "supervisor")
    order = demo_ref().item("work_order", "wo1")
    assert WorkOrderAction.CLOSE in CONFIRM_ACTIONS
    assert b.problem(order, WorkOrderAction.CLOSE) == Problem("orders.close_reason_missing")
    assert b.act(order, WorkOrderAction.CLOSE, note="") == Problem("orders.close_reason_missing")
    assert b.problem(order, WorkOrderAction.CLOSE, note="Owner withdrew the request") is None
    assert saved.records == []  # checking saves nothing
    # The assignee chosen on screen for a dispatch is not sent with another action (the domain refuses that).
    assert b.act(order, WorkOrderAction.CLOSE, note="Owner withdrew the request", assignee_id="u-maint") is None
    (body,) = saved.of(RecordType.WORK_ORDER_ACTION)
    assert body.action is WorkOrderAction.CLOSE and body.assignee_id is None
    assert b.state_of(order) is WorkOrderState.CLOSED


def test_urgent_orders_come_right_after_the_overdue_ones() -> None:
    ref = complaint_ref(due_at="2026-11-25T00:00:00+00:00")  # due later than wo1, but urgent
    b = OrdersBoard(ref=ref, save=Saved(), now=lambda: T0, user={"id": "u-sup", "role": "supervisor"})
    assert [o["id"] for o in b.visible()] == ["wo2", "wo-c", "wo1", "wo3"]


def test_a_long_orders_detail_says_how_many_earlier_steps_are_only_in_its_full_record() -> None:
    sup, _ = board("u-sup", "supervisor")
    order = sup.orders()[0]
    steps = [
        {"at": f"2026-11-23T{h:02d}:{m:02d}:00+08:00", "action": "report_joined", "actor_id": "u-spec"}
        for h in range(8, 12)
        for m in range(12)
    ]
    stored = {**order, "record_ids": [], "photos": [], "history_total": len(steps)}
    pulled = summary(stored, steps)  # as the server's feed sends it
    assert len(sup.history(pulled)) == HISTORY_SHOWN and sup.history(pulled)[-1]["at"] == steps[-1]["at"]
    assert sup.earlier_steps(pulled) == len(steps) - HISTORY_SHOWN
    assert sup.earlier_steps(order) == 0  # a short order: every step is on the phone
