"""Findings and work-order history are said in the user's language from their fields, not in the server's English."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from mobile.context import AppContext
from mobile.state.ports import MemoryRef
from mobile.state.wording import (
    DEADLINES,
    HISTORY_ACTIONS,
    deadline_lines,
    finding_sentence,
    history_label,
    history_line,
    history_note,
    order_description,
)
from shared.i18n import LOCALES, Translator
from shared.model import WorkOrderAction, WorkOrderState
from tests.mobile.state_fixtures import demo_ref

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def findings_ctx(tmp_path, client, clock, tick):
    """A supervisor's phone one day after the server first looked: the routes were not walked, no site checks."""
    ctx = AppContext(data_dir=tmp_path / "phone", http=client)
    ctx.login("http://testserver", "demo-supervisor", "demo")
    ctx.sync_now()
    ctx.wait_sync()
    clock.advance(days=1, hours=2)
    tick()  # the server's findings tick
    ctx.sync_now()
    ctx.wait_sync()
    yield ctx
    ctx.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_real_findings_read_in_every_language_with_names_and_local_dates(findings_ctx, locale: str) -> None:
    ctx = findings_ctx
    tr = Translator(locale, ctx.tz)
    findings = ctx.ref.items("finding")
    kinds = {f["kind"] for f in findings}
    assert {"patrol.route_missed", "decoration.check_missed"} <= kinds
    for finding in findings:
        said = finding_sentence(tr, ctx.ref, finding)
        assert said != finding["message"] and "{" not in said
        assert tr.date(date(2026, 11, 23)) in said  # the day the fake clock left behind, as the user writes dates
        if finding["kind"] == "patrol.route_missed":
            route = ctx.ref.item("route", finding["route_id"])
            assert route is not None and route["name"] in said
        else:
            permit = ctx.ref.item("permit", finding["permit_id"])
            assert permit is not None and permit["contractor"] in said
            assert finding["place_id"] not in said  # the unit by its name, not its id
    if locale == "zh-Hans":
        route_missed = next(f for f in findings if f["kind"] == "patrol.route_missed")
        assert finding_sentence(tr, ctx.ref, route_missed).startswith("巡查路线“")


def synthetic_findings() -> list[dict]:
    """One finding of every other kind, shaped as sync_server.schedule makes them."""
    base = {"day": "2026-11-22", "message": "English from the server."}
    return [
        {
            **base,
            "kind": "patrol.checkpoint_skipped",
            "route_id": "r-lobby",
            "checkpoint_id": "cp2",
            "place_id": "b1-f2",
        },
        {
            **base,
            "kind": "return_visit.late",
            "number": "WO-7",
            "deadline": "return_visit",
            "place_id": "lobby",
            "due_at": "2026-11-22T04:00:00+00:00",
            "met_at": None,
            "work_order_id": "wo1",
        },
        {
            **base,
            "kind": "order.overdue",
            "number": "WO-8",
            "deadline": "notice",
            "place_id": "lobby",
            "due_at": "2026-11-22T04:00:00+00:00",
            "met_at": "2026-11-22T06:15:00+00:00",
            "work_order_id": "wo2",
        },
        {
            **base,
            "kind": "permit.repeated_violations",
            "permit_id": "pm1",
            "place_id": "b1-f2-u203",
            "work_order_id": "wo3",
        },
        {**base, "kind": "record.clock_suspect", "owner_id": "u-spec", "record_id": "x"},
    ]


def test_every_kind_reads_in_chinese_with_names_times_and_deadlines() -> None:
    ref = demo_ref()
    tr = Translator("zh-Hans", SHANGHAI)
    said = [finding_sentence(tr, ref, f) for f in synthetic_findings()]
    assert said[0] == "2026年11月22日 周日巡查“Lobby round”时漏查了巡查点“Stairs”。"
    assert said[1] == "工单 WO-7（Lobby）：回访应于 11月22日 12:00 前完成，至今未做。"
    assert said[2] == "工单 WO-8（Lobby）：派工通知期限为 11月22日 12:00，实际于 11月22日 14:15 完成，已超时。"
    assert said[3].startswith("Building 1 · Floor 2 · Unit 203 · Acme的装修")
    assert said[4].startswith("Li 的一条记录时间不合理")
    assert not any("English" in s for s in said)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_finding_sentence_leaves_a_placeholder(locale: str) -> None:
    tr = Translator(locale, SHANGHAI)
    for finding in synthetic_findings():
        said = finding_sentence(tr, demo_ref(), finding)
        assert said and "{" not in said and "English" not in said


def test_an_unknown_kind_keeps_the_servers_message() -> None:
    finding = {"kind": "elevator.inspection_due", "day": "2026-11-22", "message": "Elevator 2 inspection due."}
    assert finding_sentence(Translator("es"), MemoryRef(), finding) == "Elevator 2 inspection due."


def test_history_says_reconciliations_events_and_keeps_peoples_words() -> None:
    ref = MemoryRef({"work_order": [{"id": "wo-r", "number": "WO-12"}]})
    es = Translator("es")
    assert {a for a in HISTORY_ACTIONS if es.has(f"history.{a}")} == set(HISTORY_ACTIONS)
    assert all(es.has(f"deadline.{d}") for d in DEADLINES)
    failed = {"action": "return_visit_failed", "to_state": "rework", "verdict": "not_fixed", "note": "still dripping"}
    assert history_label(es, failed) == "Visita de seguimiento: hay que rehacer"
    assert history_note(es, ref, failed) == "No arreglado: still dripping"
    assert history_note(es, ref, {**failed, "note": ""}) == "No arreglado"
    assert history_note(es, ref, {"action": "rework_opened", "related_order_id": "wo-r"}) == "Orden de rehacer WO-12"
    passed = {"action": "closed_by_rework", "related_order_id": "wo-gone", "related_number": "WO-13"}
    assert history_note(es, ref, passed) == "La orden rehecha WO-13 pasó su visita de seguimiento."
    unseen = {"action": "closed_by_rework", "related_order_id": "wo-gone", "related_number": None}
    assert history_note(es, ref, unseen) == ""  # an order the reader cannot see is not shown by its id
    again = {
        "action": "violations_found_again",
        "violations": [
            {"item": "no_digging", "description": "hole in the wall"},
            {"item": "fire_safety", "description": "no extinguisher"},
        ],
        "note": "told the foreman",
    }
    assert history_note(es, ref, again) == (
        "Excavación no autorizada: hole in the wall; "
        "Riesgo de seguridad contra incendios: no extinguisher — told the foreman"
    )
    dispatched = {"action": "dispatch", "to_state": "dispatched", "note": "Llave en conserjería"}
    assert history_label(es, dispatched) == es.t("order_action.dispatch")
    assert history_note(es, ref, dispatched) == "Llave en conserjería"  # typed by a person: as written
    at = {**failed, "at": "2026-11-23T09:30:00+08:00", "actor_id": "u1"}
    line = history_line(Translator("es", SHANGHAI), ref, at, {"u1": "Li"})
    assert line == "23 nov 09:30 · Visita de seguimiento: hay que rehacer · Li — No arreglado: still dripping"
    noted = {"action": "return_visit_noted", "verdict": "fixed_satisfied", "note": ""}
    assert "ya no la esperaba" in history_label(es, noted)
    assert history_note(es, ref, noted) == "Arreglado, propietario satisfecho"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_waiting_action_says_why_from_its_reason_code(locale: str) -> None:
    tr = Translator(locale)
    waiting = {
        "action": "action_waiting",
        "note": "",
        "reason": "workflow.invalid_transition",
        "reason_detail": {"action": "complete", "state": "reported"},
    }
    said = history_note(tr, MemoryRef(), waiting)
    assert said == tr.t(
        "error.workflow.invalid_transition",
        action=tr.enum(WorkOrderAction.COMPLETE),
        state=tr.enum(WorkOrderState.REPORTED),
    )
    assert "{" not in said
    unknown = {"action": "action_skipped", "note": "by hand", "reason": "elevator.locked", "reason_detail": {}}
    assert history_note(tr, MemoryRef(), unknown) == "by hand"  # a code the app does not know: only people's words


def test_order_descriptions_are_said_from_their_fields() -> None:
    hant = Translator("zh-Hant")
    rework = {"kind": "rework", "verdict": "not_fixed", "description": "still dripping"}
    assert order_description(hant, rework) == "回訪未通過後返工（未修好） —— still dripping"
    bare = {"kind": "rework", "verdict": "dissatisfied", "description": ""}
    assert order_description(hant, bare) == "回訪未通過後返工（業主不滿意）"
    rectification = {
        "kind": "rectification",
        "violations": [{"item": "no_digging", "description": "hole in the wall"}],
        "description": "",
    }
    assert order_description(hant, rectification) == f"{hant.t('violation.no_digging')}: hole in the wall"
    repair = {"kind": "repair", "description": "no_digging: typed by a person"}
    assert order_description(hant, repair) == "no_digging: typed by a person"


def test_a_supervisor_acting_for_maintenance_is_said_on_behalf_of_them() -> None:
    users = {"u-sup": "Zhang", "u-maint": "Chen"}
    event = {"action": "complete", "to_state": "done", "at": "2026-11-23T09:30:00+08:00", "actor_id": "u-sup"}
    line = history_line(Translator("en", SHANGHAI), MemoryRef(), {**event, "on_behalf_of": "u-maint"}, users)
    assert line == "23 Nov 09:30 · Complete · Zhang on behalf of Chen"
    hans = history_line(Translator("zh-Hans", SHANGHAI), MemoryRef(), {**event, "on_behalf_of": "u-maint"}, users)
    assert hans.endswith("Zhang（代Chen）")
    assert "behalf" not in history_line(Translator("en", SHANGHAI), MemoryRef(), event, users)


def test_deadlines_say_met_late_missed_and_overdue() -> None:
    from datetime import UTC, datetime

    tr = Translator("en", SHANGHAI)
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    order = {
        "deadlines": [
            {"name": "handling", "due_at": "2026-11-22T10:00:00+08:00", "met_at": "2026-11-22T09:00:00+08:00"},
            {"name": "reply", "due_at": "2026-11-22T10:00:00+08:00", "met_at": "2026-11-22T11:00:00+08:00"},
            {"name": "return_visit", "due_at": "2026-11-22T10:00:00+08:00", "missed_at": "2026-11-22T16:00:00+08:00"},
            {"name": "notice", "due_at": "2026-11-23T10:00:00+08:00"},
            {"name": "rectification", "due_at": "2026-11-24T10:00:00+08:00"},
        ]
    }
    lines = deadline_lines(tr, order, now)
    assert [late for _, late in lines] == [False, True, True, True, False]
    assert lines[2][0].startswith(
        "Return visit: missed, the order was closed 22 Nov 16:00 without it (due 22 Nov 10:00)"
    )
    assert "overdue" in lines[3][0] and lines[4][0] == "Rectification: due 24 Nov 10:00"


def test_the_new_finding_kinds_read_in_every_language_and_unknown_codes_keep_the_servers_words() -> None:
    from mobile.state.messages import error_text
    from mobile.state.review import finding_key

    ref = demo_ref()
    unreported = {
        "kind": "patrol.issue_unreported",
        "day": "2026-11-22",
        "route_id": "r-lobby",
        "checkpoint_id": "cp1",
        "message": "English words",
    }
    missed = {
        "kind": "decoration.follow_up_missed",
        "day": "2026-11-22",
        "permit_id": "pm1",
        "due_at": "2026-11-22T10:00:00+08:00",
        "message": "English words",
    }
    for locale in LOCALES:
        tr = Translator(locale, SHANGHAI)
        for finding in (unreported, missed):
            assert finding_key(finding) != "finding.other"
            said = finding_sentence(tr, ref, finding)
            assert "English" not in said and "{" not in said and said
    assert "“Door” of “Lobby round”" in finding_sentence(Translator("en"), ref, unreported)
    # Without the fields the sentence needs, and for a kind or code newer than the app: the server's words.
    assert finding_sentence(Translator("es"), ref, {"kind": "patrol.issue_unreported", "message": "As sent"}) == (
        "As sent"
    )
    assert finding_key({"kind": "patrol.brand_new"}) == "finding.other"
    assert error_text(Translator("zh-Hans"), "order.brand_new_rule", "The server's own words.") == (
        "The server's own words."
    )
