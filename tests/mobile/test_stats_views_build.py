"""Statistics and the daily digest build in every language from contract-shaped figures and real synced data,
and show no raw catalog key; the Review screen leads to both."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import flet as ft
import flet_charts as fch
import httpx
import pytest

from mobile.admin_api import AdminApi
from mobile.context import AppContext
from mobile.state.orders import OrdersBoard
from mobile.state.stats import StatsState
from shared.i18n import LOCALES
from shared.model import DefectCategory
from tests.mobile.test_digest_state import NOW
from tests.mobile.test_digest_state import ref as digest_ref
from tests.mobile.test_stats_state import FIGURES, ORDERS
from tests.mobile.test_views_build_state import KEYS, supervisor_ctx, texts

__all__ = ["supervisor_ctx"]  # the fixture, shared with the other screens' build test


def figures_api(*, down: bool = False) -> AdminApi:
    def answer(request: httpx.Request) -> httpx.Response:
        if down:
            raise httpx.ConnectError("no network")
        if request.url.path == "/api/v1/stats":
            return httpx.Response(200, json=FIGURES)
        return httpx.Response(200, json={"orders": ORDERS, "now": "x"})

    return AdminApi(httpx.Client(transport=httpx.MockTransport(answer)), base_url="http://s", token="t")


def find(control: Any, kind: type) -> list[Any]:
    found: list[Any] = []

    def walk(c: Any) -> None:
        if isinstance(c, list | tuple):
            for x in c:
                walk(x)
            return
        if not isinstance(c, ft.BaseControl):
            return
        if isinstance(c, kind):
            found.append(c)
        for name in ("content", "controls"):
            walk(getattr(c, name, None))

    walk(control)
    return found


def shell_of(ctx: AppContext) -> Any:
    board = OrdersBoard(ref=ctx.ref, save=ctx.save, now=ctx.now, user=ctx.user)
    shown: list[Any] = []
    shell = SimpleNamespace(ctx=ctx, board=board, tab="review", patrol_run=None, page=None, render=lambda: None)
    shell.show = shown.append
    shell.shown = shown
    return shell


def built(shell: Any) -> dict[str, Any]:
    from mobile.views.digest import DigestView
    from mobile.views.review import ReviewView
    from mobile.views.stats import StatsView

    today = lambda: date(2026, 11, 4)  # noqa: E731
    out: dict[str, Any] = {}
    state = StatsState(figures_api(), today)
    state.pick("last_month")
    view = StatsView(shell, ReviewView(shell), state=state)
    out["stats"] = view.build()
    state.open_category("water_leakage")
    out["stats-orders"] = view.build()
    custom = StatsState(figures_api(down=True), today)
    custom.custom_from = "bad"
    custom.pick("custom")
    out["stats-custom"] = StatsView(shell, state=custom).build()
    offline = StatsState(figures_api(down=True), today)
    offline.pick("this_week")
    out["stats-offline"] = StatsView(shell, state=offline).build()
    offline.download("report")
    out["stats-download-offline"] = StatsView(shell, state=offline).build()
    saved = StatsState(figures_api(), today, data_dir=shell.ctx.data_dir)
    saved.pick("last_month")
    saved.download("orders")
    out["stats-saved"] = StatsView(shell, state=saved).build()
    out["digest-empty"] = DigestView(shell, ReviewView(shell)).build()  # the demo's fresh server: all quiet
    digest = DigestView(shell, ReviewView(shell))
    digest.state.ref = digest_ref()  # orders and findings in every state the digest lists
    digest.state.now = lambda: NOW
    out["digest"] = digest.build()
    digest.state.open("f1")
    digest.state.acknowledge()  # no note: says what to write
    out["digest-ack"] = digest.build()
    out["review"] = ReviewView(shell).build()
    return out


@pytest.mark.parametrize("locale", LOCALES)
def test_stats_and_digest_build_without_raw_keys(supervisor_ctx: AppContext, locale: str) -> None:
    ctx = supervisor_ctx
    ctx.set_locale(locale)
    t = ctx.tr.t
    shell = shell_of(ctx)
    screens = built(shell)
    for name, control in screens.items():
        shown = texts(control)
        raw = [s for s in shown if s in KEYS or s.startswith(("statsui.", "digest."))]
        assert shown and not raw, f"{name} in {locale} shows raw keys {raw}"
    stats = texts(screens["stats"])
    assert t("statsui.target.complaint_handling") + " · " + t("statsui.missed") in stats
    assert t("statsui.target.effective_handling") + " · " + t("statsui.met") in stats
    assert t("statsui.target.complaint_rate") + " · " + t("statsui.no_data") in stats
    water = ctx.tr.enum(DefectCategory.WATER_LEAKAGE)
    assert f"{water} · {t('statsui.key_few')}" in stats
    assert t("statsui.range", start=ctx.tr.date(date(2026, 10, 1)), end=ctx.tr.date(date(2026, 10, 31))) in stats
    bars = find(screens["stats"], fch.BarChart)
    assert len(bars) == 1 and [g.rods[0].to_y for g in bars[0].groups] == [12, 12, 6]
    assert len(find(screens["stats"], fch.LineChart)) == 1
    assert t("statsui.orders_of", category=water) in texts(screens["stats-orders"])
    assert t("statsui.bad_day") in texts(screens["stats-custom"])
    assert t("statsui.offline") in texts(screens["stats-offline"])
    assert t("statsui.download_offline") in texts(screens["stats-download-offline"])
    where = shell.ctx.data_dir / "reports" / "orders-2026-10-01-2026-10-31.xlsx"
    assert where.exists() and t("statsui.saved", path=str(where)) in texts(screens["stats-saved"])
    assert t("statsui.download.report") in texts(screens["stats"])
    assert t("digest.nothing") in texts(screens["digest-empty"])
    digest = texts(screens["digest"])
    assert t("digest.total", count=6) in digest
    for part, n in (("overdue", 2), ("reworked", 1), ("unassigned", 1), ("findings", 2)):
        assert f"{t(f'digest.{part}')} ({n})" in digest
    buttons = [b for b in find(screens["digest"], ft.OutlinedButton) if b.content == t("digest.acknowledge")]
    assert len(buttons) == 2  # one per finding not acknowledged
    ack = texts(screens["digest-ack"])
    assert t("digest.note_missing") in ack and t("digest.assign_to") in ack and "Li" in ack
    review = texts(screens["review"])
    assert t("statsui.title") in review and t("digest.open") in review


def test_tapping_the_top_bar_on_the_chart_opens_its_orders(supervisor_ctx: AppContext) -> None:
    from mobile.views.stats import StatsView

    shell = shell_of(supervisor_ctx)
    state = StatsState(figures_api(), lambda: date(2026, 11, 4))
    state.pick("last_month")
    view = StatsView(shell, state=state)
    hover = SimpleNamespace(type=fch.ChartEventType.POINTER_HOVER, group_index=0)
    view._bar_event(hover)
    assert state.category is None  # hovering is not choosing
    view._bar_event(SimpleNamespace(type=fch.ChartEventType.TAP_UP, group_index=0))
    assert state.category == "water_leakage" and [o["id"] for o in state.orders] == ["o1"]
    assert any("#7" in s for s in texts(view.build()))
