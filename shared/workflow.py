"""The work-order state machine: which action moves an order from which state, and who may act.

    reported ─dispatch→ dispatched ─start→ in_progress ─complete→ done ─(return visit ok)→ closed
                              └──────────complete──────────────┘   │                     │
                                                                    └→ rework (failed visit) │
    closed ─sign_off→ signed_off                                                              ┘

``close`` is the supervisor's manual close (for example an order that needs no visit); a
successful return visit closes an order through reconciliation, not through this table.
"""

from __future__ import annotations

from shared.errors import PermissionProblem, TransitionProblem
from shared.model import Role, WorkOrderAction, WorkOrderState

S, A = WorkOrderState, WorkOrderAction

TRANSITIONS: dict[tuple[WorkOrderState, WorkOrderAction], WorkOrderState] = {
    (S.REPORTED, A.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.DISPATCH): S.DISPATCHED,  # re-assign
    (S.IN_PROGRESS, A.DISPATCH): S.IN_PROGRESS,  # re-assign while under way
    (S.DISPATCHED, A.START): S.IN_PROGRESS,
    (S.DISPATCHED, A.COMPLETE): S.DONE,
    (S.IN_PROGRESS, A.COMPLETE): S.DONE,
    (S.REPORTED, A.CLOSE): S.CLOSED,
    (S.DISPATCHED, A.CLOSE): S.CLOSED,
    (S.IN_PROGRESS, A.CLOSE): S.CLOSED,
    (S.DONE, A.CLOSE): S.CLOSED,
    (S.CLOSED, A.SIGN_OFF): S.SIGNED_OFF,
}

ROLES: dict[WorkOrderAction, frozenset[Role]] = {
    A.DISPATCH: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    A.START: frozenset({Role.MAINTENANCE, Role.SUPERVISOR, Role.ADMIN}),
    A.COMPLETE: frozenset({Role.MAINTENANCE, Role.SUPERVISOR, Role.ADMIN}),
    A.CLOSE: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    A.SIGN_OFF: frozenset({Role.SUPERVISOR}),
}


def allowed_actions(state: WorkOrderState, role: Role) -> list[WorkOrderAction]:
    """The actions this role can take on an order in this state (for the app's buttons)."""
    return [a for (s, a) in TRANSITIONS if s is state and role in ROLES[a]]


def next_state(state: WorkOrderState, action: WorkOrderAction, role: Role) -> WorkOrderState:
    """The state after ``action``, or the problem that forbids it (the order stays as it was)."""
    if role not in ROLES[action]:
        allowed = ", ".join(sorted(r.value for r in ROLES[action]))
        raise PermissionProblem(
            "workflow.role_not_allowed",
            f"A {role.value.replace('_', ' ')} may not {action.value.replace('_', ' ')} a work order; "
            f"ask someone with the role: {allowed}.",
            {"action": action.value, "role": role.value},
        )
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionProblem(
            "workflow.invalid_transition",
            f"A work order that is {state.value.replace('_', ' ')} cannot be "
            f"{action.value.replace('_', ' ')}{'d' if action.value.endswith('e') else 'ed'}; refresh to see its current state.",
            {"state": state.value, "action": action.value},
        ) from None
