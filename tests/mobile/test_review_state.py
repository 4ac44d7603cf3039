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


def test_findings_are_named_by_kind_newest_first() -> None:
    from mobile.state.ports import MemoryRef
    from mobile.state.review import finding_key, findings_newest_first

    ref = MemoryRef(
        {
            "finding": [
                {"id": "a", "kind": "patrol.route_missed", "day": "2026-11-22"},
                {"id": "b", "kind": "order.overdue", "day": "2026-11-23"},
                {"id": "c", "kind": "something.new", "day": "2026-11-21"},
            ]
        }
    )
    found = findings_newest_first(ref)
    assert [f["id"] for f in found] == ["b", "a", "c"]
    assert [finding_key(f) for f in found] == ["finding.order_overdue", "finding.patrol_route_missed", "finding.other"]


def test_record_summary_reads_in_the_users_language() -> None:
    from mobile.state.review import record_summary
    from shared.i18n import Translator

    body = {
        "category": "water_leakage",
        "severity": "urgent",
        "description": "Pipe burst",
        "violations": [{"item": "no_digging", "description": "Hole in the wall"}],
    }
    assert record_summary(Translator("zh-Hans"), body) == [
        "类别: 给排水/漏水",
        "严重程度: 紧急",
        "描述: Pipe burst",
        "违规: 乱挖 — Hole in the wall",
    ]
    assert record_summary(Translator("en"), {"result": "issue"}) == ["Problem found at the checkpoint"]


def test_the_log_says_how_presence_at_a_checkpoint_was_proven() -> None:
    from mobile.state.review import record_summary
    from shared.i18n import Translator

    en = Translator("en")
    visit = {"result": "ok", "proof": {"method": "scanned", "code": "CP-1"}}
    assert record_summary(en, visit)[1] == "Presence: code scanned (CP-1)"
    typed = {"result": "ok", "proof": {"method": "typed", "code": "CP-1"}}
    assert record_summary(en, typed)[1] == "Presence: code typed in (CP-1)"
    reason = {"result": "ok", "proof": {"method": "reason", "reason": "Label painted over"}}
    assert record_summary(Translator("zh-Hant"), reason)[1] == "到場證明：未掃碼，原因：Label painted over"
    complaint = {"owner_name": "Wang Fang", "contact": "138", "description": "Noise", "severity": "high"}
    assert record_summary(en, complaint) == [
        "Severity: High",
        "Owner's name: Wang Fang",
        "Phone or other contact: 138",
        "Description: Noise",
    ]


FILTERED = [
    {**RECORDS[0], "body": {**RECORDS[0]["body"], "category": "water_leakage", "description": "Pipe LEAKS under sink"}},
    {**RECORDS[1], "body": {**RECORDS[1]["body"], "note": "门禁损坏，需要维修"}},
    {**RECORDS[2], "body": {**RECORDS[2]["body"], "note": "All fine"}},
    {
        "id": "d",
        "type": "defect_report",
        "author_id": "u-sup",
        "recorded_at": (T0 - timedelta(days=3)).isoformat(),
        "body": {"place_id": "b1-f2-u203", "category": "electrical", "description": "Light out"},
    },
]


def ids(log: ReviewLog) -> list[str]:
    return sorted(e.record["id"] for e in log.entries())


def test_each_log_filter_narrows_the_entries() -> None:
    log = ReviewLog(ref=demo_ref(), records=FILTERED, tz=ZoneInfo("Asia/Shanghai"))
    assert ids(log) == ["a", "b", "c", "d"]
    log.start = date(2026, 11, 23)
    assert ids(log) == ["a", "b", "c"]
    log.end = date(2026, 11, 23)
    assert ids(log) == ["a", "c"]
    log.clear_filters()
    log.type = "defect_report"
    assert ids(log) == ["a", "d"]
    log.category = "electrical"
    assert ids(log) == ["d"]
    log.clear_filters()
    log.place = "b1-f2-u203"  # the decoration check's permit is for that unit too
    assert ids(log) == ["a", "c", "d"]
    assert ("b1-f2-u203", "Building 1 · Floor 2 · Unit 203") in log.places()
    assert log.types() == ["checkpoint_visit", "decoration_check", "defect_report"]
    assert log.categories() == ["electrical", "water_leakage"]
    log.person = "u-sup"
    assert ids(log) == ["c", "d"]


def test_log_search_matches_notes_and_descriptions_in_any_case_and_chinese() -> None:
    log = ReviewLog(ref=demo_ref(), records=FILTERED, tz=ZoneInfo("Asia/Shanghai"))
    log.query = "pipe leaks"
    assert ids(log) == ["a"]
    log.query = "门禁"
    assert ids(log) == ["b"]
    log.query = "  FINE "
    assert ids(log) == ["c"]
    log.query = "nowhere"
    assert ids(log) == []
