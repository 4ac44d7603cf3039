"""What every report page shares: an A4 page with the CJK font, headings, label/value lines and wrapped text."""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from shared.i18n import Translator
from sync_server.labels import FONT, FONT_PATH

MARGIN = 15.0
LABEL_WIDTH = 55.0
LINE = 5.5


class Page(FPDF):
    def __init__(self) -> None:
        super().__init__(unit="mm", format="A4")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.add_font(FONT, "", str(FONT_PATH))
        self.set_font(FONT, size=10)
        self.add_page()

    @property
    def body_width(self) -> float:
        return self.w - 2 * MARGIN

    def big_title(self, text: str) -> None:
        self.set_font_size(16)
        self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font_size(10)
        self.ln(2)

    def heading(self, text: str) -> None:
        self.room_for(25)  # a heading is never left alone at the foot of a page
        self.ln(3)
        self.set_font_size(13)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(160)
        self.line(MARGIN, self.get_y(), self.w - MARGIN, self.get_y())
        self.set_font_size(10)
        self.ln(1.5)

    def field(self, label: str, value: str) -> None:
        """One 'label: value' line; a long label or value wraps in its own column."""
        if not value:
            return
        if self.get_y() + LINE > self.page_break_trigger:
            self.add_page()
        y = self.get_y()
        self.set_text_color(90)
        self.multi_cell(LABEL_WIDTH - 2, LINE, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        below_label = self.get_y()
        self.set_text_color(0)
        self.set_xy(MARGIN + LABEL_WIDTH, y)
        self.multi_cell(0, LINE, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(self.get_y(), below_label))

    def room_for(self, height: float) -> float:
        """The y to draw something ``height`` tall at: on a new page when this one has no room left."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
        return self.get_y()

    def para(self, text: str) -> None:
        self.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def photo(self, image: BinaryIO, width: float, height: float) -> None:
        """A photo scaled into a width × height box at the cursor, flowing left to right, then to a new row."""
        if self.get_x() + width > self.w - MARGIN + 0.1:
            self.set_xy(MARGIN, self.get_y() + height + 3)
        if self.get_y() + height > self.h - MARGIN:
            self.add_page()
        x, y = self.get_x(), self.get_y()
        self.image(image, x=x, y=y, keep_aspect_ratio=True, w=width, h=height)
        self.set_xy(x + width + 3, y)

    def end_photos(self, height: float) -> None:
        self.set_xy(MARGIN, self.get_y() + height + 3)

    def render(self) -> bytes:
        return bytes(self.output())


def when(tr: Translator, at: str | None) -> str:
    """An ISO time from the server's data, on the property's clock, in the reader's words."""
    return tr.datetime(datetime.fromisoformat(at)) if at else ""
