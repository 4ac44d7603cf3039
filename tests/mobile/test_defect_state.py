"""Defect form: place picker building → floor → unit or common area; what must be filled before saving."""

from __future__ import annotations

from mobile.state.defect import DefectForm
from mobile.state.places import PlacePicker, place_label
from shared.model import CauseFactor, DefectCategory, RecordType, Severity
from tests.mobile.state_fixtures import Saved, demo_ref


def test_place_picker_cascades_and_sorts_floors_naturally() -> None:
    p = PlacePicker(demo_ref())
    assert [b["name"] for b in p.buildings()] == ["Building 1", "Building 2"]
    assert p.floors() == []
    p.choose_building("b1")
    assert [f["name"] for f in p.floors()] == ["Floor 2", "Floor 10"]
    p.choose_floor("b1-f2")
    p.choose_unit("b1-f2-u203")
    assert p.place_id == "b1-f2-u203"
    p.choose_building("b2")  # a new building clears floor and unit
    assert p.floor_id is None and p.unit_id is None and p.place_id == "b2"
    p.choose_area("garage")
    assert p.place_id == "garage" and p.building_id is None


def test_place_picker_fills_in_from_a_unit() -> None:
    p = PlacePicker(demo_ref())
    p.set_place("b1-f2-u203")
    assert (p.building_id, p.floor_id, p.unit_id) == ("b1", "b1-f2", "b1-f2-u203")
    assert place_label(demo_ref(), "b1-f2-u203") == "Building 1 · Floor 2 · Unit 203"


def test_nothing_is_saved_until_place_category_and_description_are_given() -> None:
    saved = Saved()
    form = DefectForm(ref=demo_ref(), save=saved)
    keys = [p.key for p in form.submit()]
    assert keys == ["defect.place_missing", "defect.category_missing", "defect.description_missing"]
    form.places.set_place("b1-f2-u203")
    form.category = DefectCategory.WATER_LEAKAGE
    form.description = "   "
    assert [p.key for p in form.submit()] == ["defect.description_missing"]
    assert saved.records == []


def test_a_complete_defect_is_saved_once_with_photos_and_cause() -> None:
    saved = Saved()
    form = DefectForm(ref=demo_ref(), save=saved, place_id="lobby", checkpoint_visit_id="v1")
    form.category, form.severity, form.cause = DefectCategory.CIVIL, Severity.HIGH, CauseFactor.MATERIALS
    form.description = "Tile loose by the door"
    form.add_photo("a" * 64)
    form.add_photo("a" * 64)
    form.add_photo("b" * 64)
    form.remove_photo("b" * 64)
    assert form.submit() == []
    assert form.submit() == []  # a double tap saves once
    (body,) = saved.of(RecordType.DEFECT_REPORT)
    assert body.place_id == "lobby" and body.photos == ["a" * 64] and body.cause is CauseFactor.MATERIALS
    assert body.checkpoint_visit_id == "v1" and body.severity is Severity.HIGH
