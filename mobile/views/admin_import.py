"""Import from a spreadsheet: pick the file, check it (dry run), read the problems, then import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.admin_import import KINDS
from mobile.state.messages import problem_message
from mobile.views.widgets import card, choices, secondary

if TYPE_CHECKING:
    from mobile.views.admin import AdminView


def import_pane(view: AdminView) -> ft.Control:
    t = view.shell.ctx.tr.t
    imp = view.area.importer
    out: list[ft.Control] = [
        ft.Text(t("admin.import.intro")),
        secondary(t("admin.import.choose"), lambda _: view.shell.page.run_task(_pick, view), icon=ft.Icons.UPLOAD_FILE),
    ]
    if imp.file_name:
        out.append(ft.Text(imp.file_name, weight=ft.FontWeight.W_600))
    if imp.is_csv:
        out.append(choices([(k, t(f"admin.import.kind.{k}")) for k in KINDS], imp.kind, lambda k: _kind(view, k)))
    if imp.problem is not None:
        out.append(ft.Text(problem_message(view.shell.ctx.tr, imp.problem), color=ft.Colors.ERROR))
    out.append(
        ft.Row(
            [
                secondary(t("admin.import.check"), lambda _: _run(view, imp.dry_run)),
                ft.FilledButton(
                    content=t("admin.import.run"), on_click=lambda _: _run(view, imp.run), disabled=not imp.can_import
                ),
            ],
            wrap=True,
        )
    )
    if imp.checked:
        counts = ", ".join(
            f"{t('admin.checkpoints' if k == 'checkpoints' else 'admin.section.' + k)}: {n}"
            for k, n in imp.counts.items()
        )
        out.append(ft.Text(counts))
        if imp.problems:
            out.append(ft.Text(t("admin.import.problems", count=len(imp.problems)), color=ft.Colors.ERROR))
            for p in imp.problems:
                where = t("admin.import.where", sheet=p.sheet, row=p.row if p.row is not None else "-", column=p.column)
                out.append(card(where, p.message, warn=True))
        elif imp.result is None:
            out.append(ft.Text(t("admin.import.clean"), color=ft.Colors.PRIMARY))
    if imp.result is not None:
        out.append(ft.Text(t("admin.import.done"), color=ft.Colors.PRIMARY, weight=ft.FontWeight.W_600))
        for u in imp.new_users:
            out.append(
                card(u.get("username", ""), t("admin.import.temporary", password=u.get("temporary_password", "")))
            )
    return ft.Column(out, spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


async def _pick(view: AdminView) -> None:
    if getattr(view.shell, "import_picker", None) is None:
        view.shell.import_picker = ft.FilePicker()  # type: ignore[attr-defined]
    files = await view.shell.import_picker.pick_files(  # type: ignore[attr-defined]
        allowed_extensions=["xlsx", "csv"], with_data=True
    )
    if files:
        f = files[0]
        data = f.bytes if f.bytes is not None else Path(str(f.path)).read_bytes()
        view.area.importer.choose(f.name, data)
        view.shell.render()


def _kind(view: AdminView, kind: Any) -> None:
    if kind:
        view.area.importer.set_kind(kind)
        view.shell.render()


def _run(view: AdminView, call: Any) -> None:
    view.busy("admin.import.checking")
    try:
        call()
    finally:
        view.done()
