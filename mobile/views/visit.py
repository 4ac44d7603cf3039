"""Return visit: fixed or not, owner satisfaction and comment, owner's name and signature drawn on screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft
import flet.canvas as cv

from mobile.state.places import place_label
from mobile.state.ports import Problem
from mobile.state.visit import SIGNATURE_SIZE, ReturnVisitForm
from mobile.state.wording import order_description
from mobile.views.photo_picker import photo_row, thumbnails
from mobile.views.widgets import back, choices, field, primary, problem_texts, screen, secondary
from shared.model import CauseFactor, Satisfaction

if TYPE_CHECKING:
    from mobile.views.shell import Shell

PAD_W, PAD_H = 320, 128  # on screen; strokes are scaled to SIGNATURE_SIZE when saved


class VisitView:
    def __init__(self, shell: Shell, order_id: str) -> None:
        self.shell = shell
        ctx = shell.ctx
        self.form = ReturnVisitForm(ref=ctx.ref, save=ctx.save, ingest=ctx.ingest_photo, work_order_id=order_id)
        self.problems: list[Problem] = []
        self.canvas = cv.Canvas(shapes=[], width=PAD_W, height=PAD_H)

    def build(self) -> ft.Control:
        ctx = self.shell.ctx
        t, tr = ctx.tr.t, ctx.tr
        f, order = self.form, self.form.order
        self._draw()
        pad = ft.GestureDetector(
            content=ft.Container(
                self.canvas,
                width=PAD_W,
                height=PAD_H,
                bgcolor=ft.Colors.WHITE,
                border=ft.Border.all(1, ft.Colors.OUTLINE),
                border_radius=6,
            ),
            on_pan_start=self._pan_start,
            on_pan_update=self._pan_update,
            drag_interval=20,
        )
        return screen(
            [
                back(tr, lambda _: self.shell.go("today")),
                ft.Text(t("visit.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
                ft.Text(place_label(ctx.ref, order.get("place_id"))),
                ft.Text(t("visit.repaired", what=order_description(self.shell.ctx.tr, order))),
                thumbnails(self.shell, list(order.get("photos") or [])),
                ft.Text(t("visit.fixed"), weight=ft.FontWeight.W_600),
                choices([(True, t("common.yes")), (False, t("common.no"))], f.fixed, self._set("fixed")),
                ft.Text(t("visit.satisfaction"), weight=ft.FontWeight.W_600),
                choices([(s, tr.enum(s)) for s in Satisfaction], f.satisfaction, self._set("satisfaction")),
                field(t("visit.comment"), f.comment, lambda v: setattr(f, "comment", v), multiline=True),
                ft.Text(t("defect.cause"), weight=ft.FontWeight.W_600),
                choices([(c, tr.enum(c)) for c in CauseFactor], f.cause, self._set("cause"), allow_none=True),
                photo_row(self.shell, f.photos, self._photos),
                field(t("visit.owner_name"), f.owner_name, lambda v: setattr(f, "owner_name", v)),
                ft.Text(t("visit.signature"), weight=ft.FontWeight.W_600),
                pad,
                secondary(t("visit.clear_signature"), self._clear, icon=ft.Icons.CLEAR),
                field(
                    t("visit.no_signature_reason"),
                    f.no_signature_reason,
                    lambda v: setattr(f, "no_signature_reason", v),
                ),
                *problem_texts(tr, self.problems),
                ft.Row([primary(t("common.save"), self._save, icon=ft.Icons.SAVE, expand=True)]),
            ],
            spacing=8,
        )

    def _set(self, name: str) -> Any:
        def apply(value: Any) -> None:
            setattr(self.form, name, value)
            self.shell.render()

        return apply

    def _scaled(self, e: Any) -> tuple[float, float]:
        pos = e.local_position
        return pos.x * SIGNATURE_SIZE[0] / PAD_W, pos.y * SIGNATURE_SIZE[1] / PAD_H

    def _pan_start(self, e: Any) -> None:
        self.form.start_stroke(*self._scaled(e))

    def _pan_update(self, e: Any) -> None:
        self.form.extend_stroke(*self._scaled(e))
        self._draw()
        self.canvas.update()

    def _draw(self) -> None:
        sx, sy = PAD_W / SIGNATURE_SIZE[0], PAD_H / SIGNATURE_SIZE[1]
        paint = ft.Paint(stroke_width=3, color=ft.Colors.BLACK, style=ft.PaintingStyle.STROKE)
        self.canvas.shapes = [
            cv.Points(points=[ft.Offset(x * sx, y * sy) for x, y in s], point_mode=cv.PointMode.POLYGON, paint=paint)
            for s in self.form.strokes
            if s
        ]

    def _clear(self, _: Any) -> None:
        self.form.clear_signature()
        self.shell.render()

    def _photos(self, hashes: list[str], refused: list[str]) -> None:
        self.form.photos.extend(h for h in hashes if h not in self.form.photos)
        self.problems = [Problem("", text=r) for r in refused]
        self.shell.render()

    def _save(self, _: Any) -> None:
        self.shell.submit_form(self)
