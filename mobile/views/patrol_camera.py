"""Scanning a checkpoint's code with the camera: the preview, the picture and reading its code.

``CheckpointCamera`` is the camera half of ``mobile.views.patrol.PatrolView``, which inherits it and
sets the state these methods share with the rest of the screen (``camera``, ``take_button``,
``scan_status``, ``scanned``, ``problems``).
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.messages import problem_message
from mobile.state.ports import Problem
from mobile.views.widgets import TOUCH, primary, secondary

if TYPE_CHECKING:
    from mobile.state.patrol import PatrolRun
    from mobile.views.shell import Shell

# Generous: on the web the browser asks for the camera permission while these run, and a person answers it.
CAMERA_START_SECONDS = 120
PICTURE_SECONDS = 30


class CheckpointCamera:
    shell: Shell
    problems: list[Problem]
    scanned: str
    camera: Any
    scan_status: ft.Text
    take_button: ft.FilledButton | None

    if TYPE_CHECKING:

        @property
        def run(self) -> PatrolRun | None: ...

    def can_scan(self) -> bool:
        """Camera scanning needs the camera control, a platform it supports and the native decoder."""
        page = getattr(self.shell, "page", None)
        if page is None or not (page.web or page.platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS)):
            return False
        from mobile.scan import decoder_available

        return decoder_available() and importlib.util.find_spec("flet_camera") is not None

    def _scan_controls(self) -> list[ft.Control]:
        t = self.shell.ctx.tr.t
        if self.camera is None:
            rows: list[ft.Control] = []
            if self.scanned:
                rows.append(ft.Text(t("patrol.scan_ok", code=self.scanned), color=ft.Colors.PRIMARY))
            if self.can_scan():
                rows.append(primary(t("patrol.scan"), self._open_camera, icon=ft.Icons.QR_CODE_SCANNER))
            return rows
        assert self.take_button is not None
        return [
            ft.Container(
                self.camera,
                height=280,
                bgcolor=ft.Colors.BLACK,
                border_radius=10,
                clip_behavior=ft.ClipBehavior.ANTI_ALIAS,
            ),
            self.scan_status,
            ft.Row([self.take_button, secondary(t("common.cancel"), lambda _: self._close_camera(), expand=True)]),
        ]

    def _open_camera(self, _: Any) -> None:
        from flet_camera import Camera

        t = self.shell.ctx.tr.t
        self.problems, self.scanned = [], ""
        self.camera = Camera(expand=True)
        self.scan_status = ft.Text(t("patrol.scan_starting"))
        self.take_button = ft.FilledButton(
            content=t("patrol.scan_take"),
            icon=ft.Icons.CAMERA_ALT,
            height=TOUCH,
            expand=True,
            disabled=True,
            on_click=self._take_picture,
        )
        self.shell.render()
        self.shell.page.run_task(self._start_camera, self.camera)

    async def _start_camera(self, camera: Any) -> None:
        from flet_camera import ResolutionPreset

        try:
            await asyncio.sleep(0.3)  # let the client mount the preview before it is called
            cameras = await asyncio.wait_for(camera.get_available_cameras(), CAMERA_START_SECONDS)
            if not cameras:
                raise LookupError("no camera")
            # The back camera faces the label; a laptop or desktop browser only has a front one.
            chosen = next((c for c in cameras if _lens(c) == "back"), cameras[0])
            await asyncio.wait_for(
                camera.initialize(chosen, ResolutionPreset.HIGH, enable_audio=False), CAMERA_START_SECONDS
            )
        except Exception:  # no camera, permission refused, or the client failed: typing the code still works
            if self.camera is camera:
                self._close_camera(Problem("patrol.camera_unavailable"))
            return
        if self.camera is not camera or self.take_button is None:
            return  # cancelled (or left the screen) meanwhile
        self.scan_status.value = self.shell.ctx.tr.t("patrol.scan_hint")
        self.scan_status.color = None
        self.take_button.disabled = False
        self.shell.page.update()

    async def _take_picture(self, _: Any) -> None:
        from mobile.scan import read_codes

        camera, run, button = self.camera, self.run, self.take_button
        if camera is None or run is None or button is None or button.disabled:
            return  # a second tap while the first picture is being read
        t = self.shell.ctx.tr.t
        button.disabled = True
        self.scan_status.value, self.scan_status.color = t("patrol.scan_reading"), None
        self.shell.page.update()
        try:
            picture = await asyncio.wait_for(camera.take_picture(), PICTURE_SECONDS)
            codes = await asyncio.to_thread(read_codes, bytes(picture or b""))
        except Exception:
            if self.camera is camera:
                self._close_camera(Problem("patrol.camera_unavailable"))
            return
        if self.camera is not camera:
            return
        outcome = run.accept_scan(codes)
        if outcome is None:
            self._close_camera(scanned=run.code)
            return
        # Keep the camera open: holding the phone closer and taking another picture is the usual fix.
        self.scan_status.value = problem_message(self.shell.ctx.tr, outcome)
        self.scan_status.color = ft.Colors.ERROR
        button.disabled = False
        self.shell.page.update()

    def _close_camera(self, problem: Problem | None = None, scanned: str = "") -> None:
        """Remove the preview (which releases the camera) and show the outcome under the code field."""
        self.camera, self.take_button = None, None
        self.problems = [problem] if problem else []
        self.scanned = scanned
        if self.shell.screen is self:  # the user may have moved on while the camera was starting
            self.shell.render()


def _lens(camera: Any) -> str:
    direction = getattr(camera, "lens_direction", "")
    return str(getattr(direction, "value", direction))
