"""An owner's complaint logged on site: where, who, how to reach them, what, how urgent, photos."""

from __future__ import annotations

from mobile.state.places import PlacePicker
from mobile.state.ports import PhotoList, Problem, RefData, SaveRecord, checked_body
from shared.model import OwnerComplaint, RecordType, Severity


class ComplaintForm(PhotoList):
    """The place is a unit (the owner's home) or a common area; reconciliation makes it a complaint order."""

    def __init__(self, *, ref: RefData, save: SaveRecord) -> None:
        self.save = save
        self.places = PlacePicker(ref)
        self.owner_name = ""  # optional, like the contact: the unit already says whose home it is
        self.contact = ""
        self.description = ""  # what the owner complains about, in their words as far as possible
        self.severity: Severity = Severity.MEDIUM  # how urgent
        self.photos: list[str] = []  # sha256 of photos already stored through mobile.photos
        self.saved_id: str | None = None

    def problems(self) -> list[Problem]:
        found = []
        if not self.place_id:
            found.append(Problem("complaint.place_missing"))
        if not self.description.strip():
            found.append(Problem("complaint.description_missing"))
        return found

    @property
    def place_id(self) -> str | None:
        """A unit (the owner's home) or a common area: a building or floor alone does not say whose matter it is."""
        return self.places.area_id or self.places.unit_id

    def body(self) -> OwnerComplaint:
        assert self.place_id
        return OwnerComplaint(
            place_id=self.place_id,
            owner_name=self.owner_name.strip(),
            description=self.description.strip(),
            contact=self.contact.strip(),
            photos=list(self.photos),
            severity=self.severity,
        )

    def submit(self) -> list[Problem]:
        """Save the complaint (once) or say what is missing."""
        if self.saved_id:
            return []
        keys = {
            "description": "complaint.description_missing",
            "place_id": "complaint.place_missing",
        }
        body, found = checked_body(self.problems(), self.body, keys)
        if found:
            return found
        self.saved_id = self.save(RecordType.OWNER_COMPLAINT, body)
        return []
