"""Today: what this role has to do now, soonest first, overdue marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.orders import parse_time
from mobile.state.places import place_label
from mobile.views.widgets import card, primary, screen, secondary, section
from shared.model import Slot, WorkOrderState

if TYPE_CHECKING:
    from mobile.views.shell import Shell


def order_line(shell: Shell, order: dict[str, Any]) -> tuple[str, str, bool]:
    """Title, subtitle and overdue flag of a work order in a list."""
    from mobile.state.orders import is_overdue, order_severity, order_state
    from shared.model import DefectCategory, WorkOrderKind

    tr, ctx = shell.ctx.tr, shell.ctx
    parts = []
    try:
        parts.append(tr.enum(WorkOrderKind(order.get("kind"))))
    except ValueError:
        pass
    try:
        parts.append(tr.enum(DefectCategory(order.get("category"))))
    except ValueError:
        pass
    if order.get("number"):
        parts.insert(0, f"#{order['number']}")
    title = " · ".join(parts) or str(order["id"])
    place = place_label(ctx.ref, order.get("place_id"))
    board_state = shell.board.state_of(order) if shell.board else order_state(order)
    sub = [tr.enum(board_state if isinstance(board_state, WorkOrderState) else order_state(order))]
    severity = order_severity(order)
    if severity is not None:
        sub.append(tr.t("orders.severity", severity=tr.enum(severity)))
    if place:
        sub.append(place)
    due = parse_time(order.get("due_at"))
    overdue = is_overdue(order, ctx.now())
    if due is not None:
        sub.append(tr.t("common.overdue") if overdue else tr.t("common.due", when=tr.short(due)))
    return title, " · ".join(sub), overdue


def finding_card(shell: Shell, finding: dict[str, Any]) -> ft.Control:
    """A finding by its kind, said in the user's language from its fields (names and dates looked up here)."""
    from mobile.state.review import finding_key
    from mobile.state.wording import finding_detail

    tr = shell.ctx.tr
    return card(tr.t(finding_key(finding)), finding_detail(tr, shell.ctx.ref, finding), warn=True)


class TodayView:
    refresh_on_sync = True

    def __init__(self, shell: Shell) -> None:
        self.shell = shell

    def build(self) -> ft.Control:
        shell, ctx = self.shell, self.shell.ctx
        t, tr = ctx.tr.t, ctx.tr
        assert shell.board is not None
        today = ctx.today(shell.board)
        parts: list[ft.Control] = [
            ft.Text(t("today.hello", name=ctx.user.get("name", "")), theme_style=ft.TextThemeStyle.TITLE_LARGE),
            ft.Text(tr.date(ctx.now()), color=ft.Colors.ON_SURFACE_VARIANT),
        ]
        if today.completion_percent is not None:
            parts.append(ft.Text(t("today.completion", percent=today.completion_percent), weight=ft.FontWeight.W_600))
        if today.role.value in ("specialist", "supervisor", "admin"):
            parts.append(primary(t("today.new_defect"), lambda _: self._defect(), icon=ft.Icons.REPORT_PROBLEM))
            parts.append(
                secondary(t("today.new_complaint"), lambda _: self._complaint(), icon=ft.Icons.RECORD_VOICE_OVER)
            )
        if today.routes:
            parts.append(
                section(
                    t("today.routes"),
                    [
                        card(
                            str(r.route.get("name", r.route["id"])),
                            t("today.route_progress", done=r.done, count=r.total),
                            on_click=self._patrol(str(r.route["id"])),
                        )
                        for r in today.routes
                    ],
                )
            )
        if today.permits:
            rows = []
            for p in today.permits:
                states = [
                    t("renovation.checked" if s in p.done else "renovation.unchecked", slot=tr.enum(s)) for s in Slot
                ]
                title = f"{place_label(ctx.ref, p.permit.get('unit_id'))} · {p.permit.get('contractor', '')}"
                rows.append(
                    card(
                        title,
                        " · ".join(states),
                        on_click=self._renovation(str(p.permit["id"])),
                        warn=p.current not in p.done,
                    )
                )
            parts.append(section(t("today.permits"), rows))
        if today.visits:
            rows = []
            for v in today.visits:
                order_id = str(v.item.get("work_order_id") or v.item["id"])
                when = (
                    t("common.overdue") if v.overdue else t("common.due", when=tr.short(v.due_at)) if v.due_at else ""
                )
                rows.append(
                    card(
                        place_label(ctx.ref, v.item.get("place_id")) or order_id,
                        when,
                        on_click=self._visit(order_id),
                        warn=v.overdue,
                    )
                )
            parts.append(section(t("today.return_visits"), rows))
        for key, orders in (
            ("today.my_orders", today.my_orders),
            ("today.overdue_orders", today.overdue_orders),
            ("today.assigned", today.assigned),
        ):
            if orders:
                parts.append(section(t(key), [self._order_card(o) for o in orders]))
        if today.findings:
            parts.append(
                section(
                    t("today.findings"),
                    [finding_card(self.shell, f) for f in today.findings[:10]],
                )
            )
        return screen(parts, spacing=14)

    def _order_card(self, order: dict[str, Any]) -> ft.Control:
        title, sub, overdue = order_line(self.shell, order)
        return card(title, sub, on_click=self._order(str(order["id"])), warn=overdue)

    def _defect(self) -> None:
        from mobile.views.defect import DefectView

        self.shell.show(DefectView(self.shell))

    def _complaint(self) -> None:
        from mobile.views.complaint import ComplaintView

        self.shell.show(ComplaintView(self.shell))

    def _patrol(self, route_id: str) -> Any:
        return lambda _: self.shell.go("patrol", route_id=route_id)

    def _renovation(self, permit_id: str) -> Any:
        from mobile.views.renovation import RenovationView

        return lambda _: self.shell.show(RenovationView(self.shell, permit_id))

    def _visit(self, order_id: str) -> Any:
        from mobile.views.visit import VisitView

        return lambda _: self.shell.show(VisitView(self.shell, order_id))

    def _order(self, order_id: str) -> Any:
        from mobile.views.orders import OrderDetailView

        return lambda _: self.shell.show(OrderDetailView(self.shell, order_id))
