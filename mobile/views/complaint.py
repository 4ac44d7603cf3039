"""Owner complaint logged on site: place, owner and contact, what, how urgent, photos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.complaint import ComplaintForm
from mobile.state.ports import Problem
from mobile.views.photo_picker import photo_row
from mobile.views.place_choices import place_choices
from mobile.views.widgets import back, choices, field, primary, problem_texts, screen
from shared.model import Severity

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class ComplaintView:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.form = ComplaintForm(ref=shell.ctx.ref, save=shell.ctx.save)
        self.problems: list[Problem] = []

    def build(self) -> ft.Control:
        t, tr = self.shell.ctx.tr.t, self.shell.ctx.tr
        f = self.form
        return screen(
            [
                back(tr, lambda _: self.shell.go("today")),
                ft.Text(t("complaint.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
                *place_choices(tr, f.places, self.shell.render),
                field(t("complaint.owner_name"), f.owner_name, lambda v: setattr(f, "owner_name", v)),
                field(
                    t("complaint.contact"),
                    f.contact,
                    lambda v: setattr(f, "contact", v),
                    keyboard_type=ft.KeyboardType.PHONE,
                ),
                field(
                    t("complaint.description"),
                    f.description,
                    lambda v: setattr(f, "description", v),
                    multiline=True,
                    min_lines=3,
                ),
                ft.Text(t("complaint.severity"), weight=ft.FontWeight.W_600),
                choices([(s, tr.enum(s)) for s in Severity], f.severity, self._severity),
                photo_row(self.shell, f.photos, self._photos_added, self._photo_removed),
                *problem_texts(tr, self.problems),
                ft.Row([primary(t("common.save"), self._save, icon=ft.Icons.SAVE, expand=True)]),
            ],
            spacing=10,
        )

    def _severity(self, value: Severity | None) -> None:
        if value is not None:
            self.form.severity = value
            self.shell.render()

    def _photos_added(self, hashes: list[str], refused: list[str]) -> None:
        for h in hashes:
            self.form.add_photo(h)
        self.problems = [Problem("", text=r) for r in refused]
        self.shell.render()

    def _photo_removed(self, sha: str) -> None:
        self.form.remove_photo(sha)
        self.shell.render()

    def _save(self, _: Any) -> None:
        self.shell.submit_form(self)
