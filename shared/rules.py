"""The deadlines and schedules of DOMAIN.md as pure functions: the time is always an argument.

Deadlines are in calendar time and counted on the property's wall clock, so "3 days after
23:59" is 23:59 three days later, whatever the daylight-saving calendar does in between.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.model import DefectCategory, Slot

SAFETY_CATEGORIES = frozenset({DefectCategory.SAFETY_FACILITIES, DefectCategory.FIRE_FACILITIES})
HANDLING_HOURS = 24  # a repair or complaint handled, or the owner given feedback
COMPLAINT_REPLY_HOURS = 72
REWORK_NOTICE_HOURS = 24  # a failed return visit is notified in writing to maintenance
RECTIFICATION_HOURS_DEFAULT = 24
RENOVATION_REVIEW_DAYS = 2
REPEATED_VIOLATION_CHECKS = 2  # a permit with violations on this many checks needs corrective and preventive measures
AFTERNOON_STARTS = time(12, 0)
CLOCK_FUTURE_TOLERANCE = timedelta(minutes=5)
CLOCK_PAST_TOLERANCE = timedelta(days=30)
# A phone's clock is measured at each push (received_at - sent_at). Within CLOCK_OFFSET_IGNORED the
# difference cannot be told from the time the push took on the network, and the phone is believed; beyond
# CLOCK_OFFSET_FLAGGED its records are flagged for review; beyond CLOCK_OFFSET_MAX sent_at is nonsense.
CLOCK_OFFSET_IGNORED = timedelta(minutes=1)
CLOCK_OFFSET_FLAGGED = timedelta(minutes=5)
CLOCK_OFFSET_MAX = timedelta(days=400)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as routes and working hours name the days


def route_due_on(day: date, weekdays: str | list[str] | None) -> bool:
    """Whether a route walked on these weekdays ("mon,wed" or a list; none given: every day) is due on ``day``."""
    days = weekdays.split(",") if isinstance(weekdays, str) else weekdays
    return not days or WEEKDAYS[day.weekday()] in days


def add_wall_clock(at: datetime, tz: ZoneInfo, delta: timedelta) -> datetime:
    """``at`` plus ``delta`` on the property's wall clock, returned in the property's zone."""
    local = at.astimezone(tz).replace(tzinfo=None) + delta
    return local.replace(tzinfo=tz)


def return_visit_days(category: DefectCategory) -> int:
    """Safety facilities within 2 days, water leakage within 3, every other repair within a week."""
    if category in SAFETY_CATEGORIES:
        return 2
    if category is DefectCategory.WATER_LEAKAGE:
        return 3
    return 7


def return_visit_due(completed_at: datetime, category: DefectCategory, tz: ZoneInfo) -> datetime:
    return add_wall_clock(completed_at, tz, timedelta(days=return_visit_days(category)))


def handling_due(reported_at: datetime, tz: ZoneInfo) -> datetime:
    return add_wall_clock(reported_at, tz, timedelta(hours=HANDLING_HOURS))


def complaint_reply_due(logged_at: datetime, tz: ZoneInfo) -> datetime:
    return add_wall_clock(logged_at, tz, timedelta(hours=COMPLAINT_REPLY_HOURS))


def rework_notice_due(visited_at: datetime, tz: ZoneInfo) -> datetime:
    return add_wall_clock(visited_at, tz, timedelta(hours=REWORK_NOTICE_HOURS))


def rectification_due(checked_at: datetime, tz: ZoneInfo, hours: int = RECTIFICATION_HOURS_DEFAULT) -> datetime:
    return add_wall_clock(checked_at, tz, timedelta(hours=hours))


def follow_up_check_due(checked_at: datetime, tz: ZoneInfo, hours: int = RECTIFICATION_HOURS_DEFAULT) -> datetime:
    """A rectification notice is followed up by a check when its deadline runs out."""
    return rectification_due(checked_at, tz, hours)


def needs_preventive_measures(checks_with_violations: int) -> bool:
    return checks_with_violations >= REPEATED_VIOLATION_CHECKS


def renovation_review_due(applied_at: datetime, tz: ZoneInfo) -> datetime:
    return add_wall_clock(applied_at, tz, timedelta(days=RENOVATION_REVIEW_DAYS))


def decoration_slot(at: datetime, tz: ZoneInfo) -> Slot:
    """The check slot a moment falls in: morning before noon, afternoon from noon."""
    return Slot.MORNING if at.astimezone(tz).time() < AFTERNOON_STARTS else Slot.AFTERNOON


def decoration_slots_due(day: date) -> list[tuple[date, Slot]]:
    """Every active renovation permit is checked twice a day."""
    return [(day, Slot.MORNING), (day, Slot.AFTERNOON)]


def permit_checks_due_on(day: date, permit: dict[str, Any]) -> bool:
    """Whether a renovation permit is due its two checks on ``day``: on the days of its dates while it is active.

    A permit that has ended (passes taken back, fees settled; or withdrawn) is due no check from the day it ended
    on (``ended_on``): its days before that stay due, so the misses and the completion of those days keep counting.
    One that is no longer active and has no end day was never worked on: no day is due."""
    on = day.isoformat()
    if not str(permit.get("starts_on") or "")[:10] <= on <= str(permit.get("ends_on") or "")[:10]:
        return False
    if permit.get("status", "active") == "active":
        return True
    ended = str(permit.get("ended_on") or "")[:10]
    return bool(ended) and on < ended


def slot_ends_at(day: date, slot: Slot, tz: ZoneInfo) -> datetime:
    """When a check slot is over and a missing check becomes a miss: noon, or the next midnight."""
    if slot is Slot.MORNING:
        return datetime.combine(day, AFTERNOON_STARTS, tz)
    return day_ends_at(day, tz)


def day_ends_at(day: date, tz: ZoneInfo) -> datetime:
    """The first moment of the next day on the property's clock (a patrol due 'daily' is due by then)."""
    return datetime.combine(day + timedelta(days=1), time(0), tz)


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def is_overdue(due_at: datetime, now: datetime) -> bool:
    return now > due_at


def clock_offset(sent_at: datetime | None, received_at: datetime) -> timedelta:
    """What to add to a device's times to put them on the server's clock, measured from one push.

    ``sent_at`` is the device's clock when it sent the push, ``received_at`` the server's when it
    arrived. Zero when the device did not say, when the difference is within what the network takes,
    or when it is beyond belief (then effective_time's bounds judge each record as before).
    The phone uses the same rule on the offset it learns from the server's answers.
    """
    if sent_at is None:
        return timedelta(0)
    offset = received_at - sent_at
    if abs(offset) <= CLOCK_OFFSET_IGNORED or abs(offset) > CLOCK_OFFSET_MAX:
        return timedelta(0)
    return offset


def effective_time(
    recorded_at: datetime, received_at: datetime, offset: timedelta = timedelta(0)
) -> tuple[datetime, str | None]:
    """When a fact happened, on the server's clock: the device's time corrected by its measured ``offset``.

    A record whose corrected time is in the future, or far older than its sync, falls back to the
    receive time and carries a flag saying why. A correction larger than CLOCK_OFFSET_FLAGGED is
    applied and flagged ("clock.fast" or "clock.slow"), so a supervisor can have the phone's clock set.
    """
    corrected = recorded_at + offset
    if corrected > received_at + CLOCK_FUTURE_TOLERANCE:
        return received_at, "clock.future"
    if corrected < received_at - CLOCK_PAST_TOLERANCE:
        return received_at, "clock.too_old"
    if abs(offset) > CLOCK_OFFSET_FLAGGED:
        return corrected, "clock.fast" if offset < timedelta(0) else "clock.slow"
    return corrected, None
