"""Owner complaint form: where (unit or common area), what, how urgent; saved once as an owner_complaint record."""

from __future__ import annotations

from mobile.state.complaint import ComplaintForm
from mobile.state.messages import problem_message
from shared.i18n import Translator
from shared.model import OwnerComplaint, RecordType, Severity
from tests.mobile.state_fixtures import Saved, demo_ref


def test_nothing_is_saved_until_place_and_what_are_given() -> None:
    saved = Saved()
    form = ComplaintForm(ref=demo_ref(), save=saved)
    assert form.severity is Severity.MEDIUM  # the default urgency
    assert [p.key for p in form.submit()] == ["complaint.place_missing", "complaint.description_missing"]
    form.places.choose_building("b1")
    form.places.choose_floor("b1-f2")
    form.description = "Noise"
    assert [p.key for p in form.submit()] == ["complaint.place_missing"]  # a floor is not whose home it is
    form.places.choose_area("lobby")
    form.description = "  "
    (problem,) = form.submit()
    assert problem_message(Translator("es"), problem) == "Anote de qué se queja el propietario."
    assert saved.records == [] and form.saved_id is None


def test_a_complaint_about_the_owners_unit_is_saved_once_with_urgency_and_photos() -> None:
    saved = Saved()
    form = ComplaintForm(ref=demo_ref(), save=saved)
    form.places.choose_building("b1")
    form.places.choose_floor("b1-f2")
    form.places.choose_unit("b1-f2-u203")
    form.owner_name, form.contact = " Wang Fang ", "138 0000 0000"
    form.description = "Noise from the renovation upstairs after 20:00"
    form.severity = Severity.URGENT
    form.add_photo("a" * 64)
    form.add_photo("a" * 64)
    form.add_photo("b" * 64)
    form.remove_photo("b" * 64)
    assert form.submit() == []
    assert form.submit() == []  # a double tap saves once
    (body,) = saved.of(RecordType.OWNER_COMPLAINT)
    assert body == OwnerComplaint(
        place_id="b1-f2-u203",
        owner_name="Wang Fang",
        description="Noise from the renovation upstairs after 20:00",
        contact="138 0000 0000",
        photos=["a" * 64],
        severity=Severity.URGENT,
    )
    assert form.saved_id == "r1"


def test_a_common_area_complaint_needs_no_owner_name() -> None:
    saved = Saved()
    form = ComplaintForm(ref=demo_ref(), save=saved)
    form.places.choose_area("garage")
    form.description = "Garage lights off at night"
    assert form.submit() == []
    (body,) = saved.of(RecordType.OWNER_COMPLAINT)
    assert body.place_id == "garage" and body.severity is Severity.MEDIUM and body.owner_name == ""
