"""The place picker's chips: building → floor → unit, or a common area (defect and complaint forms)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from mobile.state.places import PlacePicker
from mobile.views.widgets import choices
from shared.i18n import Translator


def place_choices(tr: Translator, picker: PlacePicker, rerender: Callable[[], None]) -> list[ft.Control]:
    t, p = tr.t, picker

    def names(items: list[dict[str, Any]]) -> list[tuple[Any, str]]:
        return [(str(i["id"]), str(i.get("name", i["id"]))) for i in items]

    def pick(setter: Callable[[Any], None]) -> Callable[[Any], None]:
        def apply(value: Any) -> None:
            setter(value)
            rerender()

        return apply

    place: list[ft.Control] = [
        ft.Text(t("defect.building"), weight=ft.FontWeight.W_600),
        choices(names(p.buildings()), p.building_id, pick(p.choose_building)),
    ]
    if p.building_id:
        place += [
            ft.Text(t("defect.floor"), weight=ft.FontWeight.W_600),
            choices(names(p.floors()), p.floor_id, pick(p.choose_floor), allow_none=True),
        ]
    if p.floor_id:
        place += [
            ft.Text(t("defect.unit"), weight=ft.FontWeight.W_600),
            choices(names(p.units()), p.unit_id, pick(p.choose_unit), allow_none=True),
        ]
    if p.areas():
        place += [
            ft.Text(t("defect.area"), weight=ft.FontWeight.W_600),
            choices(names(p.areas()), p.area_id, pick(p.choose_area), allow_none=True),
        ]
    return place
