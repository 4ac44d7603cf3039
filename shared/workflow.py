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

A complaint (kind ``complaint``) is answered with ``reply`` (customer service tells the owner; the
note says what). A reply to a complaint still ``reported`` closes it: no repair was needed. Once a
complaint was dispatched, a reply leaves its state alone, and the order closes only when both the
reply and a successful return visit happened, whichever comes last (``complaint_closes``); a
complaint waiting in ``rework`` without its reply goes back to ``done`` when its rework's visit
passes, and waits there for the reply. ``reply`` on any other kind of order is refused. A supervisor's
``close`` is a manual close, never a success: every deadline still open is marked missed
(``shared.order_effects``).

Who may act besides ``ROLES``: a return visit is independent of the work it checks, so it comes from
customer service (``VISIT_ROLES``) and never from the order's assignee; a renovation site check comes
from a site supervisor, a supervisor or an admin (``CHECK_ROLES``), and only a site supervisor's clean
check closes a rectification (a manager's spot check is no follow-up). ``FINAL`` names the problems no
later state can put right: the push refuses such a record instead of letting it wait.
"""

from __future__ import annotations

from shared.errors import PermissionProblem, TransitionProblem
from shared.model import Role, WorkOrderAction, WorkOrderKind, WorkOrderState

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
    # complaints only: the owner is told; a complaint nobody had to repair is then closed
    (S.REPORTED, A.REPLY): S.CLOSED,
    (S.DISPATCHED, A.REPLY): S.DISPATCHED,
    (S.IN_PROGRESS, A.REPLY): S.IN_PROGRESS,
    (S.DONE, A.REPLY): S.DONE,  # closed instead when its return visit passed already (complaint_closes)
    (S.REWORK, A.REPLY): S.REWORK,
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

VISIT_ROLES = frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN})  # customer service
CHECK_ROLES = frozenset({Role.SITE_SUPERVISOR, Role.SUPERVISOR, Role.ADMIN})

OPEN_STATES = frozenset({S.REPORTED, S.DISPATCHED, S.IN_PROGRESS, S.DONE, S.REWORK})
FINAL_STATES = frozenset({S.CLOSED, S.SIGNED_OFF})
FINAL = frozenset({"workflow.role_not_allowed", "workflow.visit_not_independent", "workflow.reply_not_complaint"})


def check_visitor(role: Role, author_id: str, assignee_id: str | None) -> None:
    """Refuse a return visit by maintenance or by the person the order is dispatched to."""
    if role not in VISIT_ROLES or author_id == assignee_id:
        raise PermissionProblem(
            "workflow.visit_not_independent",
            "A return visit must be independent of the repair: it is made by customer service (a specialist,"
            " a supervisor or an admin), not by maintenance or by the person the order is dispatched to.",
            {"role": role.value},
        )


def check_inspector(role: Role) -> None:
    """Refuse a renovation site check by anyone but a site supervisor, a supervisor or an admin."""
    if role not in CHECK_ROLES:
        raise PermissionProblem(
            "workflow.check_role_not_allowed",
            "Renovation site checks are recorded by a site supervisor, a supervisor or an admin.",
            {"role": role.value},
        )


def check_kind(kind: WorkOrderKind, action: WorkOrderAction) -> None:
    """Refuse an action that does not exist for this kind of order: only complaints get a reply."""
    if action is A.REPLY and kind is not WorkOrderKind.COMPLAINT:
        raise TransitionProblem(
            "workflow.reply_not_complaint",
            "Only an owner's complaint gets a reply; this work order is not a complaint.",
            {"kind": kind.value, "action": action.value},
        )


def complaint_closes(state: WorkOrderState, replied: bool, visited: bool) -> bool:
    """Whether a complaint that was repaired (``done``) is finished: the owner was answered and the visit passed."""
    return state is S.DONE and replied and visited


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


def allowed_actions(state: WorkOrderState, role: Role, kind: WorkOrderKind | None = None) -> list[WorkOrderAction]:
    """The actions this role can take on an order in this state (for the app's buttons): ``reply``
    only when the order's ``kind`` is given and is a complaint."""
    found = [a for (s, a) in TRANSITIONS if s is state and role in ROLES[a]]
    return [a for a in found if a is not A.REPLY or kind is WorkOrderKind.COMPLAINT]


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
