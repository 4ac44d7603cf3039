"""Work orders on the phone: lists by state and overdue, detail with history, and the actions the role allows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mobile.state.ports import Clock, Problem, RefData, SaveRecord, problem_from
from shared import workflow
from shared.errors import PatrolError, ValidationProblem
from shared.model import (
    RecordType,
    Role,
    Severity,
    WorkOrderAction,
    WorkOrderActionRecord,
    WorkOrderKind,
    WorkOrderState,
)

OPEN_STATES = frozenset(
    {WorkOrderState.REPORTED, WorkOrderState.DISPATCHED, WorkOrderState.IN_PROGRESS, WorkOrderState.REWORK}
)


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def order_state(order: dict[str, Any]) -> WorkOrderState:
    try:
        return WorkOrderState(order.get("state"))
    except ValueError:
        return WorkOrderState.REPORTED


LATE_STATES = OPEN_STATES | {WorkOrderState.DONE}  # a done order still has a deadline ahead: its return visit
# Most urgent first: an urgent complaint before a low one that is due sooner (overdue ones come first anyway).
SEVERITY_RANK = {Severity.URGENT.value: 0, Severity.HIGH.value: 1, Severity.MEDIUM.value: 2, Severity.LOW.value: 3}
# What a refused note means, by the action it was for (the domain core requires one for these).
NOTE_KEYS = {WorkOrderAction.CLOSE: "orders.close_reason_missing", WorkOrderAction.REPLY: "orders.reply_missing"}
# Actions that are asked "are you sure?" first: they end the order's life on this phone's side.
CONFIRM_ACTIONS = frozenset({WorkOrderAction.CLOSE})


def order_severity(order: dict[str, Any]) -> Severity | None:
    try:
        return Severity(order.get("severity"))
    except ValueError:
        return None


def is_overdue(order: dict[str, Any], now: datetime) -> bool:
    if order_state(order) not in LATE_STATES:
        return False
    due = parse_time(order.get("due_at"))
    return due is not None and now > due


class OrdersBoard:
    """The orders this phone knows, with this user's actions saved here but not yet synced laid over them."""

    def __init__(self, *, ref: RefData, save: SaveRecord, now: Clock, user: dict[str, Any]) -> None:
        self.ref, self.save, self.now, self.user = ref, save, now, user
        self.role = Role(user.get("role", Role.SPECIALIST.value))
        self.pending: dict[str, WorkOrderState] = {}  # order id -> state after an action saved on this phone
        self.state_filter: WorkOrderState | None = None
        self.overdue_only = False

    def orders(self) -> list[dict[str, Any]]:
        return self.ref.items("work_order")

    def open_orders(self) -> list[dict[str, Any]]:
        """The orders that can be open or overdue: open or done on the server, or acted on here since.

        Most cached orders are closed; Today reads only these (by the store's state index).
        """
        found = self.ref.items_in_state("work_order", sorted(s.value for s in LATE_STATES))
        known = {str(o["id"]) for o in found}
        for order_id in self.pending:
            if order_id not in known and (order := self.ref.item("work_order", order_id)) is not None:
                found.append(order)
        return found

    def state_of(self, order: dict[str, Any]) -> WorkOrderState:
        return self.pending.get(str(order["id"]), order_state(order))

    def visible(self) -> list[dict[str, Any]]:
        """Filtered, overdue first, then soonest due; maintenance sees only what is assigned to them."""
        now = self.now()
        found = self.orders()
        if self.role is Role.MAINTENANCE:
            found = [o for o in found if o.get("assignee_id") == self.user.get("id")]
        if self.state_filter is not None:
            found = [o for o in found if self.state_of(o) is self.state_filter]
        if self.overdue_only:
            found = [o for o in found if is_overdue(o, now)]
        return self._sorted(found)

    def _sorted(self, orders: list[dict[str, Any]], *, all_overdue: bool = False) -> list[dict[str, Any]]:
        """Overdue first, then the most urgent, then soonest due (``all_overdue``: the caller knows they all are)."""
        now = self.now()
        return sorted(
            orders,
            key=lambda o: (
                not (all_overdue or is_overdue(o, now)),
                SEVERITY_RANK.get(str(o.get("severity")), len(SEVERITY_RANK)),
                str(o.get("due_at") or "9999"),
                str(o["id"]),
            ),
        )

    def mine_open(self) -> list[dict[str, Any]]:
        """Open orders this user reported, is assigned, or is responsible for (the place's specialist)."""
        uid = self.user.get("id")
        return self._sorted(
            [
                o
                for o in self.open_orders()
                if self.state_of(o) in OPEN_STATES
                and (uid in (o.get("assignee_id"), o.get("responsible_id")) or uid in (o.get("reporter_ids") or []))
            ]
        )

    def overdue(self) -> list[dict[str, Any]]:
        now = self.now()
        return self._sorted([o for o in self.open_orders() if is_overdue(o, now)], all_overdue=True)

    def counts_by_state(self) -> dict[WorkOrderState, int]:
        counts = dict.fromkeys(WorkOrderState, 0)
        for o in self.orders():
            counts[self.state_of(o)] += 1
        return counts

    def actions(self, order: dict[str, Any]) -> list[WorkOrderAction]:
        """The workflow's actions for this role and order (replying to the owner only on a complaint)."""
        return workflow.allowed_actions(self.state_of(order), self.role, _kind(order))

    def assignees(self) -> list[dict[str, Any]]:
        return [u for u in self.ref.items("user") if u.get("role") == Role.MAINTENANCE.value]

    def act(
        self, order: dict[str, Any], action: WorkOrderAction, *, note: str = "", assignee_id: str | None = None
    ) -> Problem | None:
        """Check the action against the workflow and the record's own rules, then save it (the server decides last).

        Nothing is saved when either check fails: the Problem says what to fix (a catalog key when the form can
        fix it, like a missing reason for closing).
        """
        prepared = self._prepare(order, action, note=note, assignee_id=assignee_id)
        if isinstance(prepared, Problem):
            return prepared
        body, after = prepared
        self.save(RecordType.WORK_ORDER_ACTION, body)
        self.pending[str(order["id"])] = after
        return None

    def problem(
        self, order: dict[str, Any], action: WorkOrderAction, *, note: str = "", assignee_id: str | None = None
    ) -> Problem | None:
        """What stops the action, without saving: asked before "are you sure?" so that is asked only once."""
        prepared = self._prepare(order, action, note=note, assignee_id=assignee_id)
        return prepared if isinstance(prepared, Problem) else None

    def _prepare(
        self, order: dict[str, Any], action: WorkOrderAction, *, note: str, assignee_id: str | None
    ) -> Problem | tuple[WorkOrderActionRecord, WorkOrderState]:
        if action is WorkOrderAction.DISPATCH and not assignee_id:
            return Problem("orders.assignee_missing")
        if action is WorkOrderAction.REPLY and order.get("kind") != WorkOrderKind.COMPLAINT.value:
            return Problem("orders.reply_complaints_only")
        try:
            after = workflow.next_state(self.state_of(order), action, self.role)
        except PatrolError as e:
            return problem_from(e)
        body = WorkOrderActionRecord(
            work_order_id=str(order["id"]),
            action=action,
            note=note.strip(),
            assignee_id=assignee_id if action is WorkOrderAction.DISPATCH else None,  # chosen earlier, kept on screen
        )
        try:
            body.check()
        except ValidationProblem as e:
            keys = {"assignee_id": "orders.assignee_missing"}
            if action in NOTE_KEYS:
                keys["note"] = NOTE_KEYS[action]
            return problem_from(e, keys)
        return body, after

    def history(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        """The latest steps the server sent (a long order's are cut to its last ones)."""
        return sorted(order.get("history") or [], key=lambda h: str(h.get("at", "")))

    def earlier_steps(self, order: dict[str, Any]) -> int:
        """How many older steps of a long order are only in its full record (the server's, or its PDF)."""
        return max(0, int(order.get("history_total") or 0) - len(order.get("history") or []))


def _kind(order: dict[str, Any]) -> WorkOrderKind | None:
    try:
        return WorkOrderKind(order.get("kind"))
    except ValueError:
        return None
