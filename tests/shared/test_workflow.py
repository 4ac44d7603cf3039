"""The work-order state machine: the life of an order, the rework loop, and who may do what."""

from __future__ import annotations

import pytest

from shared.errors import PermissionProblem, TransitionProblem
from shared.model import Role, WorkOrderAction, WorkOrderKind, WorkOrderState
from shared.workflow import after_return_visit, allowed_actions, next_state

S, A = WorkOrderState, WorkOrderAction


def test_an_order_goes_reported_dispatched_in_progress_done():
    state = next_state(S.REPORTED, A.DISPATCH, Role.SUPERVISOR)
    state = next_state(state, A.START, Role.MAINTENANCE)
    state = next_state(state, A.COMPLETE, Role.MAINTENANCE)
    assert state is S.DONE


def test_a_successful_return_visit_closes_and_a_failed_one_sends_to_rework():
    assert after_return_visit(S.DONE, True) is S.CLOSED
    assert after_return_visit(S.DONE, False) is S.REWORK


def test_a_return_visit_before_completion_is_not_applied():
    with pytest.raises(TransitionProblem) as info:
        after_return_visit(S.IN_PROGRESS, True)
    assert info.value.code == "workflow.not_waiting_for_visit"


def test_a_supervisor_can_close_an_order_in_rework_by_hand():
    assert next_state(S.REWORK, A.CLOSE, Role.SUPERVISOR) is S.CLOSED


def test_supervisor_signs_off_a_closed_order():
    assert next_state(S.CLOSED, A.SIGN_OFF, Role.SUPERVISOR) is S.SIGNED_OFF


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [
        (S.DONE, A.CLOSE, Role.MAINTENANCE),  # maintenance closing an order
        (S.CLOSED, A.SIGN_OFF, Role.SPECIALIST),  # a specialist signing off
        (S.REPORTED, A.DISPATCH, Role.MAINTENANCE),
        (S.CLOSED, A.SIGN_OFF, Role.ADMIN),
        (S.DISPATCHED, A.START, Role.SITE_SUPERVISOR),
    ],
)
def test_an_action_not_allowed_for_the_role_is_refused(state, action, role):
    with pytest.raises(PermissionProblem) as info:
        next_state(state, action, role)
    assert info.value.code == "workflow.role_not_allowed"
    assert role.value.replace("_", " ") in info.value.message


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.CLOSED, A.COMPLETE),  # completing a closed order
        (S.REPORTED, A.START),
        (S.DONE, A.START),
        (S.SIGNED_OFF, A.CLOSE),
        (S.DONE, A.SIGN_OFF),
        (S.REWORK, A.COMPLETE),
    ],
)
def test_an_action_not_allowed_in_the_state_is_refused(state, action):
    with pytest.raises(TransitionProblem) as info:
        next_state(state, action, Role.SUPERVISOR)
    assert info.value.code == "workflow.invalid_transition"
    assert info.value.detail == {"state": state.value, "action": action.value}


def test_allowed_actions_are_what_the_app_offers():
    assert allowed_actions(S.REPORTED, Role.SUPERVISOR, WorkOrderKind.REPAIR) == [A.DISPATCH, A.CLOSE]
    assert allowed_actions(S.REPORTED, Role.SUPERVISOR, WorkOrderKind.COMPLAINT) == [A.DISPATCH, A.CLOSE, A.REPLY]
    assert allowed_actions(S.DONE, Role.SPECIALIST, WorkOrderKind.COMPLAINT) == [A.REPLY]
    assert allowed_actions(S.DONE, Role.SPECIALIST) == []  # the kind unknown: no reply offered
    assert allowed_actions(S.DISPATCHED, Role.MAINTENANCE) == [A.START, A.COMPLETE]
    assert allowed_actions(S.CLOSED, Role.SUPERVISOR) == [A.SIGN_OFF]
    assert allowed_actions(S.CLOSED, Role.SPECIALIST) == []


def test_an_action_that_a_later_state_allows_may_apply_later():
    from shared.workflow import may_apply_later

    assert may_apply_later(S.REPORTED, A.COMPLETE)  # completion synced before the dispatch
    assert may_apply_later(S.DONE, A.SIGN_OFF)  # once the return visit closes it
    assert not may_apply_later(S.CLOSED, A.COMPLETE)
    assert not may_apply_later(S.DONE, A.DISPATCH)
    assert not may_apply_later(S.SIGNED_OFF, A.SIGN_OFF)
