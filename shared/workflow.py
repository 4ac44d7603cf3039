"""The work-order state machine: which action moves an order from which state, and who may act.

    reported ─dispatch→ dispatched ─start→ in_progress ─complete→ done ─(return visit ok)→ closed
                              └──────────complete──────────────┘   │                     │
                                                                    └→ rework (failed visit) │
    closed ─sign_off→ signed_off                                                              ┘

``close`` is the supervisor's manual close (for example an order that needs no visit); a
successful return visit closes an order through reconciliation, not through this table.

The rework loop (decided here, applied by ``shared.reconcile_rules``): a failed return visit moves
the order from ``done`` to ``rework`` and opens a *rework order* (kind ``rework``, its ``parent_id``
the failed order) that starts ``reported`` and goes through dispatch, start and complete like any
order. Its own return visit decides again: a successful one closes the rework order *and* every
ancestor waiting in ``rework``; a failed one sends the rework order to ``rework`` and opens the
next rework order. A supervisor may still close an order in ``rework`` by hand.
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
    (S.REWORK, A.CLOSE): S.CLOSED,
    (S.CLOSED, A.SIGN_OFF): S.SIGNED_OFF,
}

ROLES: dict[WorkOrderAction, frozenset[Role]] = {
    A.DISPATCH: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    A.START: frozenset({Role.MAINTENANCE, Role.SUPERVISOR, Role.ADMIN}),
    A.COMPLETE: frozenset({Role.MAINTENANCE, Role.SUPERVISOR, Role.ADMIN}),
    A.CLOSE: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    A.SIGN_OFF: frozenset({Role.SUPERVISOR}),
    A.REPLY: frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN}),  # customer service answers the owner
}


_DONE_WORDS = {
    A.DISPATCH: "dispatched",
    A.START: "started",
    A.COMPLETE: "completed",
    A.CLOSE: "closed",
    A.SIGN_OFF: "signed off",
    A.REPLY: "replied to",
}

OPEN_STATES = frozenset({S.REPORTED, S.DISPATCHED, S.IN_PROGRESS, S.DONE, S.REWORK})
FINAL_STATES = frozenset({S.CLOSED, S.SIGNED_OFF})


def after_return_visit(state: WorkOrderState, successful: bool) -> WorkOrderState:
    """The state a return visit leaves an order in: closed when fixed and satisfied, else rework.

    Only a ``done`` order waits for a return visit; reconciliation holds a visit that arrives
    earlier until the order is done.
    """
    if state is not S.DONE:
        raise TransitionProblem(
            "workflow.not_waiting_for_visit",
            f"A work order that is {state.value.replace('_', ' ')} is not waiting for a return visit.",
            {"state": state.value},
        )
    return S.CLOSED if successful else S.REWORK


# Moves reconciliation makes on its own: a return visit closes a done order or sends it to rework.
_AUTOMATIC: dict[WorkOrderState, set[WorkOrderState]] = {S.DONE: {S.CLOSED, S.REWORK}}


def reachable(state: WorkOrderState) -> set[WorkOrderState]:
    """Every state an order can still get to from ``state`` (itself included)."""
    found, todo = {state}, [state]
    while todo:
        current = todo.pop()
        nexts = {new for (old, _), new in TRANSITIONS.items() if old is current} | _AUTOMATIC.get(current, set())
        todo.extend(nexts - found)
        found |= nexts
    return found


def may_apply_later(state: WorkOrderState, action: WorkOrderAction) -> bool:
    """Whether an action that cannot apply now could once the order moves on (say, complete before dispatch).

    Records from several phones arrive in any order, so such an action waits instead of being refused.
    """
    return any((s, action) in TRANSITIONS for s in reachable(state))


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
            f"A work order that is {state.value.replace('_', ' ')} cannot be {_DONE_WORDS[action]}; "
            "refresh to see its current state.",
            {"state": state.value, "action": action.value},
        ) from None
