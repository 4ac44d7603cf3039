"""The server's photo check without HTTP: hash, pixel limit, damaged and fake files, re-encoding."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from shared.errors import LimitProblem, PatrolError, ValidationProblem
from sync_server import photos
from sync_server.photo_store import LocalStore
from tests.photo_samples import (
    GPS_IFD,
    big_photo,
    camera_jpeg,
    halves,
    png_bomb,
    png_with_alpha,
    text_named_jpg,
    truncated_jpeg,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_good_photo_is_re_encoded_upright_without_metadata():
    source = camera_jpeg(halves(400, 200), orientation=6)
    checked = photos.verify_photo(source, sha256=sha(source))
    assert checked.jpeg != source  # never kept verbatim
    img = Image.open(io.BytesIO(checked.jpeg))
    assert img.format == "JPEG" and img.size == (200, 400)
    assert not img.getexif() and b"PhoneMaker" not in checked.jpeg and b"Exif" not in checked.jpeg
    assert max(Image.open(io.BytesIO(checked.thumbnail)).size) <= photos.THUMB_EDGE


def test_png_with_alpha_is_stored_as_jpeg():
    source = png_with_alpha()
    checked = photos.verify_photo(source, sha256=sha(source))
    assert Image.open(io.BytesIO(checked.jpeg)).format == "JPEG"


def test_files_are_named_by_hash_only(tmp_path):
    source = camera_jpeg(big_photo(800, 600))
    checked = photos.verify_photo(source, sha256=sha(source))
    photos.store_photo(LocalStore(tmp_path), checked)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        f"{sha(source)}.jpg",
        f"{sha(source)}.thumb.jpg",
    ]
    with pytest.raises(ValidationProblem):
        photos.photo_path(tmp_path, "../../etc/passwd")


@pytest.mark.parametrize(
    ("make", "kind", "code"),
    [
        (lambda: png_bomb(), LimitProblem, "photo.too_many_pixels"),  # beyond even Pillow's own limit
        (lambda: _png(8000, 6000), LimitProblem, "photo.too_many_pixels"),  # 48 MP: beyond ours
        (truncated_jpeg, ValidationProblem, "photo.unreadable"),
        (text_named_jpg, ValidationProblem, "photo.not_an_image"),
    ],
    ids=["bomb", "48-megapixel", "truncated", "text-named-jpg"],
)
def test_bad_files_are_refused_with_their_code(make, kind, code):
    data = make()
    with pytest.raises(kind) as refused:
        photos.verify_photo(data, sha256=sha(data))
    assert refused.value.code == code and refused.value.message


def test_a_hash_that_does_not_match_is_refused_before_decoding():
    source = camera_jpeg(halves(100, 100))
    with pytest.raises(ValidationProblem) as refused:
        photos.verify_photo(source, sha256=sha(b"something else"))
    assert refused.value.code == "photo.hash_mismatch"
    assert refused.value.detail["actual"] == sha(source)


def test_an_oversized_body_is_refused_with_the_limit():
    data = b"\xff\xd8" + bytes(2000)
    with pytest.raises(LimitProblem) as refused:
        photos.verify_photo(data, sha256=sha(data), max_bytes=1000)
    assert refused.value.code == "photo.too_large" and refused.value.detail["max_photo_bytes"] == 1000


def test_gps_never_reaches_the_stored_photo():
    source = camera_jpeg(big_photo(1600, 1200))
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)
    checked = photos.verify_photo(source, sha256=sha(source))
    assert not Image.open(io.BytesIO(checked.jpeg)).getexif().get_ifd(GPS_IFD)


def test_every_refusal_is_a_patrol_error_not_a_crash():
    # Random bytes behind a JPEG or PNG signature must be refused cleanly too.
    for head in (b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBPVP8 "):
        data = head + bytes(range(256)) * 8
        with pytest.raises(PatrolError):
            photos.verify_photo(data, sha256=sha(data))


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()
