"""Work orders: a list by state and overdue, and a detail with history, photos and the role's actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.admin_api import AdminApi
from mobile.state.downloads import OrderRecordDownload
from mobile.state.messages import problem_message
from mobile.state.orders import CONFIRM_ACTIONS
from mobile.state.ports import Problem
from mobile.state.wording import deadline_lines, history_line, order_description
from mobile.views.downloads import saved_file
from mobile.views.photo_picker import thumbnails
from mobile.views.today import order_line
from mobile.views.widgets import (
    TOUCH,
    back,
    card,
    choices,
    confirm_box,
    field,
    problem_texts,
    screen,
    secondary,
    section,
)
from shared.model import WorkOrderAction, WorkOrderState

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class OrdersView:
    refresh_on_sync = True

    def __init__(self, shell: Shell) -> None:
        self.shell = shell

    def build(self) -> ft.Control:
        ctx, board = self.shell.ctx, self.shell.board
        assert board is not None
        t, tr = ctx.tr.t, ctx.tr
        counts = board.counts_by_state()
        options: list[tuple[Any, str]] = [(None, t("orders.filter_all")), ("overdue", t("orders.filter_overdue"))]
        options += [(s, f"{tr.enum(s)} ({counts[s]})") for s in WorkOrderState if counts[s]]
        selected = "overdue" if board.overdue_only else board.state_filter
        rows = []
        for order in board.visible():
            title, sub, overdue = order_line(self.shell, order)
            rows.append(
                card(
                    title,
                    sub,
                    warn=overdue,
                    on_click=lambda _, oid=str(order["id"]): self.shell.show(OrderDetailView(self.shell, oid)),
                )
            )
        return screen(
            [
                ft.Text(t("orders.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
                choices(options, selected, self._filter),
                *(rows or [ft.Text(t("common.nothing"))]),
            ],
            spacing=8,
        )

    def _filter(self, value: Any) -> None:
        board = self.shell.board
        assert board is not None
        board.overdue_only = value == "overdue"
        board.state_filter = value if isinstance(value, WorkOrderState) else None
        self.shell.render()


class OrderDetailView:
    refresh_on_sync = True

    def __init__(self, shell: Shell, order_id: str) -> None:
        self.shell, self.order_id = shell, order_id
        self.assignee: str | None = None
        self.note = ""
        self.problems: list[Problem] = []
        self.confirming: WorkOrderAction | None = None  # an action waiting for "are you sure?"
        ctx = shell.ctx
        self.record = OrderRecordDownload(AdminApi.of_store(ctx.http, ctx.store, ctx.tr.locale), ctx.data_dir, ctx.user)

    def build(self) -> ft.Control:
        ctx, board = self.shell.ctx, self.shell.board
        assert board is not None
        t, tr = ctx.tr.t, ctx.tr
        order = ctx.ref.item("work_order", self.order_id)
        if order is None:
            return ft.Text(t("common.nothing"))
        title, sub, overdue = order_line(self.shell, order)
        users = {str(u["id"]): str(u.get("name", u["id"])) for u in ctx.ref.items("user")}
        history: list[ft.Control] = [
            ft.Text(history_line(tr, ctx.ref, h, users), size=13) for h in board.history(order)
        ]
        actions = board.actions(order)
        controls: list[ft.Control] = [
            back(tr, lambda _: self.shell.go(self.shell.tab)),
            ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_LARGE),
            ft.Text(sub, color=ft.Colors.ERROR if overdue else None),
            ft.Text(order_description(tr, order)),
        ]
        if order.get("owner_name") or order.get("contact"):
            who = " · ".join(str(x) for x in (order.get("owner_name"), order.get("contact")) if x)
            controls.append(ft.Text(f"{t('complaint.owner_name')}: {who}"))
        if order.get("assignee_id"):
            controls.append(ft.Text(f"{t('orders.assignee')}: {users.get(str(order['assignee_id']), '')}"))
        controls.append(thumbnails(self.shell, list(order.get("photos") or [])))
        deadlines = deadline_lines(tr, order, ctx.now())
        if deadlines:
            controls.append(
                section(
                    t("orders.deadlines"),
                    [ft.Text(text, size=13, color=ft.Colors.ERROR if late else None) for text, late in deadlines],
                )
            )
        if history:
            earlier = board.earlier_steps(order)
            if earlier:  # the feed sends the latest steps of a long order; the rest is in its record
                history.insert(0, ft.Text(t("orders.earlier_steps", count=earlier), size=13, italic=True))
            controls.append(section(t("orders.history"), history))
        controls += self._record(order)
        if not actions:
            controls.append(ft.Text(t("orders.no_actions"), color=ft.Colors.ON_SURFACE_VARIANT))
        else:
            if WorkOrderAction.DISPATCH in actions:
                controls += [
                    ft.Text(t("orders.choose_assignee"), weight=ft.FontWeight.W_600),
                    choices(
                        [(str(u["id"]), str(u.get("name", u["id"]))) for u in board.assignees()],
                        self.assignee,
                        self._assignee,
                    ),
                ]
            hint = None
            if WorkOrderAction.REPLY in actions or WorkOrderAction.CLOSE in actions:
                hint = t("orders.note_hint_reply" if WorkOrderAction.REPLY in actions else "orders.note_hint_close")
            controls.append(
                field(
                    t("common.note"),
                    self.note,
                    lambda v: setattr(self, "note", v),
                    multiline=True,
                    helper=hint,
                )
            )
            controls += problem_texts(tr, self.problems)
            if self.confirming is not None:
                action = self.confirming
                controls.append(
                    confirm_box(
                        t("orders.confirm_close"),
                        tr.enum(action),
                        lambda _: self._act(order, action, confirmed=True),
                        t("common.cancel"),
                        lambda _: self._cancel(),
                    )
                )
            controls.append(
                ft.Row(
                    [
                        ft.FilledButton(content=tr.enum(a), height=TOUCH, on_click=lambda _, a=a: self._act(order, a))
                        for a in actions
                    ],
                    wrap=True,
                )
            )
        return screen(controls, spacing=8)

    def _record(self, order: dict[str, Any]) -> list[ft.Control]:
        """The order's record as PDF for the owner's file (supervisors and admins), saved like Statistics' downloads."""
        rec, tr = self.record, self.shell.ctx.tr
        if not rec.allowed:
            return []
        out: list[ft.Control] = [
            secondary(tr.t("orders.download_record"), lambda _: self._download(order), icon=ft.Icons.DOWNLOAD)
        ]
        if rec.problem is not None:
            said = tr.t("orders.record_offline") if rec.offline else problem_message(tr, rec.problem)
            out.append(ft.Text(said, color=ft.Colors.ERROR))
        return out + saved_file(self.shell, rec.saved)

    def _download(self, order: dict[str, Any]) -> None:
        self.record.download(order)
        self.shell.render()

    def _assignee(self, value: str | None) -> None:
        self.assignee = value
        self.shell.render()

    def _cancel(self) -> None:
        self.confirming = None
        self.shell.render()

    def _act(self, order: dict[str, Any], action: WorkOrderAction, *, confirmed: bool = False) -> None:
        board = self.shell.board
        assert board is not None
        if action in CONFIRM_ACTIONS and not confirmed:
            problem = board.problem(order, action, note=self.note, assignee_id=self.assignee)
            self.problems = [problem] if problem else []
            self.confirming = None if problem else action
            self.shell.render()
            return
        self.confirming = None
        problem = board.act(order, action, note=self.note, assignee_id=self.assignee)
        self.problems = [problem] if problem else []
        if problem is None:
            self.note = ""
            tr = self.shell.ctx.tr
            self.shell.show(self, tr.t("orders.action_saved", action=tr.enum(action)))
            return
        self.shell.render()
