"""The Today screen's content per role: routes with progress, permits by slot, return visits, orders, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from mobile.state.orders import OrdersBoard, parse_time
from mobile.state.patrol import checkpoints_of, routes_for
from mobile.state.ports import RefData
from mobile.state.renovation import active_permits, checked_slots
from shared import rules
from shared.model import RecordType, Role, Slot


@dataclass
class RouteProgress:
    route: dict[str, Any]
    done: int
    total: int


@dataclass
class PermitSlots:
    permit: dict[str, Any]
    done: set[Slot]
    current: Slot


@dataclass
class VisitDue:
    item: dict[str, Any]
    due_at: datetime | None
    overdue: bool


@dataclass
class Today:
    role: Role
    day: date
    routes: list[RouteProgress] = field(default_factory=list)
    permits: list[PermitSlots] = field(default_factory=list)
    visits: list[VisitDue] = field(default_factory=list)
    my_orders: list[dict[str, Any]] = field(default_factory=list)
    overdue_orders: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    completion_percent: int | None = None
    assigned: list[dict[str, Any]] = field(default_factory=list)


def visited_today(records: list[dict[str, Any]], day: date, tz: ZoneInfo) -> set[str]:
    """Checkpoint ids with a visit recorded on ``day`` (local or pulled records)."""
    seen = set()
    for r in records:
        if r.get("type") != RecordType.CHECKPOINT_VISIT.value:
            continue
        at = parse_time(r.get("recorded_at"))
        if at is not None and rules.local_day(at, tz) == day:
            seen.add(str((r.get("body") or {}).get("checkpoint_id")))
    return seen


def build_today(
    *,
    ref: RefData,
    records: list[dict[str, Any]],
    user: dict[str, Any],
    now: datetime,
    tz: ZoneInfo,
    board: OrdersBoard,
) -> Today:
    role = Role(user.get("role", Role.SPECIALIST.value))
    day = rules.local_day(now, tz)
    today = Today(role=role, day=day)
    seen = visited_today(records, day, tz)
    if role in (Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN):
        routes = routes_for(ref, user.get("id")) if role is Role.SPECIALIST else ref.items("route")
        for route in routes:
            if not rules.route_due_on(day, route.get("weekdays")):
                continue  # not walked on this weekday
            cps = checkpoints_of(ref, str(route["id"]))
            today.routes.append(RouteProgress(route, sum(1 for c in cps if str(c["id"]) in seen), len(cps)))
    if role in (Role.SITE_SUPERVISOR, Role.SUPERVISOR, Role.ADMIN):
        current = rules.decoration_slot(now, tz)
        for permit in active_permits(ref, day):
            today.permits.append(PermitSlots(permit, checked_slots(records, str(permit["id"]), day, tz), current))
    if role in (Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN):
        for item in ref.items("return_visit_due"):
            if item.get("done"):
                continue
            due = parse_time(item.get("due_at"))
            today.visits.append(VisitDue(item, due, due is not None and rules.is_overdue(due, now)))
        today.visits.sort(key=lambda v: (v.due_at is None, v.due_at.timestamp() if v.due_at else 0))
    if role is Role.SPECIALIST:
        today.my_orders = board.mine_open()
    if role in (Role.SUPERVISOR, Role.ADMIN):
        today.overdue_orders = board.overdue()
        today.findings = ref.items("finding")
        total = sum(r.total for r in today.routes) + 2 * len(today.permits)
        done = sum(r.done for r in today.routes) + sum(len(p.done) for p in today.permits)
        today.completion_percent = round(100 * done / total) if total else None
    if role is Role.MAINTENANCE:
        today.assigned = board.visible()
    return today
