"""Work orders on the phone: lists by state and overdue, detail with history, and the actions the role allows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mobile.state.ports import Clock, Problem, RefData, SaveRecord, problem_from
from shared import workflow
from shared.errors import PatrolError
from shared.model import RecordType, Role, WorkOrderAction, WorkOrderActionRecord, WorkOrderState

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


def is_overdue(order: dict[str, Any], now: datetime) -> bool:
    due = parse_time(order.get("due_at"))
    return due is not None and order_state(order) in OPEN_STATES | {WorkOrderState.DONE} and now > due


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
        return sorted(found, key=lambda o: (not is_overdue(o, now), str(o.get("due_at") or "9999"), str(o["id"])))

    def mine_open(self) -> list[dict[str, Any]]:
        """Open orders this user reported, is assigned, or is responsible for (the place's specialist)."""
        uid = self.user.get("id")
        return [
            o
            for o in self.orders()
            if self.state_of(o) in OPEN_STATES
            and (uid in (o.get("assignee_id"), o.get("responsible_id")) or uid in (o.get("reporter_ids") or []))
        ]

    def overdue(self) -> list[dict[str, Any]]:
        now = self.now()
        return [o for o in self.orders() if is_overdue(o, now)]

    def counts_by_state(self) -> dict[WorkOrderState, int]:
        counts = dict.fromkeys(WorkOrderState, 0)
        for o in self.orders():
            counts[self.state_of(o)] += 1
        return counts

    def actions(self, order: dict[str, Any]) -> list[WorkOrderAction]:
        return workflow.allowed_actions(self.state_of(order), self.role)

    def assignees(self) -> list[dict[str, Any]]:
        return [u for u in self.ref.items("user") if u.get("role") == Role.MAINTENANCE.value]

    def act(
        self, order: dict[str, Any], action: WorkOrderAction, *, note: str = "", assignee_id: str | None = None
    ) -> Problem | None:
        """Check the action against the workflow, then save it as a record; the server has the final word."""
        if action is WorkOrderAction.DISPATCH and not assignee_id:
            return Problem("orders.assignee_missing")
        try:
            after = workflow.next_state(self.state_of(order), action, self.role)
        except PatrolError as e:
            return problem_from(e)
        body = WorkOrderActionRecord(
            work_order_id=str(order["id"]), action=action, note=note.strip(), assignee_id=assignee_id
        )
        self.save(RecordType.WORK_ORDER_ACTION, body)
        self.pending[str(order["id"])] = after
        return None

    def history(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        return sorted(order.get("history") or [], key=lambda h: str(h.get("at", "")))
