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
            from mobile.state.review import findings_newest_first
            from mobile.views.today import finding_card

            findings = findings_newest_first(ctx.ref)
            body = screen([finding_card(self.shell, f) for f in findings] or [ft.Text(t("common.nothing"))])
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
                    rows.append(
                        card(
                            kind,
                            " · ".join(x for x in (tr.time(at) if at else "", e.who, e.where) if x),
                            on_click=lambda _, entry=e: self.shell.show(RecordDetailView(self.shell, entry, self)),
                        )
                    )
                groups.append(section(tr.date(day) if day else "", rows))
            body = ft.Column(
                [choices(people, self.log.person, self._person), *self._filters(), *groups]
                + ([] if groups else [ft.Text(t("common.nothing"))]),
                spacing=10,
            )
        title = ft.Text(t("review.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE)
        return screen([title, *self._more(), tabs, body], spacing=10)

    def _more(self) -> list[ft.Control]:
        """The ways to the supervisor's Statistics and daily digest (mobile.views.stats, mobile.views.digest)."""
        from mobile.views.digest import DigestView
        from mobile.views.stats import StatsView
        from mobile.views.widgets import secondary

        t = self.shell.ctx.tr.t
        return [
            secondary(
                t("statsui.title"), lambda _: self.shell.show(StatsView(self.shell, self)), icon=ft.Icons.BAR_CHART
            ),
            secondary(t("digest.open"), lambda _: self.shell.show(DigestView(self.shell, self)), icon=ft.Icons.INBOX),
        ]

    def _filters(self) -> list[ft.Control]:
        """Dates, words and the place, type and category chips that narrow the log (mobile.state.review)."""
        from mobile.state.stats import parse_day
        from mobile.views.widgets import field, secondary
        from shared.model import DefectCategory, RecordType

        tr, log = self.shell.ctx.tr, self.log
        t = tr.t

        def named(enum: Any, value: str) -> str:
            try:
                return str(tr.enum(enum(value)))
            except ValueError:
                return value

        def day_set(attr: str) -> Any:
            return lambda text: setattr(log, attr, parse_day(text) if text.strip() else None)

        redraw = {"on_submit": lambda _: self.shell.render(), "on_blur": lambda _: self.shell.render()}
        out: list[ft.Control] = [
            field(
                t("review.search"), log.query, lambda v: setattr(log, "query", v), prefix_icon=ft.Icons.SEARCH, **redraw
            ),
            ft.Row(
                [
                    field(
                        t("review.filter_from"),
                        log.start.isoformat() if log.start else "",
                        day_set("start"),
                        expand=True,
                        **redraw,
                    ),
                    field(
                        t("review.filter_to"),
                        log.end.isoformat() if log.end else "",
                        day_set("end"),
                        expand=True,
                        **redraw,
                    ),
                ]
            ),
        ]
        for label, options, attr in (
            ("review.filter_place", log.places(), "place"),
            ("review.filter_type", [(v, named(RecordType, v)) for v in log.types()], "type"),
            ("review.filter_category", [(v, named(DefectCategory, v)) for v in log.categories()], "category"),
        ):
            if options:
                out.append(ft.Text(t(label), size=13))
                out.append(choices(options, getattr(log, attr), lambda v, a=attr: self._set(a, v), allow_none=True))
        out.append(secondary(t("review.clear_filters"), lambda _: self._clear(), icon=ft.Icons.FILTER_ALT_OFF))
        return out

    def _set(self, attr: str, value: Any) -> None:
        setattr(self.log, attr, value)
        self.shell.render()

    def _clear(self) -> None:
        self.log.clear_filters()
        self.shell.render()

    def _part(self, value: Any) -> None:
        if value:
            self.part = value
            self.shell.render()

    def _person(self, value: Any) -> None:
        self.log.person = value
        self.shell.render()


class RecordDetailView:
    """One synced record as the supervisor reviews it: what, who, when, where, the words and the photos."""

    refresh_on_sync = True  # photos from other phones appear when their download finishes

    def __init__(self, shell: Shell, entry: Any, back_to: ReviewView) -> None:
        self.shell, self.entry, self.back_to = shell, entry, back_to

    def build(self) -> ft.Control:
        from mobile.state.orders import parse_time
        from mobile.state.review import record_summary
        from mobile.views.photo_picker import thumbnails
        from mobile.views.widgets import back
        from shared.model import RecordType

        tr = self.shell.ctx.tr
        record = self.entry.record
        at = parse_time(record.get("recorded_at"))
        try:
            kind = tr.enum(RecordType(record.get("type")))
        except ValueError:
            kind = str(record.get("type"))
        body = record.get("body") or {}
        photos = list(body.get("photos") or []) + [p for v in body.get("violations") or [] for p in v.get("photos", [])]
        if body.get("signature"):
            photos.append(body["signature"])
        return screen(
            [
                back(tr, lambda _: self.shell.show(self.back_to)),
                ft.Text(kind, theme_style=ft.TextThemeStyle.TITLE_LARGE),
                ft.Text(" · ".join(x for x in (tr.datetime(at) if at else "", self.entry.who) if x)),
                ft.Text(self.entry.where),
                *[ft.Text(line) for line in record_summary(tr, body)],
                thumbnails(self.shell, list(dict.fromkeys(photos))),
            ]
        )
