"""The defect form: place, category, severity, description, photos, optional cause; validated before saving."""

from __future__ import annotations

from mobile.state.places import PlacePicker
from mobile.state.ports import PhotoList, Problem, RefData, SaveRecord, checked_body
from shared.model import CauseFactor, DefectCategory, DefectReport, RecordType, Severity


class DefectForm(PhotoList):
    def __init__(
        self,
        *,
        ref: RefData,
        save: SaveRecord,
        place_id: str | None = None,
        checkpoint_visit_id: str | None = None,
        description: str = "",
    ) -> None:
        self.save = save
        self.places = PlacePicker(ref)
        self.places.set_place(place_id)
        self.checkpoint_visit_id = checkpoint_visit_id
        self.category: DefectCategory | None = None
        self.severity: Severity = Severity.MEDIUM
        self.description = description
        self.cause: CauseFactor | None = None
        self.fixed_on_spot = False
        self.photos: list[str] = []  # sha256 of photos already stored through mobile.photos
        self.saved_id: str | None = None

    def problems(self) -> list[Problem]:
        found = []
        if not self.places.place_id:
            found.append(Problem("defect.place_missing"))
        if self.category is None:
            found.append(Problem("defect.category_missing"))
        if not self.description.strip():
            found.append(Problem("defect.description_missing"))
        return found

    def body(self) -> DefectReport:
        assert self.places.place_id and self.category is not None
        return DefectReport(
            place_id=self.places.place_id,
            category=self.category,
            severity=self.severity,
            description=self.description.strip(),
            photos=list(self.photos),
            cause=self.cause,
            fixed_on_spot=self.fixed_on_spot,
            checkpoint_visit_id=self.checkpoint_visit_id,
        )

    def submit(self) -> list[Problem]:
        """Save the report (once) or say what is missing."""
        if self.saved_id:
            return []
        body, found = checked_body(self.problems(), self.body, {"description": "defect.description_missing"})
        if found:
            return found
        self.saved_id = self.save(RecordType.DEFECT_REPORT, body)
        return []
