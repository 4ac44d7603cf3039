"""What the state objects need from the rest of the app, as small protocols the context fills in."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.errors import PatrolError, ValidationProblem
from shared.model import RecordType


class RefData(Protocol):
    """The reference data cached from the server's feed, by kind (place, route, work_order, ...)."""

    def items(self, kind: str) -> list[dict[str, Any]]: ...

    def item(self, kind: str, id: str) -> dict[str, Any] | None: ...

    def items_in_state(self, kind: str, states: Collection[str]) -> list[dict[str, Any]]:
        """The items of a kind whose ``state`` is one of ``states`` (work orders still open, say)."""
        ...


class SaveRecord(Protocol):
    """Saves a record body made on this phone (with its outbox entry) and returns the new record's id."""

    def __call__(self, type: RecordType, body: Any, *, supersedes: str | None = None) -> str: ...


Clock = Callable[[], datetime]


class MemoryRef:
    """RefData over plain lists: for tests and for screens built from data already in hand."""

    def __init__(self, data: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.data = data or {}

    def items(self, kind: str) -> list[dict[str, Any]]:
        return list(self.data.get(kind, []))

    def item(self, kind: str, id: str) -> dict[str, Any] | None:
        return next((x for x in self.data.get(kind, []) if x.get("id") == id), None)

    def items_in_state(self, kind: str, states: Collection[str]) -> list[dict[str, Any]]:
        return [x for x in self.data.get(kind, []) if x.get("state") in set(states)]


@dataclass
class Problem:
    """Something the user must fix before saving: a catalog key and its format args, or the server's words."""

    key: str
    args: dict[str, Any] = field(default_factory=dict)
    text: str | None = None  # an untranslated message from the server or the domain core
    code: str | None = None  # its stable code: shown in the user's language when the catalogs know it
    detail: dict[str, Any] = field(default_factory=dict)


def problem_from(error: PatrolError, keys: dict[str, str] | None = None) -> Problem:
    """A domain ValidationProblem mapped to a catalog key by its field, else the error by its code (and words)."""
    keys = keys or {}
    if isinstance(error, ValidationProblem):
        fld = str(error.detail.get("field", "")).removeprefix("body.")
        if fld in keys:
            return Problem(keys[fld])
    return Problem("", text=error.message, code=error.code, detail=dict(error.detail))


def checked_body(
    problems: list[Problem], make_body: Callable[[], Any], keys: dict[str, str]
) -> tuple[Any, list[Problem]]:
    """The form's body if the form and the domain core's own check both pass, else what to fix."""
    if problems:
        return None, problems
    body = make_body()  # only once the form is complete
    try:
        body.check()
    except ValidationProblem as e:
        return None, [problem_from(e, keys)]
    return body, []


MAX_PHOTOS = 20  # what a record may carry (shared.fields.Photos)


class PhotoList:
    """A form's photos: sha256 of photos already stored through mobile.photos, each once, at most MAX_PHOTOS."""

    photos: list[str]

    def add_photo(self, sha256: str) -> None:
        if sha256 not in self.photos and len(self.photos) < MAX_PHOTOS:
            self.photos.append(sha256)

    def remove_photo(self, sha256: str) -> None:
        if sha256 in self.photos:
            self.photos.remove(sha256)
