"""Printable checkpoint labels: one QR sticker per checkpoint of a property, laid out on a sheet, drawn to PDF."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF

from shared.errors import NotFoundProblem
from sync_server.db import Database, reference

FONT_PATH = Path(__file__).resolve().parents[1] / "assets" / "fonts" / "NotoSansCJK-subset.otf"
FONT = "NotoSansCJK"
PLACE_SEPARATOR = " / "  # Building 1 / Floor 2: the path a patroller walks to find the sticker
QUIET_MODULES = 2  # the label's own padding adds the rest of the white border a scanner needs around a QR


@dataclass(frozen=True)
class Sheet:
    """A sticker sheet in millimetres; the default is the common A4 sheet of 3 × 8 labels of 70 × 37 mm."""

    page_width: float = 210.0
    page_height: float = 297.0
    columns: int = 3
    rows: int = 8
    label_width: float = 70.0
    label_height: float = 37.0
    left: float = 0.0  # page edge to the first column
    top: float = 0.5  # page edge to the first row
    gap_x: float = 0.0
    gap_y: float = 0.0
    padding: float = 3.0  # nothing is drawn this close to a label's edge: cutting and printers drift

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def pages(self, slots: int) -> int:
        return -(-slots // self.per_page)

    def slot(self, index: int) -> tuple[int, float, float]:
        """(page, x, y) of the top-left corner of the index-th label, filled row by row from the top left."""
        page, within = divmod(index, self.per_page)
        row, column = divmod(within, self.columns)
        x = self.left + column * (self.label_width + self.gap_x)
        return page, x, self.top + row * (self.label_height + self.gap_y)


@dataclass(frozen=True)
class Label:
    code: str
    property_name: str
    route_name: str
    place_name: str
    checkpoint_name: str


def labels_of(db: Database, *, property_id: str, route_id: str | None = None) -> list[Label]:
    """The labels of every checkpoint of a property (or of one of its routes), route by route, in walking order.

    NotFoundProblem when the property does not exist, the route does not exist in this property, or there is
    no checkpoint to print.
    """
    prop = reference.get_property(db, property_id=property_id)
    if prop is None:
        raise NotFoundProblem(
            "property.not_found", f"There is no property {property_id!r}.", {"property_id": property_id}
        )
    routes = {r["id"]: r for r in reference.all_of(db, kind="route", property_id=property_id)}
    if route_id is not None and route_id not in routes:
        raise NotFoundProblem(
            "route.not_found",
            f"There is no patrol route {route_id!r} in this property; pick one from its list of routes.",
            {"route_id": route_id},
        )
    places = {p["id"]: p for p in reference.all_of(db, kind="place", property_id=property_id)}
    order = {rid: n for n, rid in enumerate(routes)}
    checkpoints = [
        c
        for c in reference.all_of(db, kind="checkpoint", property_id=property_id)
        # a checkpoint of a route no longer listed (archived) is walked by nobody: no label
        if c["route_id"] == route_id or (route_id is None and c["route_id"] in routes)
    ]
    if not checkpoints:
        raise NotFoundProblem(
            "labels.no_checkpoints",
            "There are no checkpoints to print: add checkpoints to a patrol route first.",
            {"property_id": property_id, "route_id": route_id},
        )
    checkpoints.sort(key=lambda c: (order.get(c["route_id"], len(order)), c["position"], c["id"]))
    return [
        Label(
            code=c["scan_code"],
            property_name=prop["name"],
            route_name=routes[c["route_id"]]["name"],
            place_name=place_path(places, c["place_id"]),
            checkpoint_name=c["name"],
        )
        for c in checkpoints
    ]


def place_path(places: dict[str, dict[str, Any]], place_id: str) -> str:
    """A place with its parents, outermost first: "Building 1 / Floor 2" (a floor alone does not say where)."""
    names: list[str] = []
    seen: set[str] = set()
    current = places.get(place_id)
    while current is not None and current["id"] not in seen:  # a broken parent loop must not hang printing
        seen.add(current["id"])
        names.append(current["name"])
        current = places.get(current.get("parent_id") or "")
    return PLACE_SEPARATOR.join(reversed(names))


@cache
def font_characters() -> frozenset[int]:
    """The code points the CJK font subset can draw (assets/fonts/subset.py decides which)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(FONT_PATH), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_characters(labels: list[Label]) -> str:
    """The characters of the labels' texts the font lacks: they print as nothing, so the operator is told."""
    texts = "".join(f"{x.code}{x.property_name}{x.route_name}{x.place_name}{x.checkpoint_name}" for x in labels)
    have = font_characters()
    return "".join(sorted({ch for ch in texts if ch.isprintable() and not ch.isspace() and ord(ch) not in have}))


# ---- drawing -------------------------------------------------------------------------------------------------
# (text of the label, font size in points, smallest size before wrapping, most lines, grey level)
def _fields(label: Label) -> list[tuple[str, float, float, int, int]]:
    return [
        (label.property_name, 7.0, 6.0, 1, 90),
        (label.route_name, 7.0, 6.0, 2, 90),
        (label.place_name, 10.5, 8.0, 2, 0),
        (label.checkpoint_name, 9.0, 7.0, 1, 0),
    ]


CODE_SIZE, CODE_MIN = 11.0, 7.0
PT = 25.4 / 72  # millimetres per point
LEADING = 1.2


def render(labels: list[Label], sheet: Sheet | None = None, *, skip: int = 0) -> bytes:
    """The PDF of the labels on sheets; ``skip`` leaves the first slots of a partly used sheet empty."""
    sheet = sheet or Sheet()
    pdf = FPDF(unit="mm", format=(sheet.page_width, sheet.page_height))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.c_margin = 0  # fpdf2 pads every cell by default; the label's own padding is the only margin
    pdf.set_creator("Patrol")
    pdf.set_title("Checkpoint labels")
    pdf.add_font(FONT, "", str(FONT_PATH))
    pdf.set_font(FONT, size=9)
    pdf.add_page()  # even with nothing to print: a valid document
    for n, label in enumerate(labels, start=skip):
        page, x, y = sheet.slot(n)
        while pdf.page < page + 1:  # labels come in slot order, so pages are only ever added
            pdf.add_page()
        _draw_label(pdf, sheet, x, y, label)
    return bytes(pdf.output())


def _draw_label(pdf: FPDF, sheet: Sheet, x: float, y: float, label: Label) -> None:
    pad = sheet.padding
    qr_size = min(sheet.label_height - 2 * pad, sheet.label_width * 0.42)
    _draw_qr(pdf, label.code, x + pad, y + (sheet.label_height - qr_size) / 2, qr_size)
    left = x + pad + qr_size + 2.0
    width = x + sheet.label_width - pad - left
    top, bottom = y + pad, y + sheet.label_height - pad
    code_lines, code_size = _fit(pdf, label.code, width, CODE_SIZE, CODE_MIN, 2, break_anywhere=True)
    code_top = bottom - len(code_lines) * code_size * PT * LEADING
    for text, size, smallest, most, grey in _fields(label):
        lines, size = _fit(pdf, text, width, size, smallest, most)
        step = size * PT * LEADING
        room = int((code_top - 1.0 - top) // step)  # never write over the code
        for line in lines[: max(room, 0)]:
            _line(pdf, line, left, top, size, grey)
            top += step
        top += 0.4
    for line in code_lines:
        _line(pdf, line, left, code_top, code_size, 0)
        code_top += code_size * PT * LEADING


def _line(pdf: FPDF, text: str, x: float, y: float, size: float, grey: int) -> None:
    pdf.set_font_size(size)
    pdf.set_text_color(grey)
    pdf.set_xy(x, y)
    pdf.cell(text=text, h=size * PT * LEADING)


def _draw_qr(pdf: FPDF, code: str, x: float, y: float, size: float) -> None:
    """The code as vector squares (sharp at any printer resolution), merged into runs along each row."""
    # make_qr and UTF-8: never a Micro QR nor Shift JIS bytes (segno's picks for short or Japanese-looking
    # texts), which OpenCV, the phones' decoder, cannot read
    qr = segno.make_qr(code, error="m", encoding="utf-8")
    matrix = [list(row) for row in qr.matrix]
    module = size / (len(matrix) + 2 * QUIET_MODULES)
    pdf.set_fill_color(0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # a hair of overlap closes the seams some viewers draw between touching squares
            pdf.rect(
                x + (start + QUIET_MODULES) * module,
                y + (r + QUIET_MODULES) * module,
                (c - start) * module + 0.01,
                module + 0.01,
                style="F",
            )


def _fit(
    pdf: FPDF, text: str, width: float, size: float, smallest: float, most: int, *, break_anywhere: bool = False
) -> tuple[list[str], float]:
    """Lines of the text within the width: shrink to the smallest size first, then wrap; cut with … past ``most``."""
    text = " ".join(text.split())
    if not text:
        return [], size
    pdf.set_font_size(size)
    while size > smallest and pdf.get_string_width(text) > width:
        size = max(smallest, size - 0.5)
        pdf.set_font_size(size)
    lines = list(_wrap(pdf, text, width, break_anywhere))
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1]
        while last and pdf.get_string_width(last + "…") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines, size


def _wrap(pdf: FPDF, text: str, width: float, break_anywhere: bool) -> Iterator[str]:
    """Greedy wrapping at spaces; a word (or Chinese text, which has no spaces) too wide breaks between characters."""
    line = ""
    tokens = list(text) if break_anywhere else text.split(" ")
    joiner = "" if break_anywhere else " "
    for token in tokens:
        candidate = f"{line}{joiner}{token}" if line else token
        if pdf.get_string_width(candidate) <= width:
            line = candidate
            continue
        if line:
            yield line
        line = ""
        for ch in token:  # the token alone may still be too wide
            if line and pdf.get_string_width(line + ch) > width:
                yield line
                line = ""
            line += ch
    if line:
        yield line
