"""Properties: name, time zone, working hours and the deadline rules each sets for itself."""

from __future__ import annotations

import json
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import ConflictProblem, PermissionProblem, ValidationProblem
from shared.rules import WEEKDAYS
from sync_server.admin.common import Actor, audit, authorize, check_id, must_exist, text, writes
from sync_server.db import Database, reference, work_orders
from sync_server.db import admin as admin_db
from sync_server.properties import publish_property
from sync_server.settings import Settings

# A new property starts with the service center's hours of the seeds, as the database's default does.
DEFAULT_WORKING_HOURS: dict[str, list[str] | None] = json.loads(admin_db.SEED_HOURS)
RECTIFICATION_HOURS = (1, 720)  # an hour up to 30 days: anything else is a typing mistake
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def check_tz(value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationProblem(
            "admin.invalid_time_zone",
            f"tz: {value!r} is not a time zone; use a name such as Asia/Shanghai or America/Mexico_City.",
            {"field": "tz"},
        ) from None
    return str(value)


def check_working_hours(value: Any) -> dict[str, list[str] | None]:
    """``{"mon": ["08:30", "18:00"], ..., "sun": null}``: every weekday, opening before closing, null when closed."""
    if not isinstance(value, dict) or set(value) != set(WEEKDAYS):
        raise ValidationProblem(
            "admin.invalid_working_hours",
            f'working_hours: give every weekday ({", ".join(WEEKDAYS)}) as ["08:30", "18:00"] or null when closed.',
            {"field": "working_hours"},
        )
    hours: dict[str, list[str] | None] = {}
    for name in WEEKDAYS:
        span = value[name]
        if span is None:
            hours[name] = None
            continue
        if not (isinstance(span, list) and len(span) == 2 and all(isinstance(t, str) and _HHMM.match(t) for t in span)):
            raise ValidationProblem(
                "admin.invalid_working_hours",
                f'working_hours.{name}: write the hours as ["08:30", "18:00"] (24-hour clock) or null.',
                {"field": f"working_hours.{name}"},
            )
        if span[0] >= span[1]:
            raise ValidationProblem(
                "admin.invalid_working_hours",
                f"working_hours.{name}: the opening time must come before the closing time.",
                {"field": f"working_hours.{name}"},
            )
        hours[name] = list(span)
    return hours


def check_rectification_hours(value: Any) -> int:
    low, high = RECTIFICATION_HOURS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationProblem(
            "admin.invalid_rectification_hours",
            f"rectification_hours: give a whole number of hours from {low} to {high}.",
            {"field": "rectification_hours"},
        )
    return value


def get_property(db: Database, settings: Settings, actor: Actor, *, property_id: str) -> dict[str, Any]:
    row = must_exist(db, actor, kind="property", id=property_id)
    hours = work_orders.rectification_hours(db, property_id=property_id, default=settings.rectification_hours)
    return {**row, "rectification_hours": hours}


def list_properties(db: Database, settings: Settings, actor: Actor) -> list[dict[str, Any]]:
    only = None if actor.is_admin else actor.property_id or ""
    return [get_property(db, settings, actor, property_id=p["id"]) for p in admin_db.properties(db, only=only)]


@writes
def create_property(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    property_id: str,
    name: str,
    tz: str,
    working_hours: dict[str, Any] | None = None,
    rectification_hours: int | None = None,
) -> dict[str, Any]:
    """A new property (administrators only); its id is what users, places and routes name."""
    if not actor.is_admin:
        raise PermissionProblem("auth.forbidden", "Only an administrator may create a property.")
    row = {
        "id": check_id(property_id, "property_id"),
        "name": text(name, "name"),
        "tz": check_tz(tz),
        "working_hours": check_working_hours(working_hours or DEFAULT_WORKING_HOURS),
    }
    # without its own rule a property follows the server's default (Settings.rectification_hours)
    hours = None if rectification_hours is None else check_rectification_hours(rectification_hours)
    if reference.get_property(db, property_id=property_id) is not None:
        raise ConflictProblem("admin.exists", f"A property {property_id!r} exists already; choose another id.")
    reference.save(db, kind="property", row=row)
    if hours is not None:
        work_orders.set_rectification_hours(db, property_id=property_id, hours=hours)
    published = publish_property(db, property_id=property_id, settings=settings)
    audit(
        db,
        settings,
        actor,
        action="property.create",
        kind="property",
        entity_id=property_id,
        property_id=property_id,
        before=None,
        after=published,
    )
    return published


@writes
def update_property(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    property_id: str,
    name: str | None = None,
    tz: str | None = None,
    working_hours: dict[str, Any] | None = None,
    rectification_hours: int | None = None,
) -> dict[str, Any]:
    """Change what is given (None leaves a field as it is); phones get the property with its rules again."""
    before = get_property(db, settings, actor, property_id=property_id)
    authorize(actor, property_id)
    row: dict[str, Any] = {"id": property_id}
    if name is not None:
        row["name"] = text(name, "name")
    if tz is not None:
        row["tz"] = check_tz(tz)
    if working_hours is not None:
        row["working_hours"] = check_working_hours(working_hours)
    if rectification_hours is not None:
        work_orders.set_rectification_hours(
            db, property_id=property_id, hours=check_rectification_hours(rectification_hours)
        )
    admin_db.update_reference(db, kind="property", id=property_id, columns={k: v for k, v in row.items() if k != "id"})
    after = get_property(db, settings, actor, property_id=property_id)
    if after != before:
        publish_property(db, property_id=property_id, settings=settings)
        audit(
            db,
            settings,
            actor,
            action="property.update",
            kind="property",
            entity_id=property_id,
            property_id=property_id,
            before=before,
            after=after,
        )
    return after
