"""The Flet app's entry: ``main(page)`` builds the shell on one AppContext; ``run()`` starts it (web or native)."""

from __future__ import annotations

import os
from pathlib import Path

import flet as ft

from mobile.context import AppContext, default_data_dir

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
FONT_FAMILY = "NotoSansCJK"


_contexts: dict[Path, AppContext] = {}


def make_context() -> AppContext:
    """One context per data directory: browser tabs on the web build are the same phone, syncing once."""
    data_dir = Path(os.environ.get("PATROL_DATA_DIR") or default_data_dir()).resolve()
    if data_dir not in _contexts:
        _contexts[data_dir] = AppContext(data_dir=data_dir, server_url=os.environ.get("PATROL_SERVER", ""))
    return _contexts[data_dir]


def main(page: ft.Page) -> None:
    from mobile.views.shell import Shell

    ctx = make_context()
    page.title = ctx.tr.t("app.title")
    # One CJK font for every language: offline, Chinese must never fall back to boxes.
    page.fonts = {FONT_FAMILY: "fonts/NotoSansCJK-subset.otf"}
    # Standard density everywhere: a desktop browser would otherwise get compact, smaller-than-48 px controls.
    page.theme = ft.Theme(
        font_family=FONT_FAMILY, color_scheme_seed=ft.Colors.TEAL, visual_density=ft.VisualDensity.STANDARD
    )
    page.theme_mode = ft.ThemeMode.LIGHT
    page.padding = 0
    page.spacing = 0
    shell = Shell(page, ctx)
    page.on_close = lambda _: ctx.listeners.remove(shell.on_change) if shell.on_change in ctx.listeners else None
    shell.start()


def run(*, web: bool = False, port: int = 8550) -> None:
    if web:
        os.environ.setdefault("FLET_WEB_NO_CDN", "1")
        print(f"Patrol app: http://127.0.0.1:{port}/", flush=True)
        ft.run(
            main,
            view=ft.AppView.WEB_BROWSER,
            host="127.0.0.1",
            port=port,
            assets_dir=str(ASSETS_DIR),
            no_cdn=True,
        )
    else:
        ft.run(main, assets_dir=str(ASSETS_DIR))
