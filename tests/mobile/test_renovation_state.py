"""Renovation site check: slot by the clock, checklist, workers vs passes, deadline shown before saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from mobile.state.renovation import SiteCheckForm, active_permits, checked_slots
from shared.model import ChecklistItem, RecordType, Slot
from tests.mobile.state_fixtures import T0, Saved, demo_ref

TZ = ZoneInfo("Asia/Shanghai")


def form(now: datetime = T0) -> tuple[SiteCheckForm, Saved]:
    saved = Saved()
    f = SiteCheckForm(ref=demo_ref(), save=saved, now=lambda: now, tz=TZ, permit_id="pm1", rectification_hours=24)
    return f, saved


def test_only_permits_active_today_are_listed() -> None:
    assert [p["id"] for p in active_permits(demo_ref(), date(2026, 11, 23))] == ["pm1"]


def test_slot_is_chosen_by_the_property_clock() -> None:
    assert form(T0)[0].slot is Slot.MORNING  # 09:30 Shanghai
    assert form(T0 + timedelta(hours=3))[0].slot is Slot.AFTERNOON  # 12:30 Shanghai


def test_a_clean_check_passes_every_item_and_has_no_deadline() -> None:
    f, saved = form()
    f.set_counts(3, 3)
    assert f.rectification_deadline() is None
    assert f.submit() == []
    (body,) = saved.of(RecordType.DECORATION_CHECK)
    assert body.passed == list(ChecklistItem) and body.violations == [] and body.slot is Slot.MORNING


def test_more_workers_than_passes_marks_the_violation_and_asks_for_its_description() -> None:
    f, saved = form()
    f.set_counts(workers=5, passes=3)
    assert ChecklistItem.WORKERS_HAVE_PASSES in f.violations
    assert [p.key for p in f.submit()] == ["renovation.violation_missing"]
    f.describe(ChecklistItem.WORKERS_HAVE_PASSES, "Two workers without a temporary pass")
    f.add_violation_photo(ChecklistItem.WORKERS_HAVE_PASSES, "c" * 64)
    assert f.submit() == []
    (body,) = saved.of(RecordType.DECORATION_CHECK)
    assert body.violations[0].photos == ["c" * 64] and body.workers_seen == 5


def test_unmarking_the_pass_violation_while_short_of_passes_is_refused() -> None:
    f, saved = form()
    f.set_counts(5, 3)
    f.set_violation(ChecklistItem.WORKERS_HAVE_PASSES, False)
    assert "renovation.passes_short" in [p.key for p in f.submit()]
    assert saved.records == []


def test_the_rectification_deadline_is_shown_before_saving() -> None:
    f, _ = form()
    f.set_violation(ChecklistItem.NO_DIGGING, True)
    deadline = f.rectification_deadline()
    assert deadline is not None
    assert deadline.astimezone(UTC) == T0 + timedelta(hours=24)
    assert deadline.tzinfo == TZ


def test_checked_slots_come_from_todays_records() -> None:
    records = [
        {"type": "decoration_check", "recorded_at": T0.isoformat(), "body": {"permit_id": "pm1", "slot": "morning"}},
        {
            "type": "decoration_check",
            "recorded_at": (T0 - timedelta(days=1)).isoformat(),
            "body": {"permit_id": "pm1", "slot": "afternoon"},
        },
    ]
    assert checked_slots(records, "pm1", date(2026, 11, 23), TZ) == {Slot.MORNING}


def test_the_deadline_follows_the_propertys_own_rule() -> None:
    from mobile.state.ports import MemoryRef
    from mobile.state.renovation import DEFAULT_RECTIFICATION_HOURS, rectification_hours

    ref = demo_ref()
    assert rectification_hours(ref) == DEFAULT_RECTIFICATION_HOURS == 24  # the property item does not say
    ref.data["property"] = [{"id": "p", "tz": "Asia/Shanghai", "rectification_hours": 48}]
    assert rectification_hours(ref) == 48
    saved = Saved()
    f = SiteCheckForm(
        ref=ref, save=saved, now=lambda: T0, tz=TZ, permit_id="pm1", rectification_hours=rectification_hours(ref)
    )
    f.set_violation(ChecklistItem.NO_DISORDERLY_STACKING, True)
    deadline = f.rectification_deadline()
    assert deadline is not None and deadline.astimezone(UTC) == T0 + timedelta(hours=48)
    assert rectification_hours(MemoryRef({"property": [{"id": "p", "rectification_hours": "48"}]})) == 24
