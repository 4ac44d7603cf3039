"""First run: language, server address and login; afterwards the app opens offline to Today."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.admin_api import change_password
from mobile.state.first_run import FirstRunForm
from mobile.views.widgets import choices, field, primary, problem_texts, screen
from shared.i18n import LOCALES

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class FirstRunView:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        ctx = shell.ctx
        self.form = FirstRunForm(
            login=ctx.login,
            server_url=ctx.store.server_url or ctx.default_server,
            locale=ctx.tr.locale,
            change_password=lambda url, name, old, new: change_password(ctx.http, url, name, old, new),
        )
        self.problems: list[Any] = []

    def build(self) -> ft.Control:
        t = self.shell.ctx.tr.t
        f = self.form
        if f.must_change:
            return self._new_password()
        return screen(
            [
                ft.Text(t("app.title"), theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM, weight=ft.FontWeight.BOLD),
                ft.Text(t("first_run.intro")),
                ft.Text(t("first_run.language"), weight=ft.FontWeight.W_600),
                choices([(loc, t(f"lang.{loc}")) for loc in LOCALES], f.locale, self._language),
                field(
                    t("first_run.server"),
                    f.server_url,
                    lambda v: setattr(f, "server_url", v),
                    keyboard_type=ft.KeyboardType.URL,
                ),
                field(t("first_run.username"), f.username, lambda v: setattr(f, "username", v)),
                field(
                    t("first_run.password"),
                    "",
                    lambda v: setattr(f, "password", v),
                    password=True,
                    can_reveal_password=True,
                    on_submit=self._login,
                ),
                *problem_texts(self.shell.ctx.tr, self.problems),
                ft.Row([primary(t("first_run.login"), self._login, icon=ft.Icons.LOGIN, expand=True)]),
            ],
            spacing=14,
        )

    def _new_password(self) -> ft.Control:
        t = self.shell.ctx.tr.t
        f = self.form
        return screen(
            [
                ft.Text(t("first_run.new_password_title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
                ft.Text(t("first_run.new_password_intro")),
                field(
                    t("first_run.new_password"),
                    "",
                    lambda v: setattr(f, "new_password", v),
                    password=True,
                    can_reveal_password=True,
                ),
                field(
                    t("first_run.repeat_password"),
                    "",
                    lambda v: setattr(f, "repeat_password", v),
                    password=True,
                    can_reveal_password=True,
                    on_submit=self._change,
                ),
                *problem_texts(self.shell.ctx.tr, self.problems),
                ft.Row([primary(t("first_run.set_password"), self._change, icon=ft.Icons.LOCK_RESET, expand=True)]),
            ],
            spacing=14,
        )

    def _change(self, _: Any) -> None:
        problem = self.form.submit_new_password()
        self._after(problem)

    def _language(self, locale: str | None) -> None:
        if locale:
            self.form.locale = locale
            self.shell.ctx.set_locale(locale)
            self.shell.relabel()

    def _login(self, _: Any) -> None:
        self.shell.message.value = self.shell.ctx.tr.t("first_run.checking")
        self.shell.message.visible = True
        self.shell.page.update()
        problem = self.form.submit()
        self._after(problem)

    def _after(self, problem: Any) -> None:
        self.shell.message.visible = False
        self.problems = []
        if problem is not None or self.form.must_change:
            self.problems = [problem] if problem is not None else []
            self.shell.render()
            return
        self.shell.ctx.set_locale(self.form.locale)
        self.shell.enter_app(logged_in=True)
