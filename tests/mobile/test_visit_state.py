"""Return visit: fixed, satisfaction, comment, and the owner's drawn signature or a reason why none."""

from __future__ import annotations

import io

from PIL import Image

from mobile.state.visit import ReturnVisitForm, signature_png
from shared.model import RecordType, Satisfaction
from tests.mobile.state_fixtures import Saved, demo_ref


def form() -> tuple[ReturnVisitForm, Saved, list[bytes]]:
    saved, ingested = Saved(), []

    def ingest(data: bytes) -> str:
        ingested.append(data)
        return "d" * 64

    return ReturnVisitForm(ref=demo_ref(), save=saved, ingest=ingest, work_order_id="wo1"), saved, ingested


def test_answers_and_a_signature_or_reason_are_required() -> None:
    f, saved, _ = form()
    assert [p.key for p in f.submit()] == ["visit.choice_missing", "visit.signature_missing"]
    assert saved.records == []


def test_a_drawn_signature_needs_the_owner_name_and_is_stored_as_a_photo() -> None:
    f, saved, ingested = form()
    f.fixed, f.satisfaction = True, Satisfaction.SATISFIED
    f.start_stroke(10, 10)
    for x in range(20, 200, 20):
        f.extend_stroke(x, 50)
    assert [p.key for p in f.submit()] == ["visit.owner_name_missing"]
    f.owner_name = "Wang Fang"
    assert f.submit() == []
    (body,) = saved.of(RecordType.RETURN_VISIT)
    assert body.signature == "d" * 64 and body.no_signature_reason is None and body.successful
    image = Image.open(io.BytesIO(ingested[0]))
    assert image.size == (600, 240)
    assert image.getpixel((100, 50)) == (0, 0, 0)  # the stroke is drawn where it was made
    assert image.getpixel((100, 200)) == (255, 255, 255)


def test_without_signature_the_reason_is_kept_and_nothing_is_ingested() -> None:
    f, saved, ingested = form()
    f.fixed, f.satisfaction = False, Satisfaction.DISSATISFIED
    f.start_stroke(5, 5)  # a tap is not a signature
    f.no_signature_reason = "Owner not at home, tenant confirmed"
    assert f.submit() == []
    (body,) = saved.of(RecordType.RETURN_VISIT)
    assert body.signature is None and not body.successful and ingested == []


def test_clearing_the_pad_removes_the_signature() -> None:
    f, _, _ = form()
    f.start_stroke(1, 1)
    f.extend_stroke(50, 50)
    assert f.signed
    f.clear_signature()
    assert not f.signed


def test_signature_png_is_white_without_strokes() -> None:
    image = Image.open(io.BytesIO(signature_png([])))
    assert image.getextrema() == ((255, 255), (255, 255), (255, 255))
