"""Every screen builds from real synced data in every language, and no text on it is a raw catalog key."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import flet as ft
import pytest

from mobile.context import AppContext
from mobile.state.orders import OrdersBoard
from shared.i18n import LOCALE_DIR, LOCALES

SERVER_URL = "http://testserver"
KEYS = set(json.loads((LOCALE_DIR / "en.json").read_text(encoding="utf-8")))


def texts(control: Any) -> list[str]:
    """Every string a control tree shows: Text values, labels, button contents."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(c: Any) -> None:
        if c is None or id(c) in seen:
            return
        seen.add(id(c))
        if isinstance(c, str):
            found.append(c)
            return
        if isinstance(c, list | tuple):
            for x in c:
                walk(x)
            return
        if not isinstance(c, ft.BaseControl):
            return
        for name in ("value", "label", "content", "text", "controls", "hint_text", "title", "subtitle"):
            v = getattr(c, name, None)
            if isinstance(v, str) and name == "value" and not isinstance(c, ft.Text):
                continue  # a field's typed value is the user's, not a label
            walk(v)

    walk(control)
    return found


def screens(shell: Any) -> dict[str, Any]:
    from mobile.views.complaint import ComplaintView
    from mobile.views.defect import DefectView
    from mobile.views.orders import OrderDetailView, OrdersView
    from mobile.views.patrol import PatrolView
    from mobile.views.renovation import RenovationView
    from mobile.views.review import ReviewView
    from mobile.views.settings import SettingsView
    from mobile.views.today import TodayView
    from mobile.views.visit import VisitView

    ref = shell.ctx.ref
    permit = ref.items("permit")[0]["id"]
    route = ref.items("route")[0]["id"]
    views = {
        "today": TodayView(shell),
        "patrol": PatrolView(shell),
        "defect": DefectView(shell),
        "complaint": ComplaintView(shell),
        "renovation": RenovationView(shell, permit),
        "visit": VisitView(shell, "no-such-order"),
        "orders": OrdersView(shell),
        "settings": SettingsView(shell),
        "review-orders": ReviewView(shell, "orders"),
        "review-findings": ReviewView(shell, "findings"),
        "review-log": ReviewView(shell, "log"),
    }
    orders = ref.items("work_order")
    if orders:
        views["order"] = OrderDetailView(shell, orders[0]["id"])
    views["patrol-run"] = PatrolView(shell, route_id=route)
    from shared.model import ChecklistItem

    violated = RenovationView(shell, permit)
    violated.form.set_violation(ChecklistItem.NO_DISORDERLY_STACKING, True)
    views["renovation-violation"] = violated
    leaving = PatrolView(shell, route_id=route)
    leaving._close(None)  # asks "are you sure?" in the screen
    views["patrol-leave"] = leaving
    return views


@pytest.fixture
def supervisor_ctx(tmp_path: Path, client) -> Any:
    ctx = AppContext(data_dir=tmp_path / "phone", http=client)
    ctx.login(SERVER_URL, "demo-supervisor", "demo")
    ctx.sync_now()
    ctx.wait_sync()
    yield ctx
    ctx.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_screen_builds_and_shows_no_raw_key(supervisor_ctx: AppContext, locale: str) -> None:
    ctx = supervisor_ctx
    ctx.set_locale(locale)
    board = OrdersBoard(ref=ctx.ref, save=ctx.save, now=ctx.now, user=ctx.user)
    shell = SimpleNamespace(ctx=ctx, board=board, tab="today", patrol_run=None, page=None, render=lambda: None)
    built = {name: view.build() for name, view in screens(shell).items()}
    assert ctx.ref.items("permit") and ctx.ref.items("route")
    for name, control in built.items():
        shown = texts(control)
        assert shown, name
        raw = [s for s in shown if s in KEYS]
        assert not raw, f"{name} in {locale} shows raw keys {raw}"
    if locale == "zh-Hans":
        assert "装修巡查" in texts(built["renovation"])
        assert "业主投诉" in texts(built["complaint"])
    violation = texts(built["renovation-violation"])
    # The item keeps its passed wording on the switch; the violation says what is wrong.
    assert ctx.tr.t("renovation.violation_of", violation=ctx.tr.t("violation.no_disorderly_stacking")) in violation
    assert ctx.tr.t("checklist.no_disorderly_stacking") in violation
    if locale == "en":
        assert "Violation: Disorderly stacking" in violation
    leave = " ".join(texts(built["patrol-leave"]))
    assert ctx.tr.t("common.confirm") in leave and ctx.tr.t("common.cancel") in leave


def test_the_review_log_shows_its_filters_and_a_search_that_narrows_it(supervisor_ctx: AppContext) -> None:
    from mobile.views.review import ReviewView
    from shared.model import DefectCategory, DefectReport, RecordType, Severity

    ctx = supervisor_ctx
    unit = next(p for p in ctx.store.reference("place") if p["kind"] == "unit")
    report = DefectReport(
        place_id=unit["id"], category=DefectCategory.ELECTRICAL, severity=Severity.HIGH, description="Socket sparks"
    )
    ctx.save(RecordType.DEFECT_REPORT, report)
    board = OrdersBoard(ref=ctx.ref, save=ctx.save, now=ctx.now, user=ctx.user)
    shell = SimpleNamespace(ctx=ctx, board=board, tab="review", patrol_run=None, page=None, render=lambda: None)
    view = ReviewView(shell, "log")
    shown = texts(view.build())  # building reads the phone's records
    assert view.log.entries() and ctx.tr.t("common.nothing") not in shown  # the synced demo has records
    for key in ("review.search", "review.filter_from", "review.filter_to", "review.clear_filters"):
        assert ctx.tr.t(key) in shown
    view.log.query = "SOCKET"
    assert ctx.tr.t("common.nothing") not in texts(view.build()) and len(view.log.entries()) == 1
    view.log.query = "no record says this 无此记录"
    assert ctx.tr.t("common.nothing") in texts(view.build())
