"""The always-visible sync status: pending, last sync, problems, a sync button and a progress bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

if TYPE_CHECKING:
    from mobile.views.shell import Shell


class SyncBar:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.headline = ft.Text("", weight=ft.FontWeight.W_600, size=14)
        self.detail = ft.Text("", size=12)
        self.icon = ft.Icon(ft.Icons.CLOUD_DONE_OUTLINED)
        self.button = ft.FilledTonalButton(content="", icon=ft.Icons.SYNC, on_click=self._sync, height=48)
        self.progress = ft.ProgressBar(value=None, visible=False)
        self.control = ft.Container(
            ft.Column(
                [
                    ft.Row(
                        [
                            self.icon,
                            ft.Column([self.headline, self.detail], spacing=0, expand=True),
                            self.button,
                        ],
                        vertical_alignment=ft.CrossAxisAlignment.CENTER,
                    ),
                    self.progress,
                ],
                spacing=4,
            ),
            padding=ft.Padding.symmetric(horizontal=12, vertical=6),
            bgcolor=ft.Colors.SECONDARY_CONTAINER,
            on_click=self._open_problems,
        )

    def refresh(self) -> None:
        status, tr = self.shell.ctx.status, self.shell.ctx.tr
        self.headline.value = status.headline(tr)
        self.detail.value = status.detail(tr)
        self.button.content = tr.t("sync.now")
        self.button.disabled = status.running
        self.progress.visible = status.running
        self.progress.value = status.progress
        if status.attention:
            self.icon.icon, self.control.bgcolor = ft.Icons.SYNC_PROBLEM, ft.Colors.ERROR_CONTAINER
        elif status.pending or status.pending_photos:
            self.icon.icon, self.control.bgcolor = ft.Icons.CLOUD_UPLOAD_OUTLINED, ft.Colors.SECONDARY_CONTAINER
        else:
            self.icon.icon, self.control.bgcolor = ft.Icons.CLOUD_DONE_OUTLINED, ft.Colors.SECONDARY_CONTAINER

    def _sync(self, _: Any) -> None:
        self.shell.sync()

    def _open_problems(self, _: Any) -> None:
        if self.shell.ctx.status.problems:
            self.shell.go("more")
