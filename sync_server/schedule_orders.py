"""Work-order findings: deadlines met late, missed or closed over, renovation follow-ups not made, repeat violations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.model import RecordType, Role
from sync_server.db import Database, findings, recon_facts
from sync_server.schedule_window import Window, finding

CHECK = RecordType.DECORATION_CHECK.value


def order_findings(db: Database, window: Window, *, named: list[str]) -> list[dict[str, Any]]:
    """The findings of the orders that can have changed (``findings.order_candidates``; ``named``: the orders
    the window's stored findings name), so a refresh costs what the window holds, not every order ever made."""
    found = []
    day_from = (window.days[0] - timedelta(days=2)).isoformat()  # a fact's stored day may be in another zone
    for row in findings.order_candidates(db, property_id=window.property_id, day_from=day_from, order_ids=named):
        order = row["data"]
        for deadline in order["deadlines"]:
            late = _deadline_finding(window, order, deadline)
            if late is not None:
                found.append(late)
        if order["kind"] == "rectification":
            found += _follow_up_missed(db, window, order)
        if order["permit_flagged"] and order["kind"] == "rectification":
            found.append(
                finding(
                    "permit.repeated_violations",
                    str(order["permit_id"]),
                    window.day_of(order["reported_at"]),
                    f"Renovation permit {order['permit_id']} had violations on {order['violation_checks']} checks:"
                    " take corrective and preventive measures.",
                    owner_role=Role.SITE_SUPERVISOR.value,
                    permit_id=order["permit_id"],
                    place_id=order["place_id"],
                    work_order_id=order["id"],
                    number=order["number"],
                )
            )
    return found


def _deadline_finding(window: Window, order: dict[str, Any], deadline: dict[str, Any]) -> dict[str, Any] | None:
    """Late: not met and past due, or met after it was due. Missed: the order was closed while it was open.

    ``missed_at`` is set by reconciliation when a supervisor closes an order over an open deadline (closed
    without the return visit, say): a finding at once, whenever it was due.
    """
    due = datetime.fromisoformat(deadline["due_at"])
    met = datetime.fromisoformat(deadline["met_at"]) if deadline.get("met_at") else None
    missed = deadline.get("missed_at")
    kind = "return_visit.late" if deadline["name"] == "return_visit" else "order.overdue"
    what = "return visit" if kind == "return_visit.late" else f"{deadline['name'].replace('_', ' ')} deadline"
    if missed:
        day = window.day_of(missed)
        state = f"the order was closed without it at {missed}"
    else:
        if met is None and window.now <= due:
            window.due_later(due)
            return None
        if not (met > due if met else window.now > due):
            return None
        day = window.day_of(due)
        state = f"met late at {deadline['met_at']}" if met else "not met yet"
    owner_id, owner_role = _deadline_owner(order, deadline)
    return finding(
        kind,
        f"{order['id']}:{deadline['name']}",
        day,
        f"{order['number']}: the {what} was due {deadline['due_at']}, {state}.",
        owner_id=owner_id,
        owner_role=owner_role,
        work_order_id=order["id"],
        number=order["number"],
        deadline=deadline["name"],
        place_id=order["place_id"],
        due_at=deadline["due_at"],
        met_at=deadline.get("met_at"),
        missed_at=missed,
    )


def _deadline_owner(order: dict[str, Any], deadline: dict[str, Any]) -> tuple[str | None, str | None]:
    """Who must act: the visit's specialist, the assignee, or the supervisors for an undispatched order."""
    if deadline["assignee_id"]:
        return deadline["assignee_id"], None
    if deadline["name"] == "rectification":
        return (order["reporter_ids"] or [None])[0], Role.SITE_SUPERVISOR.value
    if order["assignee_id"] and deadline["name"] != "notice":
        return order["assignee_id"], None
    return None, Role.SUPERVISOR.value


def _follow_up_missed(db: Database, window: Window, order: dict[str, Any]) -> list[dict[str, Any]]:
    """After a violation a follow-up check is due by the rectification deadline; any check of the permit counts.

    A check made in time on a phone that synced late still counts (checks are judged by when they were made).
    """
    deadline = next((d for d in order["deadlines"] if d["name"] == "rectification"), None)
    if deadline is None:
        return []
    due = datetime.fromisoformat(deadline["due_at"])
    day = window.day_of(due)
    if window.now <= due:
        window.due_later(due)
        return []
    if day < window.days[0]:
        return []
    violation_at = datetime.fromisoformat(order["reported_at"])
    for check in recon_facts.facts_of_stream(db, stream=f"permit:{order['permit_id']}"):
        if check["type"] == CHECK and violation_at < datetime.fromisoformat(check["effective_at"]) <= due:
            return []
    return [
        finding(
            "decoration.follow_up_missed",
            order["id"],
            day,
            f"{order['number']}: no follow-up check of the renovation in {order['place_id']} was made by the"
            f" rectification deadline {deadline['due_at']}.",
            owner_id=(order["reporter_ids"] or [None])[0],
            owner_role=Role.SITE_SUPERVISOR.value,
            work_order_id=order["id"],
            number=order["number"],
            permit_id=order["permit_id"],
            place_id=order["place_id"],
            due_at=deadline["due_at"],
        )
    ]
