"""The supervisor's daily digest: overdue, returned, unassigned orders and unacknowledged findings; works offline.

A finding is acknowledged (and optionally assigned) with a note right in its card; that one step needs the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.admin_api import AdminApi
from mobile.state.digest import PARTS, DigestState
from mobile.views.widgets import back, card, choices, field, problem_texts, screen, secondary, section

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class DigestView:
    refresh_on_sync = True  # the pulled orders and findings are what it lists

    def __init__(self, shell: Shell, back_to: Any = None) -> None:
        self.shell, self.back_to = shell, back_to
        ctx = shell.ctx
        self.state = DigestState(ref=ctx.ref, now=ctx.now, api=AdminApi.of_store(ctx.http, ctx.store, ctx.tr.locale))

    def build(self) -> ft.Control:
        from mobile.views.orders import OrderDetailView
        from mobile.views.today import finding_card, order_line

        tr, s = self.shell.ctx.tr, self.state
        t = tr.t
        digest = s.digest()
        out: list[ft.Control] = []
        if self.back_to is not None:
            out.append(back(tr, lambda _: self.shell.show(self.back_to)))
        out.append(ft.Text(t("digest.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE))
        out.append(ft.Text(t("digest.total", count=digest.total) if digest.total else t("digest.nothing")))
        if s.done_id is not None:
            out.append(ft.Text(t("digest.done"), color=ft.Colors.PRIMARY, weight=ft.FontWeight.W_600))
        for part in PARTS:
            items = digest.part(part)
            if not items:
                continue
            rows: list[ft.Control] = []
            for item in items:
                if part == "findings":
                    rows.append(finding_card(self.shell, item))
                    rows += self._ack(str(item["id"]))
                    continue
                title, sub, overdue = order_line(self.shell, item)
                rows.append(
                    card(
                        title,
                        sub,
                        warn=overdue,
                        on_click=lambda _, oid=str(item["id"]): self.shell.show(OrderDetailView(self.shell, oid)),
                    )
                )
            out.append(section(f"{t(f'digest.{part}')} ({len(items)})", rows))
        return screen(out, spacing=12)

    def _ack(self, finding_id: str) -> list[ft.Control]:
        t, s = self.shell.ctx.tr.t, self.state
        if s.finding_id != finding_id:
            return [secondary(t("digest.acknowledge"), lambda _: self._open(finding_id), icon=ft.Icons.CHECK)]
        people = [(None, t("digest.nobody"))] + [(str(u["id"]), str(u.get("name") or u["id"])) for u in s.assignees()]
        return [
            field(t("digest.note"), s.note, lambda v: setattr(s, "note", v), multiline=True),
            ft.Text(t("digest.assign_to")),
            choices(people, s.assignee_id, self._assignee),
            *problem_texts(self.shell.ctx.tr, [s.problem] if s.problem else []),
            ft.Row(
                [
                    ft.FilledButton(content=t("digest.acknowledge"), on_click=lambda _: self._send(), expand=True),
                    ft.OutlinedButton(content=t("common.cancel"), on_click=lambda _: self._cancel(), expand=True),
                ]
            ),
        ]

    def _open(self, finding_id: str) -> None:
        self.state.open(finding_id)
        self.shell.render()

    def _assignee(self, value: Any) -> None:
        self.state.assignee_id = value
        self.shell.render()

    def _send(self) -> None:
        self.state.acknowledge()
        self.shell.render()

    def _cancel(self) -> None:
        self.state.cancel()
        self.shell.render()
