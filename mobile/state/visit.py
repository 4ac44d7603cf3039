"""Return visit after a repair: fixed or not, satisfaction, comment, owner's name and drawn signature (or a reason)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from mobile.state.ports import Problem, RefData, SaveRecord, problem_from
from shared.errors import ValidationProblem
from shared.model import CauseFactor, RecordType, ReturnVisit, Satisfaction

Point = tuple[float, float]
SIGNATURE_SIZE = (600, 240)


def signature_png(strokes: list[list[Point]], size: tuple[int, int] = SIGNATURE_SIZE) -> bytes:
    """The drawn strokes as a black-on-white PNG: what is stored and sent as the signature photo."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        if len(stroke) == 1:
            x, y = stroke[0]
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill="black")
        elif stroke:
            draw.line(stroke, fill="black", width=4, joint="curve")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


class ReturnVisitForm:
    def __init__(
        self,
        *,
        ref: RefData,
        save: SaveRecord,
        ingest: Callable[[bytes], str],
        work_order_id: str,
    ) -> None:
        self.save, self.ingest = save, ingest
        self.order: dict[str, Any] = ref.item("work_order", work_order_id) or {"id": work_order_id}
        self.fixed: bool | None = None
        self.satisfaction: Satisfaction | None = None
        self.comment = ""
        self.owner_name = ""
        self.strokes: list[list[Point]] = []
        self.no_signature_reason = ""
        self.cause: CauseFactor | None = None
        self.photos: list[str] = []
        self.saved_id: str | None = None

    # Signature pad: a stroke starts on pan start and grows with each move.
    def start_stroke(self, x: float, y: float) -> None:
        self.strokes.append([(x, y)])

    def extend_stroke(self, x: float, y: float) -> None:
        if not self.strokes:
            self.start_stroke(x, y)
        else:
            self.strokes[-1].append((x, y))

    def clear_signature(self) -> None:
        self.strokes.clear()

    @property
    def signed(self) -> bool:
        return any(len(s) > 1 for s in self.strokes) or sum(len(s) for s in self.strokes) >= 3

    def problems(self) -> list[Problem]:
        found = []
        if self.fixed is None or self.satisfaction is None:
            found.append(Problem("visit.choice_missing"))
        if not self.signed and not self.no_signature_reason.strip():
            found.append(Problem("visit.signature_missing"))
        if self.signed and not self.owner_name.strip():
            found.append(Problem("visit.owner_name_missing"))
        return found

    def submit(self) -> list[Problem]:
        if self.saved_id:
            return []
        found = self.problems()
        if found:
            return found
        assert self.fixed is not None and self.satisfaction is not None
        signature = self.ingest(signature_png(self.strokes)) if self.signed else None
        body = ReturnVisit(
            work_order_id=str(self.order["id"]),
            fixed=self.fixed,
            satisfaction=self.satisfaction,
            comment=self.comment.strip(),
            owner_name=self.owner_name.strip(),
            signature=signature,
            no_signature_reason=None if signature else self.no_signature_reason.strip(),
            cause=self.cause,
            photos=list(self.photos),
        )
        try:
            body.check()
        except ValidationProblem as e:
            return [problem_from(e, {"signature": "visit.signature_missing", "owner_name": "visit.owner_name_missing"})]
        self.saved_id = self.save(RecordType.RETURN_VISIT, body)
        return []
