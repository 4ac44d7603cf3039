"""More: who is logged in, the language, the records the server did not take, and logging out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.sync_status import problem_record_text
from mobile.views.widgets import card, choices, screen, secondary, section
from shared.i18n import LOCALES
from shared.model import RecordType, Role

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class SettingsView:
    refresh_on_sync = True

    def __init__(self, shell: Shell) -> None:
        self.shell = shell

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
                secondary(t("settings.logout"), self._logout, icon=ft.Icons.LOGOUT),
            ],
            spacing=14,
        )

    def _language(self, locale: Any) -> None:
        if locale:
            self.shell.ctx.set_locale(locale)
            self.shell.relabel()

    def _logout(self, _: Any) -> None:
        self.shell.ctx.logout()
        self.shell.start()


def _at(record: dict[str, Any]) -> Any:
    from mobile.state.orders import parse_time

    return parse_time(record.get("recorded_at"))
