"""Administration: a navigation rail with list and detail side by side on a wide window, stacked on a phone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobile.admin_api import AdminApi
from mobile.state.admin_area import AdminArea
from mobile.views.admin_detail import detail_pane
from mobile.views.admin_import import import_pane
from mobile.views.widgets import back, card, choices, problem_texts, screen

if TYPE_CHECKING:
    from mobile.views.shell import Shell

WIDE = 900  # px: from here the list and the detail sit side by side
ICONS = {
    "users": ft.Icons.PEOPLE_OUTLINE,
    "places": ft.Icons.APARTMENT,
    "routes": ft.Icons.ROUTE,
    "permits": ft.Icons.HANDYMAN_OUTLINED,
    "import": ft.Icons.UPLOAD_FILE,
    "audit": ft.Icons.HISTORY,
    "properties": ft.Icons.LOCATION_CITY,
}


class AdminView:
    def __init__(self, shell: Shell, **_: Any) -> None:
        self.shell = shell
        ctx = shell.ctx
        api = AdminApi.of_store(ctx.http, ctx.store, ctx.tr.locale)
        self.area = AdminArea(api, ctx.user, data_dir=ctx.data_dir, translator=lambda: ctx.tr)
        self.area.start()
        self.detail_open = False  # on a phone: the detail replaces the list

    @property
    def wide(self) -> bool:
        return (self.shell.page.width or 0) >= WIDE

    def build(self) -> ft.Control:
        t = self.shell.ctx.tr.t
        area = self.area
        head: list[ft.Control] = [ft.Text(t("admin.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE)]
        head += problem_texts(self.shell.ctx.tr, [area.problem] if area.problem else [])
        if area.is_admin and len(area.properties) > 1:
            options = [(p["id"], f"{p['name']} ({p['id']})") for p in area.properties]
            head.append(choices(options, area.property_id, self._property))
        if self.wide:
            rail = ft.NavigationRail(
                selected_index=area.names.index(area.current),
                label_type=ft.NavigationRailLabelType.ALL,
                destinations=[
                    ft.NavigationRailDestination(icon=ICONS[n], label=t(f"admin.section.{n}")) for n in area.names
                ],
                on_change=lambda e: self._open(area.names[int(e.control.selected_index)]),
                height=max(480, (self.shell.page.height or 800) - 200),
            )
            panes = ft.Row(
                [rail, ft.VerticalDivider(width=1), *self._panes()],
                vertical_alignment=ft.CrossAxisAlignment.START,
                spacing=16,
            )
            return screen([*head, panes])
        sections = choices([(n, t(f"admin.section.{n}")) for n in area.names], area.current, self._open)
        if self.detail_open:
            return screen([*head, back(self.shell.ctx.tr, self._close), *self._panes()[-1:]])
        return screen([*head, sections, *self._panes()[:1]])

    def _panes(self) -> list[ft.Control]:
        """[list, detail]; import has one pane."""
        if self.area.current == "import":
            return [ft.Container(import_pane(self), expand=True)]
        section = self.area.section
        assert section is not None
        listing = ft.Container(self._list(section), width=360 if self.wide else None)
        detail = ft.Container(detail_pane(self, section), expand=True)
        return [listing, detail]

    def _list(self, section: Any) -> ft.Control:
        t = self.shell.ctx.tr.t
        controls: list[ft.Control] = [
            ft.TextField(
                label=t("admin.search"),
                value=section.query,
                prefix_icon=ft.Icons.SEARCH,
                on_change=lambda e: self._search(section, e.control.value or ""),
            )
        ]
        if section.fields:
            controls.append(
                ft.FilledButton(
                    content=t(f"admin.new.{section.key}"), icon=ft.Icons.ADD, on_click=lambda _: self._new()
                )
            )
        self.items = ft.Column(self._cards(section), spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        controls.append(self.items)
        return ft.Column(controls, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def _cards(self, section: Any) -> list[ft.Control]:
        t = self.shell.ctx.tr.t
        cards: list[ft.Control] = []
        for item in section.visible():
            chosen = section.selected is not None and section.selected.get("id") == item.get("id")
            title = ("▶ " if chosen else "") + section.title(item)
            if item.get("archived_at") or item.get("active") is False:
                title += " · " + t("admin.inactive")
            cards.append(card(title, section.subtitle(item), on_click=self._chooser(item)))
        return cards or [ft.Text(t("common.nothing"))]

    # ---- events --------------------------------------------------------------------------------
    def _chooser(self, item: dict[str, Any]) -> Any:
        def choose(_: Any) -> None:
            assert self.area.section is not None
            self.area.section.select(item)
            self.detail_open = True
            self.shell.render()

        return choose

    def _new(self) -> None:
        assert self.area.section is not None
        self.area.section.new()
        self.detail_open = True
        self.shell.render()

    def _search(self, section: Any, text: str) -> None:
        section.query = text  # only the cards change: the search box keeps its focus
        self.items.controls = self._cards(section)
        self.items.update()

    def _open(self, name: str | None) -> None:
        if name:
            self.area.open(name)
            self.detail_open = False
            self.shell.render()

    def _property(self, property_id: str | None) -> None:
        if property_id:
            self.area.choose_property(property_id)
            self.shell.render()

    def _close(self, _: Any) -> None:
        self.detail_open = False
        self.shell.render()

    def busy(self, key: str) -> None:
        """Show progress while the server answers (the call itself runs right after)."""
        self.shell.message.value = self.shell.ctx.tr.t(key)
        self.shell.message.visible = True
        self.shell.page.update()

    def done(self) -> None:
        self.shell.message.visible = False
        self.shell.render()
