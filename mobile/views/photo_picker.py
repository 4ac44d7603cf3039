"""Picking photos (gallery, camera roll or a file on the web) and storing them through the photo pipeline."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.messages import error_text
from shared.errors import PatrolError

if TYPE_CHECKING:
    from mobile.views.shell import Shell


async def pick_photos(shell: Shell) -> tuple[list[str], list[str]]:
    """Ask for photos; returns (sha256 of each stored photo, messages for the ones refused)."""
    if getattr(shell, "file_picker", None) is None:
        shell.file_picker = ft.FilePicker()
    files = await shell.file_picker.pick_files(
        file_type=ft.FilePickerFileType.IMAGE, allow_multiple=True, with_data=True
    )
    stored, refused = [], []
    for f in files or []:
        try:
            data = f.bytes if f.bytes is not None else Path(str(f.path)).read_bytes()
            stored.append(shell.ctx.ingest_photo(data))
        except (PatrolError, OSError) as e:
            why = error_text(shell.ctx.tr, e.code, e.message, e.detail) if isinstance(e, PatrolError) else str(e)
            refused.append(f"{f.name}: {why}")
    return stored, refused


def thumbnails(shell: Shell, hashes: list[str], on_remove: Any = None) -> ft.Control:
    """Small previews; photos from other phones are fetched in the background. Tap: full size; long press: remove."""
    from mobile.photo_cache import LOADING, READY
    from mobile.state.photo_tiles import gallery_notes, tile_label

    ctx = shell.ctx
    tiles: list[ft.Control] = []
    states = [ctx.photos.want(sha) for sha in hashes]
    for number, (sha, state) in enumerate(zip(hashes, states, strict=True), start=1):
        label = tile_label(ctx.tr, state, number)
        image: ft.Control | None = None
        if state.status == READY and state.path is not None:
            try:
                image = ft.Image(
                    src=state.path.read_bytes(), width=72, height=72, fit=ft.BoxFit.COVER, semantics_label=label
                )
            except OSError:
                image = None
        if image is None:
            image = (
                ft.ProgressRing(width=28, height=28, semantics_label=label)
                if state.status == LOADING
                else ft.Icon(
                    _PLACEHOLDER_ICONS.get(state.status, ft.Icons.BROKEN_IMAGE_OUTLINED), size=36, semantics_label=label
                )
            )
        tiles.append(
            ft.Container(
                image,
                width=72,
                height=72,
                border_radius=8,
                alignment=ft.Alignment.CENTER,
                bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
                clip_behavior=ft.ClipBehavior.ANTI_ALIAS,
                on_click=lambda _, s=sha: shell.show(PhotoView(shell, s, shell.screen)),
                on_long_press=(lambda _, s=sha: on_remove(s)) if on_remove else None,
            )
        )
    if any(s.status == LOADING for s in states) and not getattr(shell.screen, "refresh_on_sync", False):
        _redraw_when_loaded(shell, hashes)
    notes = [ft.Text(n, size=12, color=ft.Colors.ON_SURFACE_VARIANT) for n in gallery_notes(ctx.tr, states)]
    row = ft.Row(tiles, wrap=True, spacing=6, run_spacing=6)
    return ft.Column([row, *notes], spacing=4) if notes else row


def _redraw_when_loaded(shell: Shell, hashes: list[str]) -> None:
    """Forms are not redrawn by sync news (it would disturb typing): redraw this one once its downloads end."""
    from mobile.photo_cache import LOADING

    screen, page = shell.screen, getattr(shell, "page", None)
    if page is None or getattr(shell, "photo_wait", None) is screen:
        return
    shell.photo_wait = screen

    async def wait() -> None:
        try:
            for _ in range(240):  # two minutes at most; a download that takes longer shows at the next redraw
                await asyncio.sleep(0.5)
                if shell.screen is not screen:
                    return
                if not any(shell.ctx.photos.want(h).status == LOADING for h in hashes):
                    shell.render()
                    return
        finally:
            if getattr(shell, "photo_wait", None) is screen:
                shell.photo_wait = None

    page.run_task(wait)


_PLACEHOLDER_ICONS = {
    "offline": ft.Icons.CLOUD_OFF_OUTLINED,
    "not_on_server": ft.Icons.HOURGLASS_EMPTY,
}


class PhotoView:
    """One photo at full size; from another phone it is downloaded first (the thumbnail shows meanwhile)."""

    refresh_on_sync = True  # redrawn when the download finishes

    def __init__(self, shell: Shell, sha256: str, back_to: Any) -> None:
        self.shell, self.sha256, self.back_to = shell, sha256, back_to

    def build(self) -> ft.Control:
        from mobile.photo_cache import READY
        from mobile.state.photo_tiles import tile_label
        from mobile.views.widgets import back, screen

        ctx = self.shell.ctx
        tr = ctx.tr
        state = ctx.photos.want(self.sha256, full=True)
        shown = state.path if state.status == READY else ctx.photos.thumbnail(self.sha256)
        controls: list[ft.Control] = [
            back(tr, lambda _: self.shell.show(self.back_to)),
            ft.Text(tr.t("photo.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
        ]
        if shown is not None:
            try:
                controls.append(
                    ft.Image(src=shown.read_bytes(), fit=ft.BoxFit.CONTAIN, semantics_label=tile_label(tr, state, 1))
                )
            except OSError:
                pass
        if state.status != READY:
            controls.append(ft.Text(tile_label(tr, state, 1), color=ft.Colors.ON_SURFACE_VARIANT))
        return screen(controls)


def photo_row(shell: Shell, hashes: list[str], on_added: Any, on_remove: Any = None) -> ft.Control:
    """The add-photo button with the count and previews; ``on_added(list_of_hashes, refused)``."""
    t = shell.ctx.tr.t

    async def add(_: Any) -> None:
        stored, refused = await pick_photos(shell)
        on_added(stored, refused)

    return ft.Column(
        [
            ft.Row(
                [
                    ft.OutlinedButton(
                        content=t("common.add_photo"), icon=ft.Icons.ADD_A_PHOTO, on_click=add, height=52
                    ),
                    ft.Text(t("common.photos", count=len(hashes))),
                ],
                wrap=True,
            ),
            thumbnails(shell, hashes, on_remove),
        ],
        spacing=6,
    )
