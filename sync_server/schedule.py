"""What was due and what was missed: findings from the schedules, the stored facts and the orders, at an injected now.

Due: two checks a day of every active renovation permit, one walk a day of every patrol route
(every checkpoint of it), every deadline of every work order. A finding names who owns it
(``owner_id``, or ``owner_role`` when the schedule has no named person). Findings are stored and
published to the feed (kind ``finding``) so supervisors get them in their pull. Schedules count
from the first day the server looked at them (``schedule_start``), so a new install is not flooded
with "misses" from before it existed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlite_utils

from shared.model import RecordType, Role
from shared.rules import day_ends_at, decoration_slots_due, local_day, slot_ends_at
from sync_server.db import feed, findings, orders, recon_facts, reference, transaction
from sync_server.settings import Settings

WINDOW_DAYS = 7  # schedules are re-checked this far back; older findings stay as they were
REFRESH_EVERY = timedelta(minutes=1)
OVERSEERS = ("supervisor", "admin")


def compute_findings(
    db: sqlite_utils.Database, *, property_id: str, settings: Settings, now: datetime
) -> list[dict[str, Any]]:
    tz = settings.tz
    today = local_day(now, tz)
    start = findings.schedule_start(db, property_id=property_id, today=today.isoformat())
    days = [today - timedelta(days=n) for n in range(WINDOW_DAYS - 1, -1, -1)]
    days = [d for d in days if d.isoformat() >= start] or [today]
    facts = recon_facts.facts_of_day(
        db,
        property_id=property_id,
        days=[d.isoformat() for d in days],
        types=[RecordType.PATROL_ROUND.value, RecordType.DECORATION_CHECK.value],
    )
    gone = recon_facts.superseded_among(db, ids=[f["id"] for f in facts])
    facts = [f for f in facts if f["id"] not in gone]
    found: list[dict[str, Any]] = []
    found += _missed_checks(db, property_id, facts, days, now, settings)
    found += _missed_patrols(db, property_id, facts, days, now, settings)
    found += _order_findings(db, property_id, days[0], now)
    found += _clock_findings(db, property_id, days, settings)
    for finding in found:
        finding["property_id"] = property_id
    return sorted(found, key=lambda f: f["id"])


def _finding(kind: str, key: str, day: date, message: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"{kind}:{key}",
        "kind": kind,
        "day": day.isoformat(),
        "message": message,
        "owner_id": fields.pop("owner_id", None),
        "owner_role": fields.pop("owner_role", None),
        "at": fields.get("due_at") or day.isoformat(),  # when it became a miss, for sorting and display
        **fields,
    }


def _missed_checks(
    db: sqlite_utils.Database,
    property_id: str,
    facts: list[dict[str, Any]],
    days: list[date],
    now: datetime,
    settings: Settings,
) -> list[dict[str, Any]]:
    done = {(f["permit_id"], f["local_day"], f["slot"]) for f in facts if f["type"] == "decoration_check"}
    found = []
    for permit in reference.active_permits(db, property_id=property_id):
        for day in days:
            if not permit["starts_on"] <= day.isoformat() <= permit["ends_on"]:
                continue
            for _, slot in decoration_slots_due(day):
                ends = slot_ends_at(day, slot, settings.tz)
                if now < ends or (permit["id"], day.isoformat(), slot.value) in done:
                    continue
                found.append(
                    _finding(
                        "decoration.check_missed",
                        f"{permit['id']}:{day.isoformat()}:{slot.value}",
                        day,
                        f"No {slot.value} check of the renovation in {permit['unit_id']} on {day.isoformat()}.",
                        owner_role=Role.SITE_SUPERVISOR.value,
                        permit_id=permit["id"],
                        place_id=permit["unit_id"],
                        slot=slot.value,
                        due_at=ends.isoformat(),
                    )
                )
    return found


def _missed_patrols(
    db: sqlite_utils.Database,
    property_id: str,
    facts: list[dict[str, Any]],
    days: list[date],
    now: datetime,
    settings: Settings,
) -> list[dict[str, Any]]:
    rounds = [f for f in facts if f["type"] == "patrol_round"]
    visited: dict[str, set[str]] = {}
    for visit in recon_facts.facts_of_rounds(db, round_ids=[r["id"] for r in rounds]):
        visited.setdefault(visit["round_id"], set()).add(visit["checkpoint_id"])
    checkpoints: dict[str, list[dict[str, Any]]] = {}
    for checkpoint in reference.all_of(db, kind="checkpoint", property_id=property_id):
        checkpoints.setdefault(checkpoint["route_id"], []).append(checkpoint)
    found = []
    for route in reference.all_of(db, kind="route", property_id=property_id):
        for day in days:
            ends = day_ends_at(day, settings.tz)
            walked = [r for r in rounds if r["route_id"] == route["id"] and r["local_day"] == day.isoformat()]
            if not walked and now >= ends:
                found.append(
                    _finding(
                        "patrol.route_missed",
                        f"{route['id']}:{day.isoformat()}",
                        day,
                        f"The patrol route '{route['name']}' was not walked on {day.isoformat()}.",
                        owner_id=route["assigned_to"],
                        route_id=route["id"],
                        due_at=ends.isoformat(),
                    )
                )
            for patrol in walked:
                if patrol["body"].get("finished_at") is None and now < ends:
                    continue  # still under way
                for checkpoint in sorted(checkpoints.get(route["id"], []), key=lambda c: c["position"]):
                    if checkpoint["id"] in visited.get(patrol["id"], set()):
                        continue
                    found.append(
                        _finding(
                            "patrol.checkpoint_skipped",
                            f"{patrol['id']}:{checkpoint['id']}",
                            day,
                            f"{checkpoint['name']} of '{route['name']}' was skipped in the round of {day.isoformat()}.",
                            owner_id=patrol["author_id"],
                            route_id=route["id"],
                            round_id=patrol["id"],
                            checkpoint_id=checkpoint["id"],
                            place_id=checkpoint["place_id"],
                        )
                    )
    return found


def _order_findings(
    db: sqlite_utils.Database, property_id: str, window_start: date, now: datetime
) -> list[dict[str, Any]]:
    found = []
    for row in orders.list_orders(db, property_id=property_id, limit=1_000_000):
        order = row["data"]
        for deadline in order["deadlines"]:
            due = datetime.fromisoformat(deadline["due_at"])
            met = datetime.fromisoformat(deadline["met_at"]) if deadline["met_at"] else None
            late = met > due if met else now > due
            if not late or (met is not None and due.date() < window_start):
                continue
            kind = "return_visit.late" if deadline["name"] == "return_visit" else "order.overdue"
            owner_id, owner_role = _deadline_owner(order, deadline)
            what = "return visit" if kind == "return_visit.late" else f"{deadline['name'].replace('_', ' ')} deadline"
            state = f"met late at {deadline['met_at']}" if met else "not met yet"
            found.append(
                _finding(
                    kind,
                    f"{order['id']}:{deadline['name']}",
                    due.date(),
                    f"{order['number']}: the {what} was due {deadline['due_at']}, {state}.",
                    owner_id=owner_id,
                    owner_role=owner_role,
                    work_order_id=order["id"],
                    number=order["number"],
                    deadline=deadline["name"],
                    place_id=order["place_id"],
                    due_at=deadline["due_at"],
                    met_at=deadline["met_at"],
                )
            )
        if order["permit_flagged"] and order["kind"] == "rectification":
            found.append(
                _finding(
                    "permit.repeated_violations",
                    str(order["permit_id"]),
                    datetime.fromisoformat(order["reported_at"]).date(),
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


def _deadline_owner(order: dict[str, Any], deadline: dict[str, Any]) -> tuple[str | None, str | None]:
    """Who must act: the visit's specialist, the assignee, or the supervisors for an undispatched order."""
    if deadline["assignee_id"]:
        return deadline["assignee_id"], None
    if deadline["name"] == "rectification":
        return (order["reporter_ids"] or [None])[0], Role.SITE_SUPERVISOR.value
    if order["assignee_id"] and deadline["name"] != "notice":
        return order["assignee_id"], None
    return None, Role.SUPERVISOR.value


def _clock_findings(
    db: sqlite_utils.Database, property_id: str, days: list[date], settings: Settings
) -> list[dict[str, Any]]:
    found = []
    for fact in recon_facts.facts_of_day(db, property_id=property_id, days=[d.isoformat() for d in days]):
        if fact["clock_flag"]:
            found.append(
                _finding(
                    "record.clock_suspect",
                    fact["id"],
                    date.fromisoformat(fact["local_day"]),
                    f"A {fact['type'].replace('_', ' ')} claimed an implausible time ({fact['clock_flag']});"
                    " its deadlines run from when the server received it. Check the phone's clock.",
                    owner_id=fact["author_id"],
                    record_id=fact["id"],
                )
            )
    return found


def finding_scopes(property_id: str, finding: dict[str, Any]) -> list[str]:
    scopes = {feed.role_scope(property_id, role) for role in OVERSEERS}
    if finding["owner_id"]:
        scopes.add(feed.user_scope(finding["owner_id"]))
    elif finding["owner_role"]:
        scopes.add(feed.role_scope(property_id, finding["owner_role"]))
    return sorted(scopes)


def refresh_findings(
    db: sqlite_utils.Database, *, property_id: str, settings: Settings, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Recompute the findings of the window, store and publish what changed; call inside a transaction."""
    now = now or settings.now()
    window_start = (local_day(now, settings.tz) - timedelta(days=WINDOW_DAYS - 1)).isoformat()
    new = compute_findings(db, property_id=property_id, settings=settings, now=now)
    old = {row["id"]: row for row in findings.findings_from(db, property_id=property_id, day_from=window_start)}
    for finding in new:
        scopes = finding_scopes(property_id, finding)
        before = old.pop(finding["id"], None)
        if before is not None and before["data"] == finding and before["scopes"] == scopes:
            continue
        findings.save_finding(db, data=finding, scopes=scopes)
        for scope in scopes:
            feed.publish(db, scope=scope, kind="finding", entity_id=finding["id"], data=finding)
        for scope in set(before["scopes"] if before else []) - set(scopes):
            feed.publish(
                db, scope=scope, kind="finding", entity_id=finding["id"], data={"id": finding["id"]}, deleted=True
            )
    for gone in old.values():  # resolved: a late record filled the slot, or a correction changed the facts
        findings.delete_finding(db, id=gone["id"])
        for scope in gone["scopes"]:
            feed.publish(db, scope=scope, kind="finding", entity_id=gone["id"], data={"id": gone["id"]}, deleted=True)
    findings.mark_findings_refreshed(db, property_id=property_id, at=now)
    return new


def refresh_if_due(db: sqlite_utils.Database, *, property_id: str, settings: Settings, force: bool = False) -> None:
    """Refresh unless done within the last minute and nothing was pushed since (push marks findings stale)."""
    now = settings.now()
    last = findings.findings_refreshed_at(db, property_id=property_id)
    if not force and last is not None and last <= now < last + REFRESH_EVERY:
        return
    with transaction(db):
        refresh_findings(db, property_id=property_id, settings=settings, now=now)
