"""The printed labels read back for real: pdftotext finds every name and code in its own label, and the app's
scanner (zxing-cpp, and OpenCV as in the phone builds) reads every label's QR code off the rendered pages."""

from __future__ import annotations

import io
import sys

import pytest
from PIL import Image

from mobile.scan import read_codes
from sync_server import labels
from sync_server.labels import Label, Sheet
from tests.sync_server.labels_readback import (
    add_property,
    empty_server,
    label_pictures,
    pages,
    png,
    slot_of,
    text_by_slot,
    words,
)

# A property as a real install has it (no demo data): Chinese and English names, one code not in ASCII, and
# more checkpoints than one sheet holds.
MORNING = [(f"{n}层", f"消防栓 {n}", f"CP-HY-M-{n:02d}") for n in range(1, 16)]
EVENING = [("地下车库", "Ramp B gate", "CP-HY-E-01"), ("大堂", "前台", "CP-大堂-02")] + [
    (f"Floor {n}", f"Stairwell {n}", f"CP-HY-E-{n:02d}") for n in range(3, 13)
]
ROUTES = {"早班巡逻 Morning round": MORNING, "Evening round: garage and lobby": EVENING}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Label], bytes]:
    db = empty_server(tmp_path_factory.mktemp("server"))
    try:
        add_property(db, "hy", "海韵花园 Harbour Rhyme", ROUTES)
        found = labels.labels_of(db, property_id="hy")
    finally:
        db.close()
    return found, labels.render(found)


@pytest.fixture(params=["zxing-cpp", "opencv"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each decoder of mobile/scan.py; "opencv" takes zxing-cpp away, as on a phone build."""
    if request.param == "opencv":
        monkeypatch.setitem(sys.modules, "zxingcpp", None)
    return str(request.param)


def expected_text(label: Label) -> str:
    return "".join(
        f"{label.property_name}{label.route_name}{label.place_name}{label.checkpoint_name}{label.code}".split()
    )


def test_the_labels_come_route_by_route_in_walking_order(printed):
    found, _ = printed
    assert [x.code for x in found] == [code for stops in ROUTES.values() for _, _, code in stops]
    assert found[0].place_name == "一号楼 / 1层"  # a floor alone does not say where it is
    assert {x.route_name for x in found[:15]} == {"早班巡逻 Morning round"}


def test_every_printed_label_scans_back_to_its_code(printed, decoder):
    found, pdf = printed
    pictures = label_pictures(pdf, Sheet(), len(found))
    assert [read_codes(picture) for picture in pictures] == [[x.code] for x in found]


def test_a_whole_printed_sheet_is_read_at_once(printed, decoder):
    found, pdf = printed
    first_page = pages(pdf)[0]
    assert sorted(read_codes(png(first_page))) == sorted(x.code for x in found[: Sheet().per_page])


def test_every_label_shows_its_names_and_code_in_text(printed):
    found, pdf = printed
    assert text_by_slot(pdf, Sheet()) == {n: expected_text(x) for n, x in enumerate(found)}


def test_two_sheets_when_one_is_not_enough(printed):
    found, pdf = printed
    assert len(found) == 27
    assert len(pages(pdf)) == 2


def test_no_text_runs_over_the_edge_of_its_label(printed):
    _, pdf = printed
    sheet = Sheet()
    for word in words(pdf):
        left, _, right, _ = word.box
        _, x, _ = sheet.slot(slot_of(word, sheet))
        assert x + sheet.padding - 0.2 <= left and right <= x + sheet.label_width - sheet.padding + 0.2, word


def test_nothing_is_printed_in_the_margin_of_a_label(printed):
    """Sticker sheets are cut (and printers drift) at the label's edge: no ink within its padding."""
    found, pdf = printed
    sheet, dpi = Sheet(), 150
    band = round((sheet.padding - 0.3) * dpi / 25.4)
    for n, picture in enumerate(label_pictures(pdf, sheet, len(found), dpi=dpi)):
        image = Image.open(io.BytesIO(picture)).convert("L")
        inner = (band, band, image.width - band, image.height - band)
        margin = image.copy()
        margin.paste(255, inner)  # blank the inside: what remains is the margin
        assert margin.getextrema()[0] > 200, f"ink in the margin of label {n} ({found[n].code})"
        assert image.crop(inner).getextrema()[0] < 50  # and the label itself is printed


def test_long_names_are_shortened_inside_the_label_but_the_code_is_whole(decoder):
    long = Label(
        code="CP-GARDEN-NORTH-GATE-0042",
        property_name="Harbour View Gardens Property Management Service Centre of the Northern District",
        route_name="Night round: every building, every floor, the garage, the periphery and the unloading area",
        place_name="北区 / 三号楼 / 地下二层 / 设备间与消防泵房以及配电室和水箱间",
        checkpoint_name="Fire pump room door, the one beside the water tank",
    )
    pdf = labels.render([long])
    text = text_by_slot(pdf, Sheet())
    assert list(text) == [0]  # everything stayed inside the first label
    assert text[0].endswith(long.code) and "…" in text[0]
    assert text[0].startswith("HarbourViewGardens")
    assert read_codes(label_pictures(pdf, Sheet(), 1)[0]) == [long.code]


def test_skipped_slots_of_a_used_sheet_stay_empty(printed):
    found, _ = printed
    pdf = labels.render(found[:3], skip=22)
    text = text_by_slot(pdf, Sheet())
    assert text == {22: expected_text(found[0]), 23: expected_text(found[1]), 24: expected_text(found[2])}
    assert len(pages(pdf)) == 2


def test_another_sheet_geometry_is_followed(decoder):
    small = Sheet(page_width=210, page_height=297, columns=4, rows=10, label_width=48.5, label_height=25.4,
                  left=4.5, top=21.5, gap_x=1.0, gap_y=0.0, padding=2.0)  # fmt: skip
    stickers = [Label(f"CP-S-{n:02d}", "Tower", "Round", f"Room {n}", "Door") for n in range(45)]
    pdf = labels.render(stickers, small)
    assert text_by_slot(pdf, small) == {n: expected_text(x) for n, x in enumerate(stickers)}
    pictures = label_pictures(pdf, small, len(stickers))
    assert [read_codes(p) for p in pictures] == [[x.code] for x in stickers]


def test_characters_the_font_lacks_are_named():
    assert labels.missing_characters([Label("CP-1", "海韵花园", "早班巡逻", "一号楼 / 大堂", "消防栓")]) == ""
    rare = Label("CP-2", "鍪山花园", "Round", "Lobby", "Door")  # 鍪: GB2312 level 2, outside the font subset
    assert labels.missing_characters([rare]) == "鍪"
