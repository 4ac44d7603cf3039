"""Statistics for supervisors: a period, the targets met or missed, counts and rates, a Pareto and a trend chart.

A Pareto bar is tapped on the chart or, for screen readers and thumbs, on its row under the chart: both open the
orders behind it. The logic is in mobile.state.stats; this only draws it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft
import flet_charts as fch

from mobile.admin_api import AdminApi
from mobile.state.messages import problem_message
from mobile.state.stats import DOWNLOADS, PERIODS, TREND_SERIES, StatsState, percent
from mobile.views.downloads import saved_file
from mobile.views.widgets import back, card, choices, field, screen, secondary, section
from shared.model import DefectCategory, Role

if TYPE_CHECKING:
    from mobile.views.shell import Shell

SERIES_COLORS = [ft.Colors.BLUE, ft.Colors.ORANGE, ft.Colors.GREEN, ft.Colors.RED]
CHART_HEIGHT = 220
SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def category_name(tr: Any, category: str) -> str:
    try:
        return str(tr.enum(DefectCategory(category)))
    except ValueError:
        return category


class StatsView:
    def __init__(self, shell: Shell, back_to: Any = None, *, state: StatsState | None = None) -> None:
        self.shell, self.back_to = shell, back_to
        ctx = shell.ctx
        self.state = state or StatsState(
            AdminApi.of_store(ctx.http, ctx.store, ctx.tr.locale),
            lambda: _today(shell),
            property_id=_property(shell),
            data_dir=ctx.data_dir,
        )
        if state is None:
            self.state.load()

    def build(self) -> ft.Control:
        t, s = self.shell.ctx.tr.t, self.state
        tr = self.shell.ctx.tr
        out: list[ft.Control] = []
        if self.back_to is not None:
            out.append(back(tr, lambda _: self.shell.show(self.back_to)))
        out += [
            ft.Text(t("statsui.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
            choices([(p, t(f"statsui.period.{p}")) for p in PERIODS], s.period, self._pick),
        ]
        if s.period == "custom":
            out += [
                field(t("statsui.from"), s.custom_from, lambda v: setattr(s, "custom_from", v)),
                field(t("statsui.to"), s.custom_to, lambda v: setattr(s, "custom_to", v)),
                secondary(t("statsui.apply"), lambda _: self._pick("custom")),
            ]
        out.append(ft.Text(t("statsui.range", start=tr.date(s.start), end=tr.date(s.end)), weight=ft.FontWeight.W_600))
        if s.problem is not None:
            said = problem_message(tr, s.problem)
            offline = t("statsui.download_offline") if s.tried_download else t("statsui.offline")
            out.append(ft.Text(offline if s.offline else said, color=ft.Colors.ERROR))
        out.append(section(t("statsui.downloads"), self._downloads()))
        if s.category is not None:
            out += self._orders()
        elif s.figures is None:
            out.append(ft.Text(t("statsui.no_figures")))
        else:
            out += self._figures()
        return screen(out, spacing=12)

    # ---- parts ---------------------------------------------------------------------------
    def _downloads(self) -> list[ft.Control]:
        """The period's report and exports: saved under <data dir>/reports, then a copy offered where wanted."""
        t, s = self.shell.ctx.tr.t, self.state
        buttons: list[ft.Control] = [
            secondary(t(f"statsui.download.{name}"), lambda _, n=name: self._download(n), icon=ft.Icons.DOWNLOAD)
            for name, _, _ in DOWNLOADS
        ]
        return [ft.Row(buttons, wrap=True), *saved_file(self.shell, s.saved)]

    # ---- parts (figures) -------------------------------------------------------------------
    def _figures(self) -> list[ft.Control]:
        t, s = self.shell.ctx.tr.t, self.state
        targets = [
            card(
                f"{t(f'statsui.target.{g.name}')} · {t(f'statsui.{g.verdict}')}",
                t(
                    "statsui.target_line",
                    value=percent(g.value),
                    comparison=SIGNS.get(g.comparison, g.comparison),
                    target=percent(g.target),
                ),
                warn=g.met is False,
            )
            for g in s.targets()
        ]
        counts = [_pair(t(f"statsui.count.{name}"), str(n)) for name, n in s.counts()]
        rates = [_pair(t(f"statsui.rate.{name}"), percent(v)) for name, v in s.rates()]
        causes = [_pair(t(f"statsui.cause.{name}"), str(n)) for name, n in s.causes()]
        out = [section(t("statsui.targets"), targets or [ft.Text(t("common.nothing"))])]
        out.append(section(t("statsui.pareto"), self._pareto()))
        if s.trend():
            out.append(section(t("statsui.trend"), self._trend()))
        out.append(section(t("statsui.rates"), rates or [ft.Text(t("common.nothing"))]))
        out.append(section(t("statsui.counts"), counts or [ft.Text(t("common.nothing"))]))
        if causes:
            out.append(section(t("statsui.causes"), causes))
        return out

    def _pareto(self) -> list[ft.Control]:
        tr, s = self.shell.ctx.tr, self.state
        t = tr.t
        bars = s.bars()
        if not bars:
            return [ft.Text(t("common.nothing"))]
        top = max(b.count for b in bars) or 1
        headroom = top + max(1, round(top * 0.15))  # whole numbers on the axis, and room above the tallest bar
        chart = fch.BarChart(
            groups=[
                fch.BarChartGroup(
                    x=i,
                    rods=[
                        fch.BarChartRod(
                            to_y=b.count,
                            width=22,
                            color=ft.Colors.PRIMARY if b.key else ft.Colors.OUTLINE,
                            tooltip=f"{category_name(tr, b.category)}: {b.count}",
                            border_radius=4,
                        )
                    ],
                )
                for i, b in enumerate(bars)
            ],
            bottom_axis=fch.ChartAxis(
                labels=[
                    fch.ChartAxisLabel(value=i, label=ft.Text(category_name(tr, b.category)[:8], size=10))
                    for i, b in enumerate(bars)
                ],
                label_size=28,
            ),
            left_axis=fch.ChartAxis(label_size=32),
            max_y=headroom,
            interactive=True,
            on_event=self._bar_event,
            height=CHART_HEIGHT,
        )
        rows = [
            card(
                category_name(tr, b.category) + (f" · {t('statsui.key_few')}" if b.key else ""),
                t("statsui.bar_row", n=b.count, share=percent(b.share), cumulative=percent(b.cumulative)),
                on_click=lambda _, c=b.category: self._open(c),
            )
            for b in bars
        ]
        return [ft.Text(t("statsui.pareto_hint"), size=13), ft.Container(chart, padding=ft.Padding.only(top=16)), *rows]

    def _trend(self) -> list[ft.Control]:
        tr, s = self.shell.ctx.tr, self.state
        days = s.trend()
        step = max(1, len(days) // 6)  # a label every few days keeps them readable on a phone
        chart = fch.LineChart(
            data_series=[
                fch.LineChartData(
                    points=[fch.LineChartDataPoint(x=i, y=int(d.get(name) or 0)) for i, d in enumerate(days)],
                    color=color,
                    stroke_width=2,
                )
                for name, color in zip(TREND_SERIES, SERIES_COLORS, strict=True)
            ],
            bottom_axis=fch.ChartAxis(
                labels=[
                    fch.ChartAxisLabel(value=i, label=ft.Text(str(d.get("day", ""))[5:], size=10))
                    for i, d in enumerate(days)
                    if i % step == 0
                ],
                label_size=24,
            ),
            left_axis=fch.ChartAxis(label_size=32),
            min_y=0,
            height=CHART_HEIGHT,
        )
        chart = ft.Container(chart, padding=ft.Padding.only(top=16, right=20))
        legend = ft.Row(
            [
                ft.Row([ft.Container(width=12, height=12, bgcolor=c), ft.Text(tr.t(f"statsui.count.{n}"), size=12)])
                for n, c in zip(TREND_SERIES, SERIES_COLORS, strict=True)
            ],
            wrap=True,
        )
        return [chart, legend]

    def _orders(self) -> list[ft.Control]:
        from mobile.views.today import order_line

        tr, s = self.shell.ctx.tr, self.state
        rows = []
        for order in s.orders:
            title, sub, overdue = order_line(self.shell, order)
            rows.append(card(title, sub, warn=overdue, on_click=lambda _, o=order: self._order(o)))
        return [
            ft.Row(
                [ft.TextButton(content=tr.t("statsui.back_to_figures"), icon=ft.Icons.BAR_CHART, on_click=self._close)]
            ),
            section(
                tr.t("statsui.orders_of", category=category_name(tr, s.category or "")),
                rows or [ft.Text(tr.t("common.nothing"))],
            ),
        ]

    # ---- events --------------------------------------------------------------------------
    def _download(self, name: str) -> None:
        self.state.download(name)
        self.shell.render()

    def _pick(self, period: Any) -> None:
        if period:
            self.state.pick(str(period))
            self.shell.render()

    def _bar_event(self, e: Any) -> None:
        if e.type == fch.ChartEventType.TAP_UP and e.group_index is not None and e.group_index >= 0:
            bars = self.state.bars()
            if e.group_index < len(bars):
                self._open(bars[e.group_index].category)

    def _open(self, category: str) -> None:
        self.state.open_category(category)
        self.shell.render()

    def _close(self, _: Any = None) -> None:
        self.state.close_category()
        self.shell.render()

    def _order(self, order: dict[str, Any]) -> None:
        """An order the phone has opens in full; one it never pulled stays in this list (its line says enough)."""
        from mobile.views.orders import OrderDetailView

        if self.shell.ctx.ref.item("work_order", str(order["id"])) is not None:
            self.shell.show(OrderDetailView(self.shell, str(order["id"])))


def _pair(label: str, value: str) -> ft.Control:
    return ft.Row([ft.Text(label, expand=True), ft.Text(value, weight=ft.FontWeight.W_600)])


def _today(shell: Shell) -> date:
    return shell.ctx.now().astimezone(shell.ctx.tz).date()


def _property(shell: Shell) -> str | None:
    """An admin's figures are of the property this phone pulled; a supervisor's server picks their own."""
    if shell.ctx.user.get("role") != Role.ADMIN.value:
        return None
    props = shell.ctx.ref.items("property")
    return str(props[0]["id"]) if props else None
