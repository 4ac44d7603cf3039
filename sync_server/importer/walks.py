"""Patrol routes, their checkpoints and renovation permits: the rows that point at users and places.

Functions of the running import (``apply._Import``): each row through the service layer, in a savepoint.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from shared.errors import NotFoundProblem, ValidationProblem
from sync_server.admin import checkpoints as checkpoint_service
from sync_server.admin import permits as permit_service
from sync_server.admin import routes as route_service
from sync_server.db import admin as admin_db
from sync_server.db import reference
from sync_server.importer import cells
from sync_server.importer.problems import FAILED

if TYPE_CHECKING:
    from sync_server.importer.apply import _Import
    from sync_server.importer.read import Row, Table

LAST = 10**9  # a checkpoint without a position comes after the numbered ones, in the order of the rows


def routes(work: _Import) -> None:
    for table, row in work.rows("routes"):
        v = row.values
        if work.broken("users", v.get("assigned_to")):
            work.failed["routes"].add(v.get("id", ""))
            continue

        def create(v: dict[str, str] = v) -> dict[str, Any]:
            return route_service.create_route(
                work.db,
                work.settings,
                work.actor,
                property_id=work.pid,
                name=v.get("name", ""),
                assigned_to=_user_id(work, v.get("assigned_to", "")),
                weekdays=cells.weekdays(v.get("weekdays", "")),
                route_id=v.get("id") or None,
            )

        work.note("routes", v.get("id", ""), work.attempt(table, row, create))


def _user_id(work: _Import, username: str) -> str | None:
    """The file names the specialist by username (what people know); the route keeps the user's id."""
    if not username:
        return None
    user = admin_db.user_row(work.db, username=username)
    if not user or user["property_id"] != work.pid:
        raise ValidationProblem(
            "admin.unknown_reference",
            f"assigned_to: there is no user {username!r} in property {work.pid!r}.",
            {"field": "assigned_to", "kind": "user", "id": username},
        )
    return str(user["id"])


def checkpoints(work: _Import) -> None:
    ordered: list[tuple[int, int, Table, Row]] = []
    for n, (table, row) in enumerate(work.rows("checkpoints")):
        position = cells.whole_number(row.values["position"]) if row.values.get("position") else LAST
        if isinstance(position, str):
            work.report(
                table,
                row,
                ValidationProblem(
                    "import.invalid_number", "position: write a whole number (1 for the first).", {"field": "position"}
                ),
            )
            continue
        ordered.append((position, n, table, row))
    # appended route by route in the order of their positions, so they are numbered 1..n as the file meant
    for _, _, table, row in sorted(ordered, key=lambda x: (x[0], x[1])):
        v = row.values
        if work.broken("routes", v.get("route_id")) or work.broken("places", v.get("place_id")):
            continue
        if work.attempt(table, row, partial(_checkpoint, work, v)) is not FAILED:
            work.counts["checkpoints"] += 1


def _checkpoint(work: _Import, v: dict[str, str]) -> dict[str, Any]:
    route_id = v.get("route_id", "")
    # an administrator may reach every property's routes: the file may only add to its own
    if not reference.belongs_to(work.db, kind="route", id=route_id, property_id=work.pid):
        raise NotFoundProblem(
            "admin.not_found",
            f"route_id: there is no patrol route {route_id!r} in property {work.pid!r}.",
            {"field": "route_id", "kind": "route", "id": route_id},
        )
    return checkpoint_service.add_checkpoint(
        work.db,
        work.settings,
        work.actor,
        route_id=route_id,
        place_id=v.get("place_id", ""),
        scan_code=v.get("scan_code", ""),
        name=v.get("name") or None,
        checkpoint_id=v.get("id") or None,
    )


def permits(work: _Import) -> None:
    for table, row in work.rows("permits"):
        v = row.values
        if work.broken("places", v.get("unit_id")):
            continue
        if work.attempt(table, row, partial(_permit, work, v)) is not FAILED:
            work.counts["permits"] += 1


def _permit(work: _Import, v: dict[str, str]) -> dict[str, Any]:
    permit = permit_service.create_permit(
        work.db,
        work.settings,
        work.actor,
        property_id=work.pid,
        unit_id=v.get("unit_id", ""),
        contractor=v.get("contractor", ""),
        starts_on=v.get("starts_on", ""),
        ends_on=v.get("ends_on", ""),
        workers=cells.workers(v.get("workers", "")),
        applied_on=v.get("applied_on") or None,
        approved_on=v.get("approved_on") or None,
        permit_id=v.get("id") or None,
    )
    if not (v.get("ended_on") or v.get("passes_returned") or v.get("fees_settled")):
        return permit
    # an ended permit (an export's history) is ended again the way the API ends one
    settled = cells.yes_no(v.get("fees_settled") or "no")
    if settled is None:
        raise ValidationProblem("import.invalid_yes_no", "fees_settled: write yes or no.", {"field": "fees_settled"})
    returned = cells.whole_number(v.get("passes_returned") or "0")
    if isinstance(returned, str):
        raise ValidationProblem(
            "import.invalid_number", "passes_returned: write a whole number.", {"field": "passes_returned"}
        )
    return permit_service.end_permit(
        work.db,
        work.settings,
        work.actor,
        permit_id=permit["id"],
        passes_returned=returned,
        fees_settled=settled,
        ended_on=v.get("ended_on") or None,
    )
