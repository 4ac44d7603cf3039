"""Renovation site check: slot by the clock, the checklist, workers vs passes, violations and their deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.places import place_label
from mobile.state.ports import Problem
from mobile.state.renovation import SiteCheckForm, rectification_hours
from mobile.state.wording import violation_label
from mobile.views.photo_picker import photo_row
from mobile.views.widgets import back, field, primary, problem_texts, screen
from shared.model import ChecklistItem
from shared.parse import ascii_number

if TYPE_CHECKING:
    from mobile.views.shell import Shell


def _int(text: str) -> int:
    """The count typed in a number field; only ASCII digits count ("²" passes ``isdigit`` but not ``int``)."""
    return ascii_number("".join(ch for ch in text if ch in "0123456789")[:5]) or 0


class RenovationView:
    def __init__(self, shell: Shell, permit_id: str) -> None:
        self.shell = shell
        ctx = shell.ctx
        self.form = SiteCheckForm(
            ref=ctx.ref,
            save=ctx.save,
            now=ctx.now,
            tz=ctx.tz,
            permit_id=permit_id,
            rectification_hours=rectification_hours(ctx.ref),
        )
        self.problems: list[Problem] = []

    def build(self) -> ft.Control:
        ctx = self.shell.ctx
        t, tr = ctx.tr.t, ctx.tr
        f = self.form
        items: list[ft.Control] = []
        for item in ChecklistItem:
            violated = item in f.violations
            items.append(
                ft.Switch(
                    label=tr.enum(item),
                    value=not violated,
                    on_change=lambda e, i=item: self._toggle(i, not e.control.value),
                )
            )
            if violated:
                items.append(
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.ERROR),
                            ft.Text(
                                t("renovation.violation_of", violation=violation_label(tr, item)),
                                color=ft.Colors.ERROR,
                                weight=ft.FontWeight.W_600,
                                expand=True,
                            ),
                        ]
                    )
                )
                items.append(
                    field(t("renovation.violation_description"), f.violations[item], lambda v, i=item: f.describe(i, v))
                )
                items.append(
                    photo_row(
                        self.shell,
                        f.violation_photos.get(item, []),
                        lambda hs, refused, i=item: self._photos(i, hs, refused),
                    )
                )
        deadline = f.rectification_deadline()
        return screen(
            [
                back(tr, lambda _: self.shell.go("today")),
                ft.Text(t("renovation.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
                ft.Text(f"{place_label(ctx.ref, f.permit.get('unit_id'))} · {f.permit.get('contractor', '')}"),
                ft.Text(t("renovation.slot", slot=tr.enum(f.slot)), weight=ft.FontWeight.W_600),
                ft.Row(
                    [
                        field(
                            t("renovation.workers"),
                            str(f.workers_seen),
                            self._workers,
                            expand=True,
                            keyboard_type=ft.KeyboardType.NUMBER,
                        ),
                        field(
                            t("renovation.passes"),
                            str(f.passes_seen),
                            self._passes,
                            expand=True,
                            keyboard_type=ft.KeyboardType.NUMBER,
                        ),
                    ]
                ),
                *items,
                field(t("common.note"), f.note, lambda v: setattr(f, "note", v), multiline=True),
                ft.Text(
                    t("renovation.deadline", when=tr.datetime(deadline)),
                    color=ft.Colors.ERROR,
                    weight=ft.FontWeight.W_600,
                )
                if deadline
                else ft.Container(),
                *problem_texts(tr, self.problems),
                ft.Row([primary(t("common.save"), self._save, icon=ft.Icons.SAVE, expand=True)]),
            ],
            spacing=8,
        )

    def _toggle(self, item: ChecklistItem, violated: bool) -> None:
        self.form.set_violation(item, violated)
        self.shell.render()

    def _workers(self, text: str) -> None:
        had = ChecklistItem.WORKERS_HAVE_PASSES in self.form.violations
        self.form.set_counts(_int(text), self.form.passes_seen)
        if had != (ChecklistItem.WORKERS_HAVE_PASSES in self.form.violations):
            self.shell.render()

    def _passes(self, text: str) -> None:
        self.form.set_counts(self.form.workers_seen, _int(text))

    def _photos(self, item: ChecklistItem, hashes: list[str], refused: list[str]) -> None:
        for h in hashes:
            self.form.add_violation_photo(item, h)
        self.problems = [Problem("", text=r) for r in refused]
        self.shell.render()

    def _save(self, _: Any) -> None:
        self.shell.submit_form(self)
