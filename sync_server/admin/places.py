"""Places: buildings, their floors and units (with the owner's name and contact), and common areas."""

from __future__ import annotations

from typing import Any

from shared.errors import ConflictProblem, ValidationProblem
from shared.model import PlaceKind
from sync_server.admin.common import (
    Actor,
    audit,
    authorize,
    insert_new,
    must_exist,
    new_id,
    publish,
    reference_in,
    text,
    update_existing,
    writes,
)
from sync_server.db import Database, reference
from sync_server.db import admin as admin_db
from sync_server.settings import Settings

# What each kind of place may sit in: a floor in a building, a unit on a floor; an area anywhere or on its own.
PARENT_KINDS: dict[str, tuple[str | None, ...]] = {
    PlaceKind.BUILDING.value: (None,),
    PlaceKind.FLOOR.value: (PlaceKind.BUILDING.value,),
    PlaceKind.UNIT.value: (PlaceKind.FLOOR.value,),
    PlaceKind.AREA.value: (None, PlaceKind.BUILDING.value, PlaceKind.FLOOR.value),
}


def list_places(
    db: Database, actor: Actor, *, property_id: str, include_archived: bool = False
) -> list[dict[str, Any]]:
    must_exist(db, actor, kind="property", id=property_id)
    return admin_db.rows_of(db, table="places", property_id=property_id, include_archived=include_archived)


def _check_parent(db: Database, *, kind: str, parent_id: str | None, property_id: str) -> None:
    allowed = PARENT_KINDS[kind]
    if parent_id is None:
        if None not in allowed:
            raise ValidationProblem(
                "admin.invalid_parent",
                f"parent_id: a {kind} must be inside a {allowed[0]}; give its id.",
                {"field": "parent_id"},
            )
        return
    parent = reference_in(db, kind="place", id=parent_id, property_id=property_id, field="parent_id")
    if parent["kind"] not in allowed:
        inside = " or ".join(k for k in allowed if k) or "nothing"
        raise ValidationProblem(
            "admin.invalid_parent",
            f"parent_id: a {kind} cannot be inside a {parent['kind']}; put it inside a {inside}.",
            {"field": "parent_id"},
        )


def _owner(kind: str, owner_name: Any, owner_contact: Any) -> dict[str, Any]:
    owner = {
        "owner_name": text(owner_name, "owner_name", required=False),
        "owner_contact": text(owner_contact, "owner_contact", required=False),
    }
    if kind != PlaceKind.UNIT.value and any(owner.values()):
        raise ValidationProblem(
            "admin.owner_not_unit",
            "owner_name: only a unit has an owner; leave the owner empty.",
            {"field": "owner_name"},
        )
    return owner


@writes
def create_place(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    property_id: str,
    kind: str,
    name: str,
    parent_id: str | None = None,
    owner_name: str | None = None,
    owner_contact: str | None = None,
    place_id: str | None = None,
) -> dict[str, Any]:
    must_exist(db, actor, kind="property", id=property_id)
    authorize(actor, property_id)
    if kind not in PARENT_KINDS:
        raise ValidationProblem(
            "admin.invalid_kind",
            f"kind: {kind!r} is not a kind of place; use one of {', '.join(PARENT_KINDS)}.",
            {"field": "kind"},
        )
    _check_parent(db, kind=kind, parent_id=parent_id, property_id=property_id)
    row = {
        "id": new_id(settings, "place", place_id),
        "property_id": property_id,
        "kind": kind,
        "name": text(name, "name"),
        "parent_id": parent_id,
        **_owner(kind, owner_name, owner_contact),
    }
    return insert_new(db, settings, actor, kind="place", row=row, property_id=property_id)


@writes
def update_place(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    place_id: str,
    name: str | None = None,
    parent_id: str | None = None,
    owner_name: str | None = None,
    owner_contact: str | None = None,
) -> dict[str, Any]:
    """Rename, move or change the owner of a place; None leaves a field, an empty owner field clears it."""
    before = must_exist(db, actor, kind="place", id=place_id)
    pid = before["property_id"]
    authorize(actor, pid)
    row: dict[str, Any] = {"id": place_id}
    if name is not None:
        row["name"] = text(name, "name")
    if parent_id is not None and parent_id != before["parent_id"]:
        _check_parent(db, kind=before["kind"], parent_id=parent_id, property_id=pid)
        if parent_id == place_id or _is_below(db, parent_id, place_id):
            raise ValidationProblem(
                "admin.invalid_parent", "parent_id: a place cannot be inside itself.", {"field": "parent_id"}
            )
        row["parent_id"] = parent_id
    if owner_name is not None or owner_contact is not None:
        owner = _owner(
            before["kind"],
            before["owner_name"] if owner_name is None else owner_name,
            before["owner_contact"] if owner_contact is None else owner_contact,
        )
        row.update(owner)
    columns = {k: v for k, v in row.items() if k != "id"}
    after = update_existing(
        db,
        settings,
        actor,
        kind="place",
        id=place_id,
        columns=columns,
        before=before,
        property_id=pid,
        action="place.update",
    )
    return after


def _is_below(db: Database, place_id: str, ancestor_id: str) -> bool:
    cursor: str | None = place_id
    seen: set[str] = set()
    while cursor is not None and cursor not in seen:
        if cursor == ancestor_id:
            return True
        seen.add(cursor)
        row = reference.get(db, kind="place", id=cursor)
        cursor = row["parent_id"] if row else None
    return False


@writes
def archive_place(db: Database, settings: Settings, actor: Actor, *, place_id: str) -> dict[str, Any]:
    """Take a place out of use: it stays for the records that name it, and phones drop it from their lists.

    Refused while a live place inside it, a checkpoint on a route or an active permit still points at it.
    """
    before = must_exist(db, actor, kind="place", id=place_id)
    pid = before["property_id"]
    authorize(actor, pid)
    if before["archived_at"]:
        return before
    uses = admin_db.place_uses(db, place_id=place_id)
    if uses:
        listed = "; ".join(f"{kind}: {', '.join(ids)}" for kind, ids in uses.items())
        raise ConflictProblem(
            "admin.place_in_use",
            f"The place {place_id!r} is still in use ({listed}). Archive or move those first.",
            {"uses": uses},
        )
    admin_db.update_reference(db, kind="place", id=place_id, columns={"archived_at": settings.now().isoformat()})
    after = admin_db.decode(reference.get(db, kind="place", id=place_id) or before)
    publish(db, kind="place", row=after, property_id=pid, deleted=True)
    audit(
        db,
        settings,
        actor,
        action="place.archive",
        kind="place",
        entity_id=place_id,
        property_id=pid,
        before=before,
        after=after,
    )
    return after
