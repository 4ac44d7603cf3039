"""Picking photos (gallery, camera roll or a file on the web) and storing them through the photo pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import flet as ft

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
            refused.append(f"{f.name}: {getattr(e, 'message', str(e))}")
    return stored, refused


def thumbnails(shell: Shell, hashes: list[str], on_remove: Any = None) -> ft.Control:
    """Small previews of stored photos; a long press removes one when ``on_remove`` is given."""
    from mobile.photos import photo_paths

    tiles = []
    for sha in hashes:
        _, thumb = photo_paths(shell.ctx.data_dir, sha)
        try:
            image: ft.Control = ft.Image(src=thumb.read_bytes(), width=72, height=72, fit=ft.BoxFit.COVER)
        except OSError:
            image = ft.Icon(ft.Icons.IMAGE_OUTLINED, size=40)
        tiles.append(
            ft.Container(
                image,
                width=72,
                height=72,
                border_radius=8,
                clip_behavior=ft.ClipBehavior.ANTI_ALIAS,
                on_long_press=(lambda _, s=sha: on_remove(s)) if on_remove else None,
            )
        )
    return ft.Row(tiles, wrap=True, spacing=6, run_spacing=6)


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
