"""The phone's photo pipeline with real images: upright, shrunk, stripped, JPEG, stored once, cleaned up."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from mobile import photos
from mobile.recorder import save_record
from mobile.store import open_store
from mobile.store import photos as photo_store
from shared.errors import LimitProblem, ValidationProblem
from shared.model import (
    ChecklistItem,
    DecorationCheck,
    DefectCategory,
    DefectReport,
    RecordType,
    ReturnVisit,
    Satisfaction,
    Severity,
    Slot,
    Violation,
)
from tests.photo_samples import (
    DATETIME_ORIGINAL,
    EXIF_IFD,
    GPS_IFD,
    TAKEN_AT,
    big_photo,
    camera_jpeg,
    halves,
    png_bomb,
    png_with_alpha,
    small_jpeg,
    text_named_jpg,
    truncated_jpeg,
)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "phone.sqlite3")
    yield s
    s.close()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_exif_rotated_jpeg_comes_out_upright():
    # Stored landscape with the left half red; orientation 6 means "turn 90° clockwise to view".
    source = camera_jpeg(halves(400, 200), orientation=6)
    out = photos.process_photo(source)
    img = Image.open(io.BytesIO(out.jpeg))
    assert img.size == (200, 400)  # portrait, as the photographer saw it
    top, bottom = img.getpixel((100, 50)), img.getpixel((100, 350))
    assert top[0] > 200 and top[2] < 60  # red on top
    assert bottom[2] > 200 and bottom[0] < 60  # blue below
    assert 0x0112 not in img.getexif()  # no orientation left to apply twice


def test_twelve_megapixel_photo_is_shrunk_and_loses_its_gps():
    source = camera_jpeg(big_photo(4000, 3000))
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)  # the input really carries a position
    out = photos.process_photo(source)
    img = Image.open(io.BytesIO(out.jpeg))
    assert img.format == "JPEG"
    assert max(img.size) <= 1600 and img.size == (1600, 1200)
    exif = img.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert GPS_IFD not in exif and 0x010F not in exif and 0x0110 not in exif  # no position, maker or model
    assert exif.get_ifd(EXIF_IFD) == {DATETIME_ORIGINAL: TAKEN_AT}  # the capture time is all that is kept
    assert out.taken_at == TAKEN_AT
    assert b"PhoneMaker" not in out.jpeg and "icc_profile" not in img.info
    assert len(out.jpeg) < len(source) / 3


def test_long_edge_and_quality_are_configurable():
    source = camera_jpeg(big_photo(2000, 1500))
    small = photos.process_photo(source, max_edge=800, quality=60)
    fine = photos.process_photo(source, max_edge=800, quality=95)
    assert Image.open(io.BytesIO(small.jpeg)).size == (800, 600)
    assert len(small.jpeg) < len(fine.jpeg)


def test_png_with_alpha_becomes_a_jpeg_on_white():
    out = photos.process_photo(png_with_alpha(300, 200))
    img = Image.open(io.BytesIO(out.jpeg))
    assert out.jpeg[:2] == b"\xff\xd8" and img.format == "JPEG" and img.mode == "RGB"
    r, g, b = img.getpixel((250, 100))  # was fully transparent: white, not black
    assert min(r, g, b) > 240
    r, g, b = img.getpixel((50, 100))
    assert g > 100 and r < 40


def test_the_same_photo_taken_twice_is_stored_once(store, tmp_path):
    source = camera_jpeg(big_photo(1200, 900))
    first = photos.ingest_photo(store, tmp_path / "app", source)
    second = photos.ingest_photo(store, tmp_path / "app", source)
    assert first == second
    assert first.path.is_file() and first.thumb_path.is_file()
    assert files_under(tmp_path / "app") == sorted([first.path, first.thumb_path])
    with store.reading() as db:
        assert photo_store.count_photos(db) == 1
    with Image.open(first.thumb_path) as thumb:
        assert max(thumb.size) <= photos.THUMB_EDGE


def test_a_photo_from_a_file_path_works_like_bytes(store, tmp_path):
    picked = tmp_path / "IMG_0001.JPG"
    picked.write_bytes(camera_jpeg(halves(300, 200)))
    ref = photos.ingest_photo(store, tmp_path / "app", picked)
    assert ref.sha256 == photos.process_photo(picked.read_bytes()).sha256
    assert photos.photo_ref(store, tmp_path / "app", ref.sha256) == ref


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (text_named_jpg(), "photo.not_an_image"),
        (truncated_jpeg(), "photo.unreadable"),
        (png_bomb(), "photo.too_many_pixels"),
    ],
    ids=["text-named-jpg", "truncated", "bomb"],
)
def test_unusable_pictures_are_refused_with_a_message(store, tmp_path, data, code):
    with pytest.raises(ValidationProblem) as refused:
        photos.ingest_photo(store, tmp_path / "app", data)
    assert refused.value.code == code and refused.value.message
    assert files_under(tmp_path / "app") == []


def test_a_photo_over_the_servers_limit_is_refused_at_capture(store, tmp_path):
    source = camera_jpeg(big_photo(1600, 1200))
    with store.transaction() as db:
        photo_store.set_limits(db, limits={"max_photo_bytes": 50_000})  # as the server announced it
    with pytest.raises(LimitProblem) as refused:
        photos.ingest_photo(store, tmp_path / "app", source)
    assert refused.value.code == "photo.too_large"
    assert "0.0 MB" in refused.value.message and refused.value.detail["max_photo_bytes"] == 50_000
    assert files_under(tmp_path / "app") == []
    assert photos.ingest_photo(store, tmp_path / "app", source, max_bytes=10_000_000).size > 50_000


def defect(photo_hashes: list[str]) -> DefectReport:
    return DefectReport(
        place_id="b1-lobby",
        category=DefectCategory.ELECTRICAL,
        severity=Severity.MEDIUM,
        description="Lobby light flickers",
        photos=photo_hashes,
    )


def test_photos_no_record_references_are_cleaned_up(store, tmp_path):
    app = tmp_path / "app"
    kept = photos.ingest_photo(store, app, small_jpeg(1))
    dropped = photos.ingest_photo(store, app, small_jpeg(2))  # its draft was deleted
    in_form = photos.ingest_photo(store, app, small_jpeg(3))  # a form still open holds it
    save_record(store, type=RecordType.DEFECT_REPORT, body=defect([kept.sha256]))

    removed = photos.cleanup_photos(store, app, keep={in_form.sha256})

    assert removed == [dropped.sha256]
    assert not dropped.path.exists() and not dropped.thumb_path.exists()
    assert kept.path.exists() and in_form.path.exists()
    assert photos.photo_ref(store, app, dropped.sha256) is None


def test_only_photos_of_saved_records_wait_for_upload(store, tmp_path):
    app = tmp_path / "app"
    saved = photos.ingest_photo(store, app, small_jpeg(4))
    photos.ingest_photo(store, app, small_jpeg(5))  # taken, but its form was never saved
    save_record(store, type=RecordType.DEFECT_REPORT, body=defect([saved.sha256]))
    with store.reading() as db:
        assert [p["sha256"] for p in photo_store.to_upload(db)] == [saved.sha256]
    assert store.pending_counts()["photos"] == 1


def test_signatures_and_violation_photos_count_as_referenced(store, tmp_path):
    app = tmp_path / "app"
    signature, evidence, loose = (photos.ingest_photo(store, app, small_jpeg(seed)) for seed in (6, 7, 8))
    visit = ReturnVisit(
        "wo-1", fixed=True, satisfaction=Satisfaction.SATISFIED, owner_name="Wang", signature=signature.sha256
    )
    save_record(store, type=RecordType.RETURN_VISIT, body=visit)
    with store.reading() as db:
        assert photo_store.referenced_hashes(db) == {signature.sha256}
    # A violation's photos sit two levels down in a decoration check.
    violation = Violation(ChecklistItem.NO_DIGGING, "x", photos=[evidence.sha256])
    passed = [item for item in ChecklistItem if item is not ChecklistItem.NO_DIGGING]
    check = DecorationCheck("permit-1", Slot.MORNING, passed, [violation], workers_seen=1, passes_seen=1)
    save_record(store, type=RecordType.DECORATION_CHECK, body=check)
    assert photos.cleanup_photos(store, app) == [loose.sha256]


def test_photos_of_forms_never_saved_are_cleaned_after_a_day_never_those_of_records(store, tmp_path):
    app = tmp_path / "app"
    saved = photos.ingest_photo(store, app, small_jpeg(9))  # its record waits to be sent
    orphan = photos.ingest_photo(store, app, small_jpeg(10))  # its form was closed without saving
    save_record(store, type=RecordType.DEFECT_REPORT, body=defect([saved.sha256]))
    taken = datetime.now(UTC)
    late = photos.ingest_photo(store, app, small_jpeg(11))  # taken just now, for a form still open
    store.db.execute("UPDATE photos SET created_at = '2026-01-01T00:00:00.000Z' WHERE sha256 != ?", [late.sha256])

    hours_later = photos.cleanup_photos(store, app, grace=photos.ORPHAN_GRACE, now=taken + timedelta(hours=3))
    assert hours_later == [orphan.sha256]
    assert not orphan.path.exists() and saved.path.exists() and late.path.exists()
    with store.reading() as db:
        assert [p["sha256"] for p in photo_store.to_upload(db)] == [saved.sha256]

    days_later = photos.cleanup_photos(store, app, grace=photos.ORPHAN_GRACE, now=taken + timedelta(days=2))
    assert days_later == [late.sha256]
    assert saved.path.exists() and photos.photo_ref(store, app, saved.sha256) is not None


def test_the_app_cleans_orphan_photos_when_it_starts(tmp_path):
    from mobile.context import AppContext

    first = AppContext(data_dir=tmp_path / "app")
    orphan = photos.ingest_photo(first.store, tmp_path / "app", small_jpeg(12))
    fresh = photos.ingest_photo(first.store, tmp_path / "app", small_jpeg(13))
    first.store.db.execute(
        "UPDATE photos SET created_at = '2026-01-01T00:00:00.000Z' WHERE sha256 = ?", [orphan.sha256]
    )
    first.close()
    again = AppContext(data_dir=tmp_path / "app")
    try:
        assert not orphan.path.exists() and fresh.path.exists()
        assert photos.photo_ref(again.store, tmp_path / "app", orphan.sha256) is None
    finally:
        again.close()
