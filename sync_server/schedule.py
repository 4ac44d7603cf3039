"""What was due and what was missed: findings from the schedules, the stored facts and the orders, at an injected now.

Due: two checks a day of every active renovation permit, one walk a day of every patrol route
(every checkpoint of it, and a defect report for every issue found), every deadline of every work
order, a follow-up check after a renovation violation. A finding names who owns it (``owner_id``,
or ``owner_role`` when the schedule has no named person). Findings are stored and published to the
feed (kind ``finding``) so supervisors get them in their pull. Days are the property's own (its time
zone). Schedules count from the first day the server looked at them (``schedule_start``), so a new
install is not flooded with "misses" from before it existed.

Only the server's periodic ``tick`` computes findings, never a push or a pull: a push marks its property's
findings stale (``findings.mark_findings_stale``), and each tick refreshes the properties that are stale,
whose next slot, day or deadline has ended since (``Window.next_due``), or that were not refreshed for
``SETTLE``; once per tick however many requests came. A refresh computes on a read snapshot, without the
write lock, then stores and publishes in one short transaction only the findings that changed. Each
refresh covers every day since the last one it covered (at most ``MAX_DAYS``), so the misses of a week
nobody looked at are still recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from shared.model import RecordType, Role
from shared.rules import decoration_slots_due, local_day, permit_checks_due_on, slot_ends_at
from sync_server.db import Database, feed, findings, recon_facts, reference, transaction
from sync_server.schedule_orders import order_findings
from sync_server.schedule_patrol import patrol_findings
from sync_server.schedule_window import Window, finding
from sync_server.settings import Settings

RECHECK_DAYS = 7  # always re-judged, so a record synced late still resolves what it fulfils
MAX_DAYS = 62  # at most this far back after a long silence: bounds the work of one refresh
SETTLE = timedelta(minutes=15)  # refreshed at least this often: an administrator's edits mark nothing stale
OVERSEERS = ("supervisor", "admin")
log = logging.getLogger(__name__)


def window_of(db: Database, *, property_id: str, settings: Settings, now: datetime) -> Window:
    """From the last day refreshed (or a week ago, if later refreshes came since) to today, on the property's clock."""
    tz = reference.property_tz(db, property_id=property_id, default=settings.tz)
    today = local_day(now, tz)
    first = today - timedelta(days=RECHECK_DAYS - 1)
    last_covered = findings.refreshed_through(db, property_id=property_id)
    if last_covered is not None:
        first = min(first, date.fromisoformat(last_covered))
    first = max(first, today - timedelta(days=MAX_DAYS - 1))
    start = date.fromisoformat(findings.schedule_started(db, property_id=property_id) or today.isoformat())
    first = min(max(first, start), today)
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    return Window(property_id=property_id, tz=tz, now=now, days=days)


def _compute(db: Database, window: Window, *, named: list[str]) -> list[dict[str, Any]]:
    found = _missed_checks(db, window) + patrol_findings(db, window) + order_findings(db, window, named=named)
    found += _clock_findings(db, window)
    by_id: dict[str, dict[str, Any]] = {}
    for item in found:
        item["property_id"] = window.property_id
        kept = by_id.get(item["id"])
        # one finding per permit for repeated violations, however many flagged orders: the latest one's
        if kept is None or (item["day"], item.get("work_order_id") or "") > (
            kept["day"],
            kept.get("work_order_id") or "",
        ):
            by_id[item["id"]] = item
    return [by_id[k] for k in sorted(by_id)]


def _latest(item: dict[str, Any]) -> tuple[str, str]:
    return item["day"], str(item.get("work_order_id") or "")


def _missed_checks(db: Database, window: Window) -> list[dict[str, Any]]:
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
                if window.now < ends:
                    window.due_later(ends)
                    continue
                if (permit["id"], day, slot.value) in done:
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


def _clock_findings(db: Database, window: Window) -> list[dict[str, Any]]:
    found = []
    flagged = findings.flagged_facts(
        db,
        property_id=window.property_id,
        day_from=(window.days[0] - timedelta(days=2)).isoformat(),  # a fact's stored day may be in another zone
        day_to=(window.days[-1] + timedelta(days=2)).isoformat(),
        start=findings.utc(window.start),
        end=findings.utc(window.end),
    )
    corrected: dict[tuple[str, date], dict[str, Any]] = {}
    for fact in flagged:
        if fact["clock_flag"] in ("clock.fast", "clock.slow"):  # put right by the measured offset: one per phone a day
            corrected.setdefault((fact["author_id"], window.day_of(fact["effective_at"])), fact)
        elif fact["clock_flag"]:
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
    for (author_id, day), fact in sorted(corrected.items()):
        found.append(
            finding(
                "record.clock_corrected",
                f"clock:{author_id}:{day.isoformat()}",
                day,
                f"The phone's clock was off ({fact['clock_flag']}); the server put its records' times right."
                " Set the phone's clock.",
                owner_id=author_id,
                record_id=fact["id"],
            )
        )
    return found


def finding_scopes(property_id: str, finding: dict[str, Any], *, assigned_to: str | None = None) -> list[str]:
    """The overseers, the owner (a person or a role) and whoever a supervisor handed the finding to."""
    scopes = {feed.role_scope(property_id, role) for role in OVERSEERS}
    if finding["owner_id"]:
        scopes.add(feed.user_scope(finding["owner_id"]))
    elif finding["owner_role"]:
        scopes.add(feed.role_scope(property_id, finding["owner_role"]))
    if assigned_to:
        scopes.add(feed.user_scope(assigned_to))
    return sorted(scopes)


@dataclass(frozen=True)
class Refresh:
    findings: int  # how many the window holds now
    published: int  # feed entries written: changed findings (per scope) and withdrawn ones


def refresh_findings(
    db: Database, *, property_id: str, settings: Settings, now: datetime | None = None
) -> Refresh | None:
    """Recompute the findings of the window; store and publish only what changed (never inside a transaction).

    Computed on a read snapshot, so pushes go on meanwhile; written in one short transaction. None when
    another worker refreshed the property in between (its result is as new as this one).
    """
    now = now or settings.now()
    with findings.snapshot(db):
        mark = findings.refresh_mark(db, property_id=property_id)
        window = window_of(db, property_id=property_id, settings=settings, now=now)
        old = {
            r["id"]: r for r in findings.findings_from(db, property_id=property_id, day_from=window.days[0].isoformat())
        }
        named = sorted({str(r["data"]["work_order_id"]) for r in old.values() if r["data"].get("work_order_id")})
        new = _compute(db, window, named=named)
        old |= {r["id"]: r for r in findings.findings_by_ids(db, ids=[f["id"] for f in new if f["id"] not in old])}
    for item in new:
        before = old.get(item["id"])
        if item["kind"] == "permit.repeated_violations" and before and _latest(before["data"]) > _latest(item):
            item.update(before["data"])  # named a later order the candidates did not include: it stays
    changed = [f for f in new if _differs(property_id, f, old.get(f["id"]))]
    gone = sorted(old.keys() - {f["id"] for f in new})
    with transaction(db):
        if findings.refresh_mark(db, property_id=property_id)[1:] != mark[1:]:
            return None
        findings.start_schedule(db, property_id=property_id, today=window.days[-1].isoformat())
        current = {r["id"]: r for r in findings.findings_by_ids(db, ids=[f["id"] for f in changed] + gone)}
        published = 0
        for item in changed:  # read again under the lock: an acknowledgement may have come meanwhile
            published += _store(db, property_id, item, current.get(item["id"]))
        for gone_id in gone:  # resolved: a late record filled the slot, or a correction changed the facts
            row = current.get(gone_id)
            if row is not None:
                findings.delete_finding(db, id=gone_id)
                published += _withdraw(db, gone_id, row["scopes"])
        findings.mark_refreshed(db, property_id=property_id, seen=mark[0], at=now, next_due_at=window.next_due)
        findings.mark_refreshed_through(db, property_id=property_id, day=window.days[-1].isoformat())
    return Refresh(findings=len(new), published=published)


def _differs(property_id: str, item: dict[str, Any], before: dict[str, Any] | None) -> bool:
    if before is None:
        return True
    scopes = finding_scopes(property_id, item, assigned_to=before["assigned_to"])
    return bool(before["data"] != item or before["scopes"] != scopes)


def _store(db: Database, property_id: str, item: dict[str, Any], before: dict[str, Any] | None) -> int:
    scopes = finding_scopes(property_id, item, assigned_to=before["assigned_to"] if before else None)
    if before is not None and before["data"] == item and before["scopes"] == scopes:
        return 0
    published = findings.save_finding(db, data=item, scopes=scopes)  # with its acknowledgement, if any
    gone = sorted(set(before["scopes"] if before else []) - set(scopes))
    feed.publish(db, kind="finding", entity_id=item["id"], data=published, scopes=scopes, gone=gone)
    return len(scopes) + len(gone)


def _withdraw(db: Database, finding_id: str, scopes: list[str]) -> int:
    feed.publish(db, kind="finding", entity_id=finding_id, data=None, gone=scopes)
    return len(scopes)


def refresh_if_due(db: Database, *, property_id: str, settings: Settings) -> None:
    """Refresh one property now if the tick would (stale, past a boundary, or not refreshed for ``SETTLE``)."""
    now = settings.now()
    if property_id in findings.due_properties(db, now=now, refreshed_before=now - SETTLE):
        refresh_findings(db, property_id=property_id, settings=settings, now=now)


def tick(db: Database, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Refresh the findings of every property that is due; return how many findings each refreshed one has.

    The server calls this every ``settings.findings_tick_seconds``; one property failing does not stop the others.
    """
    now = now or settings.now()
    counts = {}
    for property_id in findings.due_properties(db, now=now, refreshed_before=now - SETTLE):
        try:
            done = refresh_findings(db, property_id=property_id, settings=settings, now=now)
        except Exception:
            log.exception("refreshing the findings of property %s failed", property_id)
            continue
        if done is not None:
            counts[property_id] = done.findings
    return counts
