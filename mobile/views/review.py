"""Supervisor review: orders by state and overdue, findings, and the synced log by day and person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.review import ReviewLog
from mobile.views.orders import OrdersView
from mobile.views.widgets import card, choices, screen, section

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class ReviewView:
    refresh_on_sync = True

    def __init__(self, shell: Shell, part: str = "orders") -> None:
        self.shell, self.part = shell, part
        self.log = ReviewLog(ref=shell.ctx.ref, records=[], tz=shell.ctx.tz)

    def build(self) -> ft.Control:
        ctx = self.shell.ctx
        t, tr = ctx.tr.t, ctx.tr
        tabs = choices(
            [("orders", t("review.orders")), ("findings", t("review.findings")), ("log", t("review.log"))],
            self.part,
            self._part,
        )
        if self.part == "orders":
            body = OrdersView(self.shell).build()
        elif self.part == "findings":
            findings = ctx.ref.items("finding")
            body = ft.Column(
                [
                    card(str(f.get("message") or f.get("kind") or f["id"]), str(f.get("at", "")[:16]), warn=True)
                    for f in findings
                ]
                or [ft.Text(t("common.nothing"))]
            )
        else:
            self.log.records = ctx.store.records(origin=None, limit=2000)
            people = [(None, t("orders.filter_all"))] + [(str(u["id"]), str(u.get("name"))) for u in self.log.people()]
            groups = []
            for day, entries in self.log.by_day():
                rows = []
                for e in entries:
                    from mobile.state.orders import parse_time
                    from shared.model import RecordType

                    at = parse_time(e.record.get("recorded_at"))
                    try:
                        kind = tr.enum(RecordType(e.record.get("type")))
                    except ValueError:
                        kind = str(e.record.get("type"))
                    rows.append(card(kind, " · ".join(x for x in (tr.time(at) if at else "", e.who, e.where) if x)))
                groups.append(section(tr.date(day) if day else "", rows))
            body = ft.Column(
                [choices(people, self.log.person, self._person), *groups] or [ft.Text(t("common.nothing"))], spacing=10
            )
        return screen([ft.Text(t("review.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE), tabs, body], spacing=10)

    def _part(self, value: Any) -> None:
        if value:
            self.part = value
            self.shell.render()

    def _person(self, value: Any) -> None:
        self.log.person = value
        self.shell.render()
