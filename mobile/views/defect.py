"""Defect report: place (building → floor → unit, or a common area), category, severity, text, photos, cause."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.defect import DefectForm
from mobile.state.ports import Problem
from mobile.views.photo_picker import photo_row
from mobile.views.place_choices import place_choices
from mobile.views.widgets import back, choices, field, primary, problem_texts, screen
from shared.model import CauseFactor, DefectCategory, Severity

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class DefectView:
    def __init__(
        self,
        shell: Shell,
        *,
        place_id: str | None = None,
        checkpoint_visit_id: str | None = None,
        description: str = "",
        back: str = "today",
    ) -> None:
        self.shell, self.back = shell, back
        ctx = shell.ctx
        self.form = DefectForm(
            ref=ctx.ref,
            save=ctx.save,
            place_id=place_id,
            checkpoint_visit_id=checkpoint_visit_id,
            description=description,
        )
        self.problems: list[Problem] = []

    def build(self) -> ft.Control:
        ctx = self.shell.ctx
        t, tr = ctx.tr.t, ctx.tr
        f = self.form
        place = place_choices(tr, f.places, self.shell.render)
        return screen(
            [
                back(tr, lambda _: self.shell.go(self.back)),
                ft.Text(t("defect.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
                *place,
                ft.Text(t("defect.category"), weight=ft.FontWeight.W_600),
                choices([(c, tr.enum(c)) for c in DefectCategory], f.category, self._set(self._category)),
                ft.Text(t("defect.severity"), weight=ft.FontWeight.W_600),
                choices([(s, tr.enum(s)) for s in Severity], f.severity, self._set(self._severity)),
                field(
                    t("common.description"),
                    f.description,
                    lambda v: setattr(f, "description", v),
                    multiline=True,
                    min_lines=3,
                ),
                photo_row(self.shell, f.photos, self._photos_added, self._photo_removed),
                ft.Text(t("defect.cause"), weight=ft.FontWeight.W_600),
                choices([(c, tr.enum(c)) for c in CauseFactor], f.cause, self._set(self._cause), allow_none=True),
                ft.Checkbox(
                    label=t("defect.fixed_on_spot"),
                    value=f.fixed_on_spot,
                    on_change=lambda e: setattr(f, "fixed_on_spot", bool(e.control.value)),
                ),
                *problem_texts(tr, self.problems),
                ft.Row([primary(t("common.save"), self._save, icon=ft.Icons.SAVE, expand=True)]),
            ],
            spacing=10,
        )

    def _set(self, setter: Any) -> Any:
        def apply(value: Any) -> None:
            setter(value)
            self.shell.render()

        return apply

    def _category(self, value: DefectCategory | None) -> None:
        self.form.category = value

    def _severity(self, value: Severity | None) -> None:
        if value is not None:
            self.form.severity = value

    def _cause(self, value: CauseFactor | None) -> None:
        self.form.cause = value

    def _photos_added(self, hashes: list[str], refused: list[str]) -> None:
        for h in hashes:
            self.form.add_photo(h)
        self.problems = [Problem("", text=r) for r in refused]
        self.shell.render()

    def _photo_removed(self, sha: str) -> None:
        self.form.remove_photo(sha)
        self.shell.render()

    def _save(self, _: Any) -> None:
        self.problems = self.form.submit()
        if self.problems:
            self.shell.render()
            return
        if self.back == "patrol":
            from mobile.views.patrol import PatrolView

            self.shell.show(PatrolView(self.shell), self.shell.ctx.tr.t("common.saved"))
        else:
            self.shell.go(self.back)
            self.shell.show(self.shell.screen, self.shell.ctx.tr.t("common.saved"))
