"""Reading a labels PDF back for real: poppler's pdftotext and pdftoppm, cut into labels by the sheet geometry."""

from __future__ import annotations

import html
import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from sync_server.db import Database, migrate, open_db, reference, transaction
from sync_server.labels import Sheet

MM_PER_PT = 25.4 / 72
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r"<page ")


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    box: tuple[float, float, float, float]  # millimetres: left, top, right, bottom


def words(pdf: bytes) -> list[Word]:
    """Every word pdftotext finds, with its page and box in millimetres."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True)
    found: list[Word] = []
    for n, page in enumerate(_PAGE.split(out.stdout)[1:]):
        for m in _WORD.finditer(page):
            box = tuple(float(v) * MM_PER_PT for v in m.groups()[:4])
            found.append(Word(n, html.unescape(m.group(5)), box))  # type: ignore[arg-type]
    return found


def text_by_slot(pdf: bytes, sheet: Sheet) -> dict[int, str]:
    """The words of each label slot, top to bottom and left to right, joined without spaces (wrapping moves
    spaces), keyed by slot number."""
    slots: dict[int, list[Word]] = {}
    for word in words(pdf):
        slots.setdefault(slot_of(word, sheet), []).append(word)
    return {
        n: "".join(w.text for w in sorted(found, key=lambda w: (round(w.box[1], 1), w.box[0])))
        for n, found in sorted(slots.items())
    }


def codes_by_slot(pdf: bytes, sheet: Sheet) -> list[str]:
    """The bottom line of each label (where its code is printed), in slot order."""
    slots: dict[int, list[Word]] = {}
    for word in words(pdf):
        slots.setdefault(slot_of(word, sheet), []).append(word)
    bottom = {n: max(round(w.box[1], 1) for w in found) for n, found in slots.items()}
    return ["".join(w.text for w in slots[n] if round(w.box[1], 1) == bottom[n]) for n in sorted(slots)]


def slot_of(word: Word, sheet: Sheet) -> int:
    cx, cy = (word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2
    column = int((cx - sheet.left) // (sheet.label_width + sheet.gap_x))
    row = int((cy - sheet.top) // (sheet.label_height + sheet.gap_y))
    return word.page * sheet.per_page + row * sheet.columns + column


def pages(pdf: bytes, dpi: int = 150) -> list[Image.Image]:
    """The pages as pictures, the way a printer (or a phone's camera, close up) sees them."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(Path(tmp) / "page")], check=True)
        return [Image.open(p).copy() for p in sorted(Path(tmp).glob("page-*.png"))]


def label_pictures(pdf: bytes, sheet: Sheet, count: int, *, skip: int = 0, dpi: int = 150) -> list[bytes]:
    """One PNG per printed label, cut out of the rendered pages at the sheet's label slots."""
    images = pages(pdf, dpi)
    px = dpi / 25.4
    cut: list[bytes] = []
    for n in range(skip, skip + count):
        page, x, y = sheet.slot(n)
        box = (round(x * px), round(y * px), round((x + sheet.label_width) * px), round((y + sheet.label_height) * px))
        cut.append(png(images[page].crop(box)))
    return cut


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def empty_server(data_dir: Path) -> Database:
    """A real install's database: migrated, nothing in it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = open_db(data_dir / "server.sqlite3")
    migrate(db)
    return db


def add_property(
    db: Database, pid: str, name: str, routes: dict[str, list[tuple[str, str, str]]]
) -> list[dict[str, Any]]:
    """A property with a building, floors and routes of (place name, checkpoint name, code); returns checkpoints."""
    with transaction(db):
        reference.save(db, kind="property", row={"id": pid, "name": name, "tz": "Asia/Shanghai"})
        reference.save(
            db, kind="place", row={"id": f"{pid}-b1", "property_id": pid, "kind": "building", "name": "一号楼"}
        )
        checkpoints = []
        for r, (route_name, stops) in enumerate(routes.items(), start=1):
            route_id = f"{pid}-r{r}"
            reference.save(db, kind="route", row={"id": route_id, "property_id": pid, "name": route_name})
            for position, (place, checkpoint, code) in enumerate(stops, start=1):
                place_id = f"{route_id}-p{position}"
                reference.save(
                    db,
                    kind="place",
                    row={"id": place_id, "property_id": pid, "kind": "floor", "name": place, "parent_id": f"{pid}-b1"},
                )
                row = {
                    "id": f"{route_id}-cp{position}",
                    "property_id": pid,
                    "route_id": route_id,
                    "place_id": place_id,
                    "name": checkpoint,
                    "scan_code": code,
                    "position": position,
                }
                reference.save(db, kind="checkpoint", row=row)
                checkpoints.append(row)
    return checkpoints
