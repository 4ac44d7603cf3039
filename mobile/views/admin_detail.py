"""The detail side of an administration section: the form, the item's actions (asking first), and its extras."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.state.admin import Action, Field, Section
from mobile.state.admin_people import AuditSection, UsersSection
from mobile.state.admin_setup import PermitsSection, RoutesSection
from mobile.state.messages import problem_message
from mobile.views.widgets import card, choices, confirm_box, primary, secondary
from mobile.views.widgets import section as titled

if TYPE_CHECKING:
    from mobile.views.admin import AdminView


def detail_pane(view: AdminView, sec: Section) -> ft.Control:
    tr = view.shell.ctx.tr
    t = tr.t
    out: list[ft.Control] = []
    if sec.message:
        out.append(ft.Text(t(sec.message, **sec.message_args), color=ft.Colors.PRIMARY, weight=ft.FontWeight.W_600))
    if sec.problem is not None:
        out.append(ft.Text(problem_message(tr, sec.problem), color=ft.Colors.ERROR))
    if sec.asking is not None:
        action, item = sec.asking
        out.append(
            confirm_box(
                t(action.confirm or "", name=sec.title(item)),
                t(action.key),
                lambda _: _run(view, sec.confirm),
                t("admin.cancel"),
                lambda _: _run(view, sec.cancel),
            )
        )
    form = sec.form
    if form is not None and sec.fields:
        heading = t(f"admin.new.{sec.key}") if form.editing is None else sec.title(form.editing)
        out.append(ft.Text(heading, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD))
        for f in sec.fields:
            if sec.editable(f):
                out += field_control(view, f, form.values.get(f.name), lambda v, n=f.name: sec.set(n, v))
                if f.name in form.problems:
                    out.append(ft.Text(problem_message(tr, form.problems[f.name]), color=ft.Colors.ERROR))
        if "" in form.problems:
            out.append(ft.Text(problem_message(tr, form.problems[""]), color=ft.Colors.ERROR))
        out.append(primary(t("admin.save"), lambda _: _run(view, sec.save), icon=ft.Icons.SAVE))
    elif sec.selected is not None:
        out.append(card(sec.title(sec.selected), sec.subtitle(sec.selected)))
    if sec.selected is not None:
        out += _extras(view, sec)
        buttons = [_action_button(view, sec, a, sec.selected) for a in sec.actions(sec.selected)]
        if buttons:
            out.append(ft.Row(buttons, spacing=8))
    if not out:
        out.append(ft.Text(t("admin.pick")))
    return ft.Column(out, spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def field_control(view: AdminView, f: Field, value: Any, on_change: Callable[[Any], None]) -> list[ft.Control]:
    t = view.shell.ctx.tr.t
    label = t(f.label)
    if f.kind in ("choice", "multi"):
        options = [(v, t(lbl) if lbl.startswith(("admin.", "role.")) else lbl) for v, lbl in (f.options or list)()]
        if f.kind == "multi":
            chosen = list(value or [])

            def toggle(v: Any) -> None:
                if v is not None:
                    chosen.remove(v) if v in chosen else chosen.append(v)
                    on_change(list(chosen))
                    view.shell.render()

            chips = [
                ft.Chip(
                    label=ft.Text(lbl), selected=v in chosen, on_select=lambda _, v=v: toggle(v), show_checkmark=False
                )
                for v, lbl in options
            ]
            return [ft.Text(label, weight=ft.FontWeight.W_600), ft.Row(chips, wrap=True, spacing=6, run_spacing=6)]

        def pick(v: Any) -> None:
            on_change(v or "")
            view.shell.render()

        return [ft.Text(label, weight=ft.FontWeight.W_600), choices(options, value, pick, allow_none=True)]
    if f.kind == "bool":
        return [ft.Checkbox(label=label, value=bool(value), on_change=lambda e: on_change(bool(e.control.value)))]
    extra: dict[str, Any] = {}
    if f.kind == "password":
        extra = {"password": True, "can_reveal_password": True}
    elif f.kind == "number":
        extra = {"keyboard_type": ft.KeyboardType.NUMBER}
    elif f.kind == "hours":
        extra = {"hint_text": t("admin.property.hours_hint"), "prefix_icon": ft.Icons.SCHEDULE}
    elif f.kind == "date":
        extra = {"hint_text": "YYYY-MM-DD", "keyboard_type": ft.KeyboardType.DATETIME}
    elif f.kind == "lines":
        extra = {"multiline": True, "min_lines": 2, "hint_text": t("admin.permit.workers_hint")}
    return [
        ft.TextField(label=label, value=str(value or ""), on_change=lambda e: on_change(e.control.value or ""), **extra)
    ]


def _extras(view: AdminView, sec: Section) -> list[ft.Control]:
    t = view.shell.ctx.tr.t
    out: list[ft.Control] = []
    if isinstance(sec, AuditSection) and sec.selected is not None:
        out += [ft.Text(line, selectable=True) for line in sec.changes(sec.selected)]
    if isinstance(sec, UsersSection):
        rows: list[ft.Control] = []
        for d in sec.devices:
            state = t("admin.device.revoked_state") if d.get("revoked") else str(d.get("last_login", ""))[:16]
            rows.append(card(str(d.get("device_name") or d["device_id"]), state.replace("T", " ")))
            rows += [_action_button(view, sec, a, d) for a in sec.device_actions(d)]
        out.append(titled(t("admin.devices"), rows or [ft.Text(t("common.nothing"))]))
    if isinstance(sec, RoutesSection) and sec.form is not None and sec.form.editing is not None:
        rows = []
        for c in sec.selected.get("checkpoints", []) if sec.selected else []:
            rows.append(card(f"{c['position']}. {sec.place_name(c['place_id'])}", c["scan_code"]))
            buttons = [_action_button(view, sec, a, c) for a in sec.checkpoint_actions(c)]
            rows.append(ft.Row(buttons, spacing=8))
        cp = sec.checkpoint
        places = Field(
            "place_id", "admin.checkpoint.place", "choice", lambda: [(p["id"], p["name"]) for p in sec.places]
        )
        rows += field_control(view, places, cp.values.get("place_id"), lambda v: cp.values.__setitem__("place_id", v))
        code = Field("scan_code", "admin.checkpoint.code")
        rows += field_control(view, code, cp.values.get("scan_code"), lambda v: cp.values.__setitem__("scan_code", v))
        rows += [ft.Text(problem_message(view.shell.ctx.tr, p), color=ft.Colors.ERROR) for p in cp.problems.values()]
        rows.append(secondary(t("admin.checkpoint.add"), lambda _: _run(view, sec.add_checkpoint), icon=ft.Icons.ADD))
        if sec.labels_path is not None:
            rows.append(
                primary(
                    t("admin.route.download_labels"),
                    lambda _: view.shell.page.run_task(_download, view, sec),
                    icon=ft.Icons.DOWNLOAD,
                )
            )
        out.append(titled(t("admin.checkpoints"), rows))
    if isinstance(sec, PermitsSection) and sec.selected is not None and sec.selected.get("status") != "ended":
        end = sec.ending
        rows = field_control(
            view,
            Field("passes_returned", "admin.permit.passes_returned", "number"),
            end.values.get("passes_returned"),
            lambda v: end.values.__setitem__("passes_returned", v),
        )
        rows += field_control(
            view,
            Field("fees_settled", "admin.permit.fees_settled", "bool"),
            end.values.get("fees_settled"),
            lambda v: end.values.__setitem__("fees_settled", v),
        )
        out.append(titled(t("admin.permit.ending"), rows))
    return out


def _action_button(view: AdminView, sec: Section, action: Action, item: dict[str, Any]) -> ft.Control:
    t = view.shell.ctx.tr.t
    return secondary(t(action.key), lambda _: _run(view, lambda: sec.act(action, item)))


def _run(view: AdminView, call: Callable[[], Any]) -> None:
    view.busy("admin.saving")
    try:
        call()
    finally:
        view.done()


async def _download(view: AdminView, sec: RoutesSection) -> None:
    """The labels PDF to the browser's downloads (web) or a place the user picks (desktop, phone)."""
    if sec.labels_path is None:
        return
    picker = getattr(view.shell, "save_picker", None)
    if picker is None:
        picker = view.shell.save_picker = ft.FilePicker()  # type: ignore[attr-defined]
    await picker.save_file(file_name=sec.labels_path.name, src_bytes=sec.labels_path.read_bytes())
