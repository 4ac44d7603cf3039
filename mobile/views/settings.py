"""More: who is logged in, the language, the records the server did not take, and logging out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.sync_status import problem_record_text
from mobile.views.widgets import card, choices, confirm_box, screen, secondary, section
from shared.i18n import LOCALES
from shared.model import RecordType, Role

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class SettingsView:
    refresh_on_sync = True

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.confirm_logout = False  # records not sent yet: asked to sync first

    def build(self) -> ft.Control:
        ctx = self.shell.ctx
        t, tr = ctx.tr.t, ctx.tr
        user = ctx.user
        try:
            role = tr.enum(Role(user.get("role")))
        except ValueError:
            role = str(user.get("role", ""))
        problems = []
        for r in ctx.status.problems:
            status = str(r["sync_status"])
            label = t("sync.status.conflict") if status == "conflict" else t("sync.status.rejected")
            problems.append(
                card(
                    f"{tr.enum(RecordType(r['type']))} · {label} · {tr.short(_at(r))}",
                    problem_record_text(tr, r),
                    warn=True,
                )
            )
        return screen(
            [
                ft.Text(t("settings.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
                ft.Text(t("settings.user", name=user.get("name", ""), role=role)),
                ft.Text(t("settings.server", url=ctx.store.server_url or "")),
                section(
                    t("settings.language"),
                    [choices([(loc, t(f"lang.{loc}")) for loc in LOCALES], tr.locale, self._language)],
                ),
                section(t("settings.problems"), problems or [ft.Text(t("common.nothing"))]),
                *self._logout_controls(),
            ],
            spacing=14,
        )

    def _language(self, locale: Any) -> None:
        if locale:
            self.shell.ctx.set_locale(locale)
            self.shell.relabel()

    def _logout_controls(self) -> list[ft.Control]:
        ctx = self.shell.ctx
        t = ctx.tr.t
        unsent = ctx.status.pending
        if not (self.confirm_logout and unsent):
            return [secondary(t("settings.logout"), self._logout, icon=ft.Icons.LOGOUT)]
        # Only this user's login can send their records: after logging out they wait, and block another login.
        return [
            confirm_box(
                t("settings.logout_unsent", count=unsent),
                t("settings.logout_anyway"),
                lambda _: self._logout(None, confirmed=True),
                t("settings.sync_first"),
                self._sync_first,
            )
        ]

    def _sync_first(self, _: Any) -> None:
        self.confirm_logout = False
        self.shell.sync()
        self.shell.render()

    def _logout(self, _: Any, *, confirmed: bool = False) -> None:
        if self.shell.ctx.status.pending and not confirmed:
            self.confirm_logout = True
            self.shell.render()
            return
        self.shell.ctx.logout()
        self.shell.start()


def _at(record: dict[str, Any]) -> Any:
    from mobile.state.orders import parse_time

    return parse_time(record.get("recorded_at"))
