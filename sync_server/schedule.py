"""What was due and what was missed: findings from the schedules, the stored facts and the orders, at an injected now.

Due: two checks a day of every active renovation permit, one walk a day of every patrol route
(every checkpoint of it, and a defect report for every issue found), every deadline of every work
order, a follow-up check after a renovation violation. A finding names who owns it (``owner_id``,
or ``owner_role`` when the schedule has no named person). Findings are stored and published to the
feed (kind ``finding``) so supervisors get them in their pull. Days are the property's own (its time
zone). Schedules count from the first day the server looked at them (``schedule_start``), so a new
install is not flooded with "misses" from before it existed.

The server's periodic ``tick`` refreshes every property, so findings are recorded when they fall due,
not when someone looks. Each refresh covers every day since the last one it covered (at most
``MAX_DAYS``), so the misses of a week nobody looked at are still recorded.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

import sqlite_utils

from shared.model import RecordType, Role
from shared.rules import decoration_slots_due, local_day, permit_checks_due_on, slot_ends_at
from sync_server.db import feed, findings, recon_facts, reference, transaction
from sync_server.schedule_orders import order_findings
from sync_server.schedule_patrol import patrol_findings
from sync_server.schedule_window import Window, finding
from sync_server.settings import Settings

RECHECK_DAYS = 7  # always re-judged, so a record synced late still resolves what it fulfils
MAX_DAYS = 62  # at most this far back after a long silence: bounds the work of one refresh
REFRESH_EVERY = timedelta(minutes=1)
OVERSEERS = ("supervisor", "admin")
log = logging.getLogger(__name__)


def window_of(db: sqlite_utils.Database, *, property_id: str, settings: Settings, now: datetime) -> Window:
    """From the last day refreshed (or a week ago, if later refreshes came since) to today, on the property's clock."""
    tz = reference.property_tz(db, property_id=property_id, default=settings.tz)
    today = local_day(now, tz)
    first = today - timedelta(days=RECHECK_DAYS - 1)
    last_covered = findings.refreshed_through(db, property_id=property_id)
    if last_covered is not None:
        first = min(first, date.fromisoformat(last_covered))
    first = max(first, today - timedelta(days=MAX_DAYS - 1))
    start = date.fromisoformat(findings.schedule_start(db, property_id=property_id, today=today.isoformat()))
    first = min(max(first, start), today)
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    return Window(property_id=property_id, tz=tz, now=now, days=days)


def _compute(db: sqlite_utils.Database, window: Window) -> list[dict[str, Any]]:
    found = _missed_checks(db, window) + patrol_findings(db, window) + order_findings(db, window)
    found += _clock_findings(db, window)
    for item in found:
        item["property_id"] = window.property_id
    return sorted(found, key=lambda f: f["id"])


def _missed_checks(db: sqlite_utils.Database, window: Window) -> list[dict[str, Any]]:
    checks = recon_facts.facts_between(
        db,
        property_id=window.property_id,
        start=window.start,
        end=window.end,
        types=[RecordType.DECORATION_CHECK.value],
    )
    corrected = recon_facts.superseded_among(db, ids=[c["id"] for c in checks])
    done = {(c["permit_id"], window.day_of(c["effective_at"]), c["slot"]) for c in checks if c["id"] not in corrected}
    found = []
    permits = reference.permits_between(
        db, property_id=window.property_id, day_from=window.days[0].isoformat(), day_to=window.days[-1].isoformat()
    )
    for permit in permits:  # ended ones too: the days before they ended stay due
        for day in window.days:
            if not permit_checks_due_on(day, permit):
                continue
            for _, slot in decoration_slots_due(day):
                ends = slot_ends_at(day, slot, window.tz)
                if window.now < ends or (permit["id"], day, slot.value) in done:
                    continue
                found.append(
                    finding(
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


def _clock_findings(db: sqlite_utils.Database, window: Window) -> list[dict[str, Any]]:
    found = []
    types = [t.value for t in RecordType]
    for fact in recon_facts.facts_between(
        db, property_id=window.property_id, start=window.start, end=window.end, types=types
    ):
        if fact["clock_flag"]:
            found.append(
                finding(
                    "record.clock_suspect",
                    fact["id"],
                    window.day_of(fact["effective_at"]),
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
    window = window_of(db, property_id=property_id, settings=settings, now=now)
    new = _compute(db, window)
    old = {r["id"]: r for r in findings.findings_from(db, property_id=property_id, day_from=window.days[0].isoformat())}
    # an order's deadline due before the window is still judged (it may be met yet): compare with what is stored
    old_ids = set(old)
    old |= {r["id"]: r for r in findings.findings_by_ids(db, ids=[f["id"] for f in new if f["id"] not in old_ids])}
    for item in new:
        scopes = finding_scopes(property_id, item)
        before = old.pop(item["id"], None)
        if before is not None and before["data"] == item and before["scopes"] == scopes:
            continue
        published = findings.save_finding(db, data=item, scopes=scopes)  # with its acknowledgement, if any
        gone = before["scopes"] if before else []
        feed.publish(db, kind="finding", entity_id=item["id"], data=published, scopes=scopes, gone=gone)
    for gone in old.values():  # resolved: a late record filled the slot, or a correction changed the facts
        findings.delete_finding(db, id=gone["id"])
        feed.publish(db, kind="finding", entity_id=gone["id"], data=None, gone=gone["scopes"])
    findings.mark_findings_refreshed(db, property_id=property_id, at=now)
    findings.mark_refreshed_through(db, property_id=property_id, day=window.days[-1].isoformat())
    return new


def refresh_if_due(db: sqlite_utils.Database, *, property_id: str, settings: Settings, force: bool = False) -> None:
    """Refresh unless done within the last minute and nothing was pushed since (push marks findings stale)."""
    now = settings.now()
    last = findings.findings_refreshed_at(db, property_id=property_id)
    if not force and last is not None and last <= now < last + REFRESH_EVERY:
        return
    with transaction(db):
        refresh_findings(db, property_id=property_id, settings=settings, now=now)


def tick(db: sqlite_utils.Database, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Refresh the findings of every property, one transaction each; return how many each has now.

    The server calls this every ``settings.findings_tick_seconds``; one property failing does not stop the others.
    """
    now = now or settings.now()
    counts = {}
    for property_id in findings.property_ids(db):
        try:
            with transaction(db):
                counts[property_id] = len(refresh_findings(db, property_id=property_id, settings=settings, now=now))
        except Exception:
            log.exception("refreshing the findings of property %s failed", property_id)
    return counts
