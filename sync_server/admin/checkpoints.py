"""Checkpoints of a patrol route: each at a place with a printed code, in the order they are walked."""

from __future__ import annotations

from typing import Any

from shared.errors import ConflictProblem, ValidationProblem
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


def _code(db: Database, value: Any, *, property_id: str, except_id: str | None, field: str) -> str:
    code = text(value, field, limit=100)
    assert code is not None
    taken = admin_db.code_in_use(db, property_id=property_id, scan_code=code, except_id=except_id)
    if taken:
        raise ConflictProblem(
            "admin.duplicate_code",
            f"{field}: the code {code!r} is already printed for checkpoint {taken!r}; every code must differ.",
            {"field": field, "checkpoint_id": taken},
        )
    return code


@writes
def add_checkpoint(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    route_id: str,
    place_id: str,
    scan_code: str,
    name: str | None = None,
    position: int | None = None,
    checkpoint_id: str | None = None,
) -> dict[str, Any]:
    """A checkpoint at the end of the route, or at ``position`` (1 = first), moving the later ones down."""
    route = must_exist(db, actor, kind="route", id=route_id, label="patrol route")
    pid = route["property_id"]
    authorize(actor, pid)
    if route["archived_at"]:
        raise ValidationProblem("admin.archived_reference", f"The route {route_id!r} is archived; restore it first.")
    place = reference_in(db, kind="place", id=place_id, property_id=pid, field="place_id")
    row = {
        "id": new_id(settings, "checkpoint", checkpoint_id),
        "property_id": pid,
        "route_id": route_id,
        "place_id": place_id,
        "name": text(name, "name", required=False) or place["name"],
        "scan_code": _code(db, scan_code, property_id=pid, except_id=None, field="scan_code"),
        "position": admin_db.next_position(db, route_id=route_id),
    }
    insert_new(db, settings, actor, kind="checkpoint", row=row, property_id=pid)
    if position is not None:
        _reorder(db, settings, actor, route_id=route_id, moved=row["id"], position=position)
    return admin_db.decode(reference.get(db, kind="checkpoint", id=row["id"]) or row)


@writes
def update_checkpoint(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    checkpoint_id: str,
    place_id: str | None = None,
    scan_code: str | None = None,
    name: str | None = None,
    position: int | None = None,
) -> dict[str, Any]:
    """Move a checkpoint to another place or position, reprint its code, rename it."""
    before = must_exist(db, actor, kind="checkpoint", id=checkpoint_id)
    pid = before["property_id"]
    authorize(actor, pid)
    if before["archived_at"]:
        raise ValidationProblem("admin.archived_reference", f"The checkpoint {checkpoint_id!r} is archived.")
    columns: dict[str, Any] = {}
    if place_id is not None:
        columns["place_id"] = reference_in(db, kind="place", id=place_id, property_id=pid, field="place_id")["id"]
    if scan_code is not None:
        columns["scan_code"] = _code(db, scan_code, property_id=pid, except_id=checkpoint_id, field="scan_code")
    if name is not None:
        columns["name"] = text(name, "name")
    after = update_existing(
        db,
        settings,
        actor,
        kind="checkpoint",
        id=checkpoint_id,
        columns=columns,
        before=before,
        property_id=pid,
        action="checkpoint.update",
    )
    if position is not None:
        _reorder(db, settings, actor, route_id=before["route_id"], moved=checkpoint_id, position=position)
    return admin_db.decode(reference.get(db, kind="checkpoint", id=checkpoint_id) or after)


@writes
def archive_checkpoint(db: Database, settings: Settings, actor: Actor, *, checkpoint_id: str) -> dict[str, Any]:
    """Take a checkpoint off its route; the later ones move up."""
    before = must_exist(db, actor, kind="checkpoint", id=checkpoint_id)
    pid = before["property_id"]
    authorize(actor, pid)
    if before["archived_at"]:
        return before
    admin_db.update_reference(
        db, kind="checkpoint", id=checkpoint_id, columns={"archived_at": settings.now().isoformat()}
    )
    after = admin_db.decode(reference.get(db, kind="checkpoint", id=checkpoint_id) or before)
    publish(db, kind="checkpoint", row=after, property_id=pid, deleted=True)
    audit(
        db,
        settings,
        actor,
        action="checkpoint.archive",
        kind="checkpoint",
        entity_id=checkpoint_id,
        property_id=pid,
        before=before,
        after=after,
    )
    _reorder(db, settings, actor, route_id=before["route_id"], moved=None, position=None)
    return after


def _reorder(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    route_id: str,
    moved: str | None,
    position: int | None,
) -> None:
    """Number the route's live checkpoints 1..n, with ``moved`` at ``position``; republish the ones that moved."""
    pid = must_exist(db, actor, kind="route", id=route_id, label="patrol route")["property_id"]
    live = [c for c in admin_db.rows_of(db, table="checkpoints", property_id=pid) if c["route_id"] == route_id]
    order = [c["id"] for c in live if c["id"] != moved]
    if moved is not None and position is not None:
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            raise ValidationProblem(
                "admin.invalid_position", "position: give 1 for the first checkpoint, 2 for the next..."
            )
        order.insert(min(position, len(order) + 1) - 1, moved)
    for n, checkpoint_id in enumerate(order, start=1):
        current = next(c for c in live if c["id"] == checkpoint_id)
        if current["position"] != n:
            admin_db.update_reference(db, kind="checkpoint", id=checkpoint_id, columns={"position": n})
            publish(db, kind="checkpoint", row={**current, "position": n}, property_id=current["property_id"])
            audit(
                db,
                settings,
                actor,
                action="checkpoint.update",
                kind="checkpoint",
                entity_id=checkpoint_id,
                property_id=current["property_id"],
                before=current,
                after={**current, "position": n},
            )
