"""What every administration function shares: who acts, whether they may, input checks, the feed and the audit."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from shared.errors import ConflictProblem, NotFoundProblem, PermissionProblem, ValidationProblem
from shared.ids import uuid7
from shared.model import Role
from sync_server.db import Database, feed, reference
from sync_server.db import admin as admin_db
from sync_server.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
MAX_TEXT = 200


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a logged-in user, the command line or the demo loader.

    ``property_id`` is the property a supervisor is limited to; an administrator's is ignored.
    """

    id: str
    name: str
    role: str
    property_id: str | None = None

    @classmethod
    def of_user(cls, user: dict[str, Any]) -> Actor:
        return cls(id=user["id"], name=user["name"], role=str(user["role"]), property_id=user["property_id"] or None)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value


CLI = Actor(id="cli", name="command line", role=Role.ADMIN.value)


def writes(function: Callable[P, R]) -> Callable[P, R]:
    """Mark a function that changes data: it runs only inside the caller's transaction, so that many calls
    (an import) commit together or not at all, and nothing is half written when one refuses."""

    @wraps(function)
    def inside(*args: P.args, **kwargs: P.kwargs) -> R:
        db = args[0]
        assert isinstance(db, Database)
        if not db.in_transaction:
            raise RuntimeError(f"{function.__name__} changes data: call it inside sync_server.db.transaction")
        return function(*args, **kwargs)

    return inside


def require_admin_role(actor: Actor) -> None:
    if actor.role not in (Role.ADMIN.value, Role.SUPERVISOR.value):
        raise PermissionProblem("auth.forbidden", "Only a supervisor or an administrator may do this.")


def authorize(actor: Actor, property_id: str) -> None:
    """An administrator may change any property; a supervisor only their own; nobody else anything."""
    require_admin_role(actor)
    if not actor.is_admin and actor.property_id != property_id:
        raise PermissionProblem(
            "admin.other_property", f"You manage property {actor.property_id!r} only, not {property_id!r}."
        )


def must_exist(db: Database, actor: Actor, *, kind: str, id: str, label: str | None = None) -> dict[str, Any]:
    """The entity an action is about, checked: it exists and the actor may touch its property.

    A supervisor is told "not found" for another property's things too: ids of other properties are not theirs
    to learn.
    """
    require_admin_role(actor)
    row = reference.get(db, kind=kind, id=id)
    owner = None if row is None else (row["id"] if kind == "property" else row["property_id"])
    if row is None or (not actor.is_admin and owner != actor.property_id):
        noun = label or kind
        raise NotFoundProblem("admin.not_found", f"There is no {noun} {id!r}. Check the id.", {"kind": kind, "id": id})
    return admin_db.decode(row)


def reference_in(
    db: Database, *, kind: str, id: str, property_id: str, field: str, live: bool = True
) -> dict[str, Any]:
    """A thing a request points at (a place, a user...), which must exist, be in the same property and be live."""
    row = reference.get(db, kind=kind, id=id) if kind != "user" else admin_db.user_row(db, user_id=id) or None
    if row is None or row["property_id"] != property_id:
        raise ValidationProblem(
            "admin.unknown_reference",
            f"{field}: there is no {kind} {id!r} in property {property_id!r}. Use one of its {kind}s.",
            {"field": field, "kind": kind, "id": id},
        )
    if live and (row.get("archived_at") or row.get("deactivated_at")):
        raise ValidationProblem(
            "admin.archived_reference",
            f"{field}: the {kind} {id!r} is archived or deactivated; choose a current one.",
            {"field": field, "kind": kind, "id": id},
        )
    return admin_db.decode(row) if kind != "user" else row


def new_id(settings: Settings, prefix: str, given: str | None = None) -> str:
    if given is None:
        return f"{prefix}-{uuid7(int(settings.now().timestamp() * 1000))}"
    return check_id(given, "id")


def check_id(value: str, field: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValidationProblem(
            "admin.invalid_id",
            f"{field}: {value!r} is not a usable id. Use letters, digits and - _ . : (at most 100 characters).",
            {"field": field},
        )
    return value


def text(value: Any, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str | None:
    """Trimmed text; blank is refused when required and stored as nothing when optional."""
    cleaned = value.strip() if isinstance(value, str) else ""
    if not cleaned:
        if required:
            raise ValidationProblem("admin.required", f"{field}: fill this in.", {"field": field})
        return None
    if len(cleaned) > limit:
        raise ValidationProblem(
            "admin.too_long", f"{field}: use at most {limit} characters.", {"field": field, "limit": limit}
        )
    return cleaned


def required_text(value: Any, field: str, *, limit: int = MAX_TEXT) -> str:
    cleaned = text(value, field, limit=limit)
    assert cleaned is not None  # text() refuses blank when required
    return cleaned


def day(value: Any, field: str, *, required: bool = True) -> str | None:
    """An ISO date (YYYY-MM-DD), returned as text."""
    if value in (None, "") and not required:
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValidationProblem(
            "admin.invalid_date", f"{field}: {value!r} is not a date; write it as YYYY-MM-DD.", {"field": field}
        ) from None


def role(value: Any, field: str = "role") -> str:
    roles = [r.value for r in Role]
    if value not in roles:
        raise ValidationProblem(
            "admin.invalid_role", f"{field}: {value!r} is not a role; use one of {', '.join(roles)}.", {"field": field}
        )
    return str(value)


def publish(db: Database, *, kind: str, row: dict[str, Any], property_id: str, deleted: bool = False) -> None:
    """Tell the property's phones: they pull the row's latest state (or drop it when ``deleted``)."""
    data = admin_db.decode(row)
    scope = [feed.property_scope(property_id)]
    if deleted:
        feed.publish(db, kind=kind, entity_id=row["id"], data=data, gone=scope)
    else:
        feed.publish(db, kind=kind, entity_id=row["id"], data=data, scopes=scope)


def audit(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    action: str,
    kind: str,
    entity_id: str,
    property_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Append who changed what, in the transaction of the change."""
    admin_db.insert_audit(
        db,
        at=settings.now(),
        actor_id=actor.id,
        actor_name=actor.name,
        property_id=property_id,
        action=action,
        entity_kind=kind,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def insert_new(
    db: Database, settings: Settings, actor: Actor, *, kind: str, row: dict[str, Any], property_id: str
) -> dict[str, Any]:
    """Store a new place, route, checkpoint or permit, tell the phones and the audit log; an id in use is a conflict."""
    if reference.get(db, kind=kind, id=row["id"]) is not None:
        raise ConflictProblem("admin.exists", f"A {kind} {row['id']!r} exists already; choose another id.")
    reference.save(db, kind=kind, row=admin_db.encode(row))
    stored = admin_db.decode(reference.get(db, kind=kind, id=row["id"]) or row)
    publish(db, kind=kind, row=stored, property_id=property_id)
    audit(
        db,
        settings,
        actor,
        action=f"{kind}.create",
        kind=kind,
        entity_id=row["id"],
        property_id=property_id,
        before=None,
        after=stored,
    )
    return stored


def update_existing(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    kind: str,
    id: str,
    columns: dict[str, Any],
    before: dict[str, Any],
    property_id: str,
    action: str,
) -> dict[str, Any]:
    """Change some columns of a reference row; when it really changed, tell the phones and the audit log."""
    admin_db.update_reference(db, kind=kind, id=id, columns=columns)
    after = admin_db.decode(reference.get(db, kind=kind, id=id) or before)
    if after != before:
        publish(db, kind=kind, row=after, property_id=property_id, deleted=bool(after.get("archived_at")))
        audit(
            db,
            settings,
            actor,
            action=action,
            kind=kind,
            entity_id=id,
            property_id=property_id,
            before=before,
            after=after,
        )
    return after
