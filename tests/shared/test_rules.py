"""Every deadline and schedule of DOMAIN.md, one test named after each rule, edges included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared import rules
from shared.model import DefectCategory, Slot

SHANGHAI = ZoneInfo("Asia/Shanghai")
MADRID = ZoneInfo("Europe/Madrid")  # a zone with daylight-saving time: 2026-03-29 and 2026-10-25


def local(tz: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=tz)  # type: ignore[misc]


def same_instant(a: datetime, b: datetime) -> bool:
    return a.astimezone(UTC) == b.astimezone(UTC)


def test_leak_repair_return_visit_due_in_3_days():
    completed = local(SHANGHAI, 2026, 11, 23, 23, 59)
    due = rules.return_visit_due(completed, DefectCategory.WATER_LEAKAGE, SHANGHAI)
    assert same_instant(due, local(SHANGHAI, 2026, 11, 26, 23, 59))
    assert not rules.is_overdue(due, local(SHANGHAI, 2026, 11, 26, 23, 59))
    assert rules.is_overdue(due, local(SHANGHAI, 2026, 11, 26, 23, 59) + timedelta(seconds=1))


def test_safety_facility_return_visit_due_in_2_days():
    completed = local(SHANGHAI, 2026, 11, 23, 8, 0)
    for category in (DefectCategory.SAFETY_FACILITIES, DefectCategory.FIRE_FACILITIES):
        assert same_instant(rules.return_visit_due(completed, category, SHANGHAI), local(SHANGHAI, 2026, 11, 25, 8, 0))


@pytest.mark.parametrize(
    "category", [c for c in DefectCategory if c not in rules.SAFETY_CATEGORIES and c.value != "water_leakage"]
)
def test_other_repair_return_visit_due_in_7_days(category):
    completed = local(SHANGHAI, 2026, 11, 23, 0, 0)
    assert same_instant(rules.return_visit_due(completed, category, SHANGHAI), local(SHANGHAI, 2026, 11, 30, 0, 0))


def test_leak_repair_completed_at_2359_the_night_before_dst_ends_is_due_at_2359_property_time():
    completed = local(MADRID, 2026, 10, 24, 23, 59)  # clocks go back at 03:00 on the 25th
    due = rules.return_visit_due(completed, DefectCategory.WATER_LEAKAGE, MADRID)
    assert due.astimezone(MADRID).replace(tzinfo=None) == datetime(2026, 10, 27, 23, 59)
    assert due.astimezone(UTC) - completed.astimezone(UTC) == timedelta(days=3, hours=1)  # one real hour longer


def test_safety_repair_completed_the_night_before_dst_starts_is_due_at_the_same_wall_time():
    completed = local(MADRID, 2026, 3, 28, 23, 59)  # clocks jump forward at 02:00 on the 29th
    due = rules.return_visit_due(completed, DefectCategory.SAFETY_FACILITIES, MADRID)
    assert due.astimezone(MADRID).replace(tzinfo=None) == datetime(2026, 3, 30, 23, 59)
    assert due.astimezone(UTC) - completed.astimezone(UTC) == timedelta(days=2, hours=-1)


def test_deadlines_are_counted_on_the_property_clock_whatever_the_zone_of_the_record():
    completed_utc = datetime(2026, 11, 23, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    due = rules.return_visit_due(completed_utc, DefectCategory.WATER_LEAKAGE, SHANGHAI)
    assert due.astimezone(SHANGHAI).replace(tzinfo=None) == datetime(2026, 11, 26, 23, 59)


def test_problem_on_return_visit_written_notice_within_24_hours():
    visited = local(SHANGHAI, 2026, 11, 23, 23, 59)
    due = rules.rework_notice_due(visited, SHANGHAI)
    assert same_instant(due, local(SHANGHAI, 2026, 11, 24, 23, 59))


def test_complaint_reply_within_72_hours():
    logged = local(SHANGHAI, 2026, 11, 23, 9, 15)
    assert same_instant(rules.complaint_reply_due(logged, SHANGHAI), local(SHANGHAI, 2026, 11, 26, 9, 15))


def test_repair_or_complaint_handled_within_24_hours():
    reported = local(SHANGHAI, 2026, 11, 23, 7, 40)
    due = rules.handling_due(reported, SHANGHAI)
    assert same_instant(due, local(SHANGHAI, 2026, 11, 24, 7, 40))
    assert not rules.is_overdue(due, due)
    assert rules.is_overdue(due, due + timedelta(microseconds=1))


def test_handling_deadline_across_dst_keeps_the_wall_clock_time():
    reported = local(MADRID, 2026, 10, 24, 12, 0)
    assert rules.handling_due(reported, MADRID).astimezone(MADRID).replace(tzinfo=None) == datetime(2026, 10, 25, 12, 0)


def test_renovation_sites_checked_twice_a_day():
    day = date(2026, 11, 23)
    assert rules.decoration_slots_due(day) == [(day, Slot.MORNING), (day, Slot.AFTERNOON)]
    assert rules.decoration_slot(local(SHANGHAI, 2026, 11, 23, 11, 59), SHANGHAI) is Slot.MORNING
    assert rules.decoration_slot(local(SHANGHAI, 2026, 11, 23, 12, 0), SHANGHAI) is Slot.AFTERNOON
    assert same_instant(rules.slot_ends_at(day, Slot.MORNING, SHANGHAI), local(SHANGHAI, 2026, 11, 23, 12, 0))
    assert same_instant(rules.slot_ends_at(day, Slot.AFTERNOON, SHANGHAI), local(SHANGHAI, 2026, 11, 24, 0, 0))


def test_renovation_application_reviewed_within_2_days():
    applied = local(SHANGHAI, 2026, 11, 23, 23, 59)
    assert same_instant(rules.renovation_review_due(applied, SHANGHAI), local(SHANGHAI, 2026, 11, 25, 23, 59))


def test_rectification_notice_deadline_defaults_to_24_hours_and_is_configurable():
    checked = local(SHANGHAI, 2026, 11, 23, 10, 0)
    assert same_instant(rules.rectification_due(checked, SHANGHAI), local(SHANGHAI, 2026, 11, 24, 10, 0))
    assert same_instant(rules.rectification_due(checked, SHANGHAI, 48), local(SHANGHAI, 2026, 11, 25, 10, 0))
    assert rules.follow_up_check_due(checked, SHANGHAI, 48) == rules.rectification_due(checked, SHANGHAI, 48)


def test_permit_with_repeated_violations_needs_preventive_measures():
    assert not rules.needs_preventive_measures(1)
    assert rules.needs_preventive_measures(2)


def test_patrol_route_due_daily_ends_at_the_next_midnight_property_time():
    assert same_instant(rules.day_ends_at(date(2026, 11, 23), SHANGHAI), local(SHANGHAI, 2026, 11, 24, 0, 0))
    assert rules.local_day(datetime(2026, 11, 23, 16, 30, tzinfo=UTC), SHANGHAI) == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("recorded", "flag"),
    [
        (timedelta(minutes=-10), None),
        (timedelta(minutes=4), None),
        (timedelta(hours=2), "clock.future"),
        (timedelta(days=-31), "clock.too_old"),
    ],
)
def test_deadlines_run_from_the_record_time_unless_the_clock_is_implausible(recorded, flag):
    received = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    at, got_flag = rules.effective_time(received + recorded, received)
    assert got_flag == flag
    assert at == (received if flag else received + recorded)


def test_a_renovation_permit_that_ended_is_due_no_check_from_the_day_it_ended() -> None:
    permit_checks_due_on = rules.permit_checks_due_on
    running = {"starts_on": "2026-11-20", "ends_on": "2026-11-30", "status": "active", "ended_on": None}
    assert [permit_checks_due_on(date(2026, 11, d), running) for d in (19, 20, 30)] == [False, True, True]
    assert not permit_checks_due_on(date(2026, 12, 1), running)  # past its end date, even if nobody ended it
    ended = {**running, "status": "ended", "ended_on": "2026-11-25"}
    assert [permit_checks_due_on(date(2026, 11, d), ended) for d in (20, 24, 25, 26)] == [True, True, False, False]
    withdrawn = {**running, "status": "withdrawn", "ended_on": None}  # never worked on: nothing was ever due
    assert not any(permit_checks_due_on(date(2026, 11, d), withdrawn) for d in range(20, 31))
