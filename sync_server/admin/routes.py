"""Patrol routes: their ordered checkpoints (``checkpoints``), who walks them and on which weekdays."""

from __future__ import annotations

from typing import Any

from shared.errors import ValidationProblem
from shared.rules import WEEKDAYS
from sync_server.admin.checkpoints import add_checkpoint
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


def check_weekdays(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or any(d not in WEEKDAYS for d in value):
        raise ValidationProblem(
            "admin.invalid_weekdays",
            f"weekdays: list the days the route is walked, from {', '.join(WEEKDAYS)}.",
            {"field": "weekdays"},
        )
    return [d for d in WEEKDAYS if d in value]


def _assignee(db: Database, user_id: str | None, property_id: str) -> str | None:
    if not user_id:
        return None
    return str(reference_in(db, kind="user", id=user_id, property_id=property_id, field="assigned_to")["id"])


def get_route(db: Database, actor: Actor, *, route_id: str) -> dict[str, Any]:
    route = must_exist(db, actor, kind="route", id=route_id, label="patrol route")
    checkpoints = admin_db.rows_of(db, table="checkpoints", property_id=route["property_id"])
    return {**route, "checkpoints": [c for c in checkpoints if c["route_id"] == route_id]}


def list_routes(
    db: Database, actor: Actor, *, property_id: str, include_archived: bool = False
) -> list[dict[str, Any]]:
    must_exist(db, actor, kind="property", id=property_id)
    routes = admin_db.rows_of(db, table="routes", property_id=property_id, include_archived=include_archived)
    checkpoints = admin_db.rows_of(db, table="checkpoints", property_id=property_id)
    return [{**r, "checkpoints": [c for c in checkpoints if c["route_id"] == r["id"]]} for r in routes]


@writes
def create_route(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    property_id: str,
    name: str,
    assigned_to: str | None = None,
    weekdays: list[str] | None = None,
    checkpoints: list[dict[str, Any]] | None = None,
    route_id: str | None = None,
) -> dict[str, Any]:
    """A route and its checkpoints in order; each checkpoint is ``{place_id, scan_code, name?, id?}``."""
    must_exist(db, actor, kind="property", id=property_id)
    authorize(actor, property_id)
    row: dict[str, Any] = {
        "id": new_id(settings, "route", route_id),
        "property_id": property_id,
        "name": text(name, "name"),
        "assigned_to": _assignee(db, assigned_to, property_id),
        "weekdays": check_weekdays(list(WEEKDAYS) if weekdays is None else weekdays),
    }
    insert_new(db, settings, actor, kind="route", row=row, property_id=property_id)
    for n, checkpoint in enumerate(checkpoints or []):
        if not isinstance(checkpoint, dict):
            raise ValidationProblem("admin.required", f"checkpoints.{n}: give place_id and scan_code.")
        add_checkpoint(
            db,
            settings,
            actor,
            route_id=row["id"],
            place_id=checkpoint.get("place_id", ""),
            scan_code=checkpoint.get("scan_code", ""),
            name=checkpoint.get("name"),
            checkpoint_id=checkpoint.get("id"),
        )
    return get_route(db, actor, route_id=row["id"])


@writes
def update_route(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    route_id: str,
    name: str | None = None,
    assigned_to: str | None = None,
    weekdays: list[str] | None = None,
) -> dict[str, Any]:
    """Rename, reassign (an empty ``assigned_to`` leaves it unassigned) or change the days of a route."""
    before = must_exist(db, actor, kind="route", id=route_id, label="patrol route")
    pid = before["property_id"]
    authorize(actor, pid)
    columns: dict[str, Any] = {}
    if name is not None:
        columns["name"] = text(name, "name")
    if assigned_to is not None:
        columns["assigned_to"] = _assignee(db, assigned_to, pid)
    if weekdays is not None:
        columns["weekdays"] = check_weekdays(weekdays)
    update_existing(
        db,
        settings,
        actor,
        kind="route",
        id=route_id,
        columns=columns,
        before=before,
        property_id=pid,
        action="route.update",
    )
    return get_route(db, actor, route_id=route_id)


@writes
def archive_route(db: Database, settings: Settings, actor: Actor, *, route_id: str) -> dict[str, Any]:
    """Stop walking a route: it and its checkpoints leave the phones; records naming them keep them."""
    before = get_route(db, actor, route_id=route_id)
    pid = before["property_id"]
    authorize(actor, pid)
    if before["archived_at"]:
        return before
    now = settings.now().isoformat()
    for checkpoint in before["checkpoints"]:
        admin_db.update_reference(db, kind="checkpoint", id=checkpoint["id"], columns={"archived_at": now})
        publish(db, kind="checkpoint", row={**checkpoint, "archived_at": now}, property_id=pid, deleted=True)
    admin_db.update_reference(db, kind="route", id=route_id, columns={"archived_at": now})
    after = admin_db.decode(reference.get(db, kind="route", id=route_id) or before)
    publish(db, kind="route", row=after, property_id=pid, deleted=True)
    audit(
        db,
        settings,
        actor,
        action="route.archive",
        kind="route",
        entity_id=route_id,
        property_id=pid,
        before=before,
        after=after,
    )
    return {**after, "checkpoints": []}
