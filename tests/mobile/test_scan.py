"""Reading checkpoint codes from camera pictures: real QR images made here, decoded by zxing-cpp and by OpenCV."""

from __future__ import annotations

import io
import sys

import pytest
import qrcode
from PIL import Image, ImageDraw, ImageFilter

from mobile.scan import decode_checkpoint_code, decoder_available, read_codes

DEMO_CODE = "CP-DEMO-R1-01"  # sync_server.demo: the first checkpoint of the demo morning round


def label(code: str, box: int = 6) -> Image.Image:
    return qrcode.make(code, box_size=box, border=4).get_image().convert("RGB")


def encoded(img: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def camera_picture(*labels: Image.Image, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """Labels stuck on a grey wall, photographed a little askew."""
    wall = Image.new("RGB", size, (150, 140, 130))
    x = 150
    for lbl in labels:
        wall.paste(lbl, (x, 300))
        x += lbl.width + 200
    return wall.rotate(7, expand=False, fillcolor=(150, 140, 130))


@pytest.fixture(autouse=True, params=["zxing-cpp", "opencv"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs with each decoder; "opencv" is a phone build's case: zxing-cpp cannot be imported."""
    if request.param == "opencv":
        monkeypatch.setitem(sys.modules, "zxingcpp", None)
    return str(request.param)


def test_the_decoder_is_installed_here() -> None:
    assert decoder_available()


def test_without_any_decoder_scanning_is_offered_no_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)
    monkeypatch.setitem(sys.modules, "cv2", None)
    assert not decoder_available()
    assert read_codes(encoded(label(DEMO_CODE))) == []  # so with zxing-cpp away, OpenCV is what reads the codes


def test_a_label_photographed_as_jpeg_gives_its_code() -> None:
    picture = encoded(camera_picture(label(DEMO_CODE)), "JPEG", quality=80)
    assert decode_checkpoint_code(picture) == DEMO_CODE


def test_a_plain_png_of_the_label_gives_its_code() -> None:
    assert read_codes(encoded(label(DEMO_CODE))) == [DEMO_CODE]


def test_every_label_in_the_picture_is_read() -> None:
    picture = encoded(camera_picture(label("CP-DEMO-R1-01"), label("CP-DEMO-R1-02")), "JPEG", quality=85)
    assert sorted(read_codes(picture)) == ["CP-DEMO-R1-01", "CP-DEMO-R1-02"]


def test_a_huge_camera_picture_is_shrunk_and_still_read() -> None:
    picture = encoded(camera_picture(label(DEMO_CODE, box=24), size=(4000, 3000)), "JPEG", quality=85)
    assert decode_checkpoint_code(picture) == DEMO_CODE


def test_a_label_with_a_trailing_newline_gives_the_bare_code() -> None:
    assert decode_checkpoint_code(encoded(label(DEMO_CODE + "\r\n"))) == DEMO_CODE


@pytest.mark.parametrize(
    "picture",
    [
        pytest.param(encoded(Image.new("RGB", (640, 480), (255, 255, 255)), "JPEG"), id="blank wall"),
        pytest.param(encoded(label(DEMO_CODE).filter(ImageFilter.GaussianBlur(12))), id="badly blurred"),
        pytest.param(b"", id="no bytes"),
        pytest.param(b"not a picture at all", id="not an image"),
        pytest.param(encoded(label(DEMO_CODE))[:200], id="cut short"),
    ],
)
def test_no_code_is_found_cleanly(picture: bytes) -> None:
    assert read_codes(picture) == []
    assert decode_checkpoint_code(picture) is None


def test_half_a_label_is_not_guessed() -> None:
    img = label(DEMO_CODE)
    ImageDraw.Draw(img).rectangle((0, 0, img.width // 2, img.height), fill=(255, 255, 255))
    assert decode_checkpoint_code(encoded(img)) is None
