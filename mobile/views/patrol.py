"""Patrol: choose a route, then each checkpoint: prove presence (code or reason), fine or problem.

Scanning the checkpoint's code with the camera is ``mobile.views.patrol_camera``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.messages import problem_message
from mobile.state.patrol import IssueDraft, PatrolRun, checkpoints_of, routes_for
from mobile.state.places import place_label
from mobile.state.ports import Problem
from mobile.state.today import visited_today
from mobile.views.patrol_camera import CheckpointCamera
from mobile.views.widgets import TOUCH, card, confirm_box, field, primary, problem_texts, screen, secondary, section
from shared.model import CheckpointResult
from shared.rules import local_day

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class PatrolView(CheckpointCamera):
    def __init__(self, shell: Shell, route_id: str | None = None) -> None:
        self.shell = shell
        self.problems: list[Problem] = []
        self.summary = ""
        self.scanned = ""  # the code the camera just read, confirmed on screen
        self.camera: Any = None  # the flet_camera.Camera while the scanner is open
        self.scan_status = ft.Text("")
        self.take_button: ft.FilledButton | None = None
        self.confirm: tuple[Problem, Any] | None = None  # a question asked before leaving or finishing, and its action
        if route_id and (shell.patrol_run is None or shell.patrol_run.finished):
            self._start(route_id)

    @property
    def run(self) -> PatrolRun | None:
        return self.shell.patrol_run

    @property
    def refresh_on_sync(self) -> bool:
        return self.run is None  # never redraw under someone typing a code

    def build(self) -> ft.Control:
        if self.run is None or self.run.finished:
            return self._routes()
        return self._checkpoint(self.run)

    def _routes(self) -> ft.Control:
        ctx = self.shell.ctx
        t = ctx.tr.t
        routes = routes_for(ctx.ref, ctx.user.get("id"))
        rows: list[ft.Control] = []
        if self.summary:
            rows.append(ft.Text(self.summary, color=ft.Colors.PRIMARY, weight=ft.FontWeight.W_600))
        if not routes:
            rows.append(ft.Text(t("patrol.no_routes")))
        seen = visited_today(ctx.day_records(ctx.now()), local_day(ctx.now(), ctx.tz), ctx.tz)
        for r in routes:
            cps = checkpoints_of(ctx.ref, str(r["id"]))
            done = sum(1 for c in cps if str(c["id"]) in seen)
            rows.append(
                card(
                    str(r.get("name", r["id"])),
                    t("today.route_progress", done=done, count=len(cps)),
                    on_click=lambda _, rid=str(r["id"]): self._open(rid),
                )
            )
        return section(t("patrol.choose_route"), rows)

    def _start(self, route_id: str) -> None:
        ctx = self.shell.ctx
        self.shell.patrol_run = PatrolRun(ref=ctx.ref, save=ctx.save, now=ctx.now, route_id=route_id)

    def _open(self, route_id: str) -> None:
        self._start(route_id)
        self.shell.render()

    def _checkpoint(self, run: PatrolRun) -> ft.Control:
        ctx = self.shell.ctx
        t = ctx.tr.t
        head: list[ft.Control] = [
            ft.Row(
                [
                    ft.Text(str(run.route.get("name", "")), theme_style=ft.TextThemeStyle.TITLE_LARGE, expand=True),
                    ft.TextButton(content=t("patrol.close"), icon=ft.Icons.CLOSE, height=TOUCH, on_click=self._close),
                ]
            ),
            ft.ProgressBar(value=run.done_count / run.total if run.total else 1),
        ]
        if self.confirm is not None:
            question, action = self.confirm
            head.append(
                confirm_box(
                    problem_message(ctx.tr, question),
                    t("common.confirm"),
                    lambda _: action(),
                    t("common.cancel"),
                    lambda _: self._ask(None),
                )
            )
        cp = run.current
        if cp is None:
            return screen(
                [*head, primary(t("patrol.finish"), self._finish, icon=ft.Icons.FLAG, expand=True)], spacing=12
            )
        return screen(
            [
                *head,
                ft.Text(t("patrol.checkpoint", index=run.index + 1, total=run.total), weight=ft.FontWeight.W_600),
                ft.Text(str(cp.get("name", "")), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
                ft.Text(place_label(ctx.ref, cp.get("place_id")), color=ft.Colors.ON_SURFACE_VARIANT),
                *self._scan_controls(),
                field(
                    t("patrol.scan_code"),
                    run.code,
                    lambda v: setattr(run, "code", v),
                    prefix_icon=ft.Icons.QR_CODE_SCANNER,
                ),
                field(t("patrol.reason"), run.reason, lambda v: setattr(run, "reason", v)),
                field(t("patrol.issue_note"), run.note, lambda v: setattr(run, "note", v), multiline=True, min_lines=2),
                *problem_texts(ctx.tr, self.problems),
                ft.Row(
                    [
                        ft.FilledButton(
                            content=t("patrol.ok"),
                            icon=ft.Icons.CHECK,
                            height=TOUCH + 8,
                            expand=True,
                            on_click=lambda _: self._mark(CheckpointResult.OK),
                        ),
                        ft.FilledButton(
                            content=t("patrol.issue"),
                            icon=ft.Icons.REPORT_PROBLEM,
                            height=TOUCH + 8,
                            expand=True,
                            style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR),
                            on_click=lambda _: self._mark(CheckpointResult.ISSUE),
                        ),
                    ]
                ),
                secondary(t("patrol.finish"), self._finish, icon=ft.Icons.FLAG),
            ],
            spacing=12,
        )

    def _mark(self, result: CheckpointResult) -> None:
        assert self.run is not None
        self.scanned, self.confirm = "", None
        self.camera = self.take_button = None  # marking closes a scanner left open (and frees the camera)
        outcome = self.run.mark(result)
        self.problems = [outcome] if isinstance(outcome, Problem) else []
        if isinstance(outcome, IssueDraft):
            from mobile.views.defect import DefectView

            view = DefectView(
                self.shell,
                place_id=outcome.place_id,
                checkpoint_visit_id=outcome.checkpoint_visit_id,
                description=outcome.description,
                back="patrol",
            )
            self.shell.show(view)
            return
        self.shell.render()

    def _ask(self, question: tuple[Problem, Any] | None) -> None:
        self.confirm = question
        self.shell.render()

    def _close(self, _: Any) -> None:
        run = self.run
        if run is None:
            return
        warning = run.close_warning()
        if warning is not None:
            self._ask((warning, self._end))
            return
        self._end()

    def _finish(self, _: Any) -> None:
        run = self.run
        if run is None:
            return
        warning = run.finish_warning()
        if warning is not None:
            self._ask((warning, self._end))
            return
        self._end()

    def _end(self) -> None:
        run = self.run
        if run is None:
            return
        self.confirm = None
        run.finish()
        self.summary = self.shell.ctx.tr.t("patrol.finished", ok=run.ok_count, issues=run.issue_count)
        self.shell.patrol_run = None
        self.shell.render()
