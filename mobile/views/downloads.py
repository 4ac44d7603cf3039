"""What a screen shows after a download (mobile.state.downloads): where the file was saved, and a copy on offer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import flet as ft

from mobile.views.widgets import primary

if TYPE_CHECKING:
    from mobile.views.shell import Shell


def saved_file(shell: Shell, saved: Path | None) -> list[ft.Control]:
    """ "Saved to <path>" and a button that offers a copy; nothing before a download succeeded."""
    if saved is None:
        return []
    t = shell.ctx.tr.t
    return [
        ft.Text(t("statsui.saved", path=str(saved)), selectable=True),
        primary(t("statsui.save_copy"), lambda _: shell.page.run_task(save_copy, shell, saved)),
    ]


async def save_copy(shell: Shell, saved: Path) -> None:
    """The saved file to the browser's downloads (web) or a place the user picks (desktop, phone)."""
    picker = getattr(shell, "save_picker", None)
    if picker is None:
        picker = shell.save_picker = ft.FilePicker()  # type: ignore[attr-defined]
    await picker.save_file(file_name=saved.name, src_bytes=saved.read_bytes())
