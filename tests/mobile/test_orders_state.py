"""Work orders on the phone: overdue first, maintenance sees its own, actions follow shared.workflow."""

from __future__ import annotations

from mobile.state.orders import OrdersBoard
from mobile.state.ports import Problem
from shared.model import RecordType, WorkOrderAction, WorkOrderState
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
