"""Supervisor review log: by day (property clock), person and place."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from mobile.state.review import ReviewLog
from tests.mobile.state_fixtures import T0, demo_ref

RECORDS = [
    {
        "id": "a",
        "type": "defect_report",
        "author_id": "u-spec",
        "recorded_at": T0.isoformat(),
        "body": {"place_id": "b1-f2-u203"},
    },
    {
        "id": "b",
        "type": "checkpoint_visit",
        "author_id": "u-spec",
        "recorded_at": (T0 + timedelta(hours=15)).isoformat(),
        "body": {"checkpoint_id": "cp9"},
    },
    {
        "id": "c",
        "type": "decoration_check",
        "author_id": "u-sup",
        "recorded_at": T0.isoformat(),
        "body": {"permit_id": "pm1"},
    },
]


def test_log_groups_by_local_day_newest_first_with_who_and_where() -> None:
    log = ReviewLog(ref=demo_ref(), records=RECORDS, tz=ZoneInfo("Asia/Shanghai"))
    groups = log.by_day()
    assert [d for d, _ in groups] == [date(2026, 11, 24), date(2026, 11, 23)]  # 16:30 UTC is next day there
    first = groups[0][1][0]
    assert (first.who, first.where) == ("Li", "Garage")
    assert {e.where for e in groups[1][1]} == {"Building 1 · Floor 2 · Unit 203"}


def test_log_filters_by_person_and_day() -> None:
    log = ReviewLog(ref=demo_ref(), records=RECORDS, tz=ZoneInfo("Asia/Shanghai"))
    assert [u["id"] for u in log.people()] == ["u-spec", "u-sup"]
    log.person = "u-sup"
    assert [e.record["id"] for e in log.entries()] == ["c"]
    log.person, log.day = None, date(2026, 11, 23)
    assert sorted(e.record["id"] for e in log.entries()) == ["a", "c"]
