"""Choosing where something is: building → floor → unit, or a common area, from the cached places."""

from __future__ import annotations

from typing import Any

from mobile.state.ports import RefData
from shared.model import PlaceKind


class PlacePicker:
    """Cascading choice; ``place_id`` is the most precise place chosen so far (area, unit, floor or building)."""

    def __init__(self, ref: RefData) -> None:
        self.ref = ref
        self.building_id: str | None = None
        self.floor_id: str | None = None
        self.unit_id: str | None = None
        self.area_id: str | None = None

    def _of_kind(
        self, kind: PlaceKind, parent_id: str | None = None, *, any_parent: bool = False
    ) -> list[dict[str, Any]]:
        found = [p for p in self.ref.items("place") if p.get("kind") == kind.value]
        if not any_parent:
            found = [p for p in found if p.get("parent_id") == parent_id]
        return sorted(found, key=lambda p: _natural(str(p.get("name", ""))))

    def buildings(self) -> list[dict[str, Any]]:
        return self._of_kind(PlaceKind.BUILDING)

    def floors(self) -> list[dict[str, Any]]:
        return self._of_kind(PlaceKind.FLOOR, self.building_id) if self.building_id else []

    def units(self) -> list[dict[str, Any]]:
        return self._of_kind(PlaceKind.UNIT, self.floor_id) if self.floor_id else []

    def areas(self) -> list[dict[str, Any]]:
        return self._of_kind(PlaceKind.AREA, any_parent=True)

    def choose_building(self, place_id: str | None) -> None:
        self.building_id, self.floor_id, self.unit_id, self.area_id = place_id, None, None, None

    def choose_floor(self, place_id: str | None) -> None:
        self.floor_id, self.unit_id = place_id, None

    def choose_unit(self, place_id: str | None) -> None:
        self.unit_id = place_id

    def choose_area(self, place_id: str | None) -> None:
        self.area_id = place_id
        if place_id:
            self.building_id, self.floor_id, self.unit_id = None, None, None

    def set_place(self, place_id: str | None) -> None:
        """Fill the picker from one place id (for a form opened from a checkpoint), walking up its parents."""
        self.choose_building(None)
        place = self.ref.item("place", place_id) if place_id else None
        chain: dict[str, str] = {}
        while place is not None and len(chain) < 4:
            chain[str(place.get("kind"))] = str(place["id"])
            parent = place.get("parent_id")
            place = self.ref.item("place", parent) if parent else None
        if PlaceKind.AREA.value in chain:
            self.area_id = chain[PlaceKind.AREA.value]
            return
        self.building_id = chain.get(PlaceKind.BUILDING.value)
        self.floor_id = chain.get(PlaceKind.FLOOR.value)
        self.unit_id = chain.get(PlaceKind.UNIT.value)

    @property
    def place_id(self) -> str | None:
        return self.area_id or self.unit_id or self.floor_id or self.building_id


def place_label(ref: RefData, place_id: str | None) -> str:
    """A place and its parents as people say it: "Building 1 · 3F · 301"."""
    names: list[str] = []
    place = ref.item("place", place_id) if place_id else None
    while place is not None and len(names) < 4:
        names.append(str(place.get("name", place["id"])))
        parent = place.get("parent_id")
        place = ref.item("place", parent) if parent else None
    return " · ".join(reversed(names))


def _natural(name: str) -> tuple[Any, ...]:
    # "Floor 10" after "Floor 9": compare digit runs as numbers.
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))
