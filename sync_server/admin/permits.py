"""Renovation permits: unit, contractor, dates, registered workers with passes, approval, and the permit's end."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.errors import ConflictProblem, ValidationProblem
from shared.model import PlaceKind
from sync_server.admin.common import (
    Actor,
    audit,
    authorize,
    day,
    insert_new,
    must_exist,
    new_id,
    publish,
    reference_in,
    required_text,
    text,
    update_existing,
    writes,
)
from sync_server.db import Database, reference
from sync_server.db import admin as admin_db
from sync_server.settings import Settings

REVIEW_DAYS = 2  # an application is reviewed within 2 days (000 §Verb(eight)(2))
ACTIVE, ENDED = "active", "ended"


def list_permits(db: Database, actor: Actor, *, property_id: str, status: str | None = None) -> list[dict[str, Any]]:
    must_exist(db, actor, kind="property", id=property_id)
    rows = admin_db.rows_of(db, table="permits", property_id=property_id)
    return [r for r in rows if status is None or r["status"] == status]


def check_workers(value: Any) -> list[dict[str, str]]:
    """``[{name, pass_number}]``: every worker on site is registered and holds a temporary pass of their own."""
    if not isinstance(value, list):
        raise ValidationProblem("admin.invalid_workers", "workers: give a list of {name, pass_number}.")
    workers, passes = [], set()
    for n, worker in enumerate(value):
        if not isinstance(worker, dict):
            raise ValidationProblem("admin.invalid_workers", f"workers.{n}: give the worker's name and pass number.")
        name = required_text(worker.get("name"), f"workers.{n}.name")
        number = required_text(worker.get("pass_number"), f"workers.{n}.pass_number", limit=50)
        if number in passes:
            raise ValidationProblem(
                "admin.duplicate_pass",
                f"workers.{n}.pass_number: pass {number} is given to two workers; each holds their own.",
                {"field": f"workers.{n}.pass_number"},
            )
        passes.add(number)
        workers.append({"name": name, "pass_number": number})
    return workers


def _dates(row: dict[str, Any]) -> None:
    if row["ends_on"] < row["starts_on"]:
        raise ValidationProblem(
            "admin.invalid_dates", "ends_on: the permit cannot end before it starts.", {"field": "ends_on"}
        )
    if row["applied_on"] and row["approved_on"] and row["approved_on"] < row["applied_on"]:
        raise ValidationProblem(
            "admin.invalid_dates", "approved_on: approval cannot come before the application.", {"field": "approved_on"}
        )


def approval_late(applied_on: str | None, approved_on: str | None) -> bool:
    """Whether the application waited more than the 2 days its review may take."""
    if not applied_on or not approved_on:
        return False
    return (date.fromisoformat(approved_on) - date.fromisoformat(applied_on)).days > REVIEW_DAYS


@writes
def create_permit(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    property_id: str,
    unit_id: str,
    contractor: str,
    starts_on: str,
    ends_on: str,
    workers: list[dict[str, Any]] | None = None,
    applied_on: str | None = None,
    approved_on: str | None = None,
    permit_id: str | None = None,
) -> dict[str, Any]:
    must_exist(db, actor, kind="property", id=property_id)
    authorize(actor, property_id)
    unit = reference_in(db, kind="place", id=unit_id, property_id=property_id, field="unit_id")
    if unit["kind"] != PlaceKind.UNIT.value:
        raise ValidationProblem(
            "admin.not_a_unit",
            f"unit_id: {unit_id!r} is a {unit['kind']}; a permit is for a unit.",
            {"field": "unit_id"},
        )
    registered = check_workers(workers or [])
    row: dict[str, Any] = {
        "id": new_id(settings, "permit", permit_id),
        "property_id": property_id,
        "unit_id": unit_id,
        "contractor": text(contractor, "contractor"),
        "starts_on": day(starts_on, "starts_on"),
        "ends_on": day(ends_on, "ends_on"),
        "workers": registered,
        "passes_registered": len(registered),
        "applied_on": day(applied_on, "applied_on", required=False),
        "approved_on": day(approved_on, "approved_on", required=False),
        "status": ACTIVE,
    }
    _dates(row)
    row["approval_late"] = int(approval_late(row["applied_on"], row["approved_on"]))
    return insert_new(db, settings, actor, kind="permit", row=row, property_id=property_id)


@writes
def update_permit(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    permit_id: str,
    contractor: str | None = None,
    starts_on: str | None = None,
    ends_on: str | None = None,
    workers: list[dict[str, Any]] | None = None,
    applied_on: str | None = None,
    approved_on: str | None = None,
) -> dict[str, Any]:
    """Correct an active permit: extend it, register workers, record its approval."""
    before = must_exist(db, actor, kind="permit", id=permit_id, label="renovation permit")
    pid = before["property_id"]
    authorize(actor, pid)
    if before["status"] != ACTIVE:
        raise ConflictProblem("admin.permit_ended", f"The permit {permit_id!r} has ended; it can no longer change.")
    merged = dict(before)
    if contractor is not None:
        merged["contractor"] = text(contractor, "contractor")
    for field, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if value is not None:
            merged[field] = day(value, field)
    for field, value in (("applied_on", applied_on), ("approved_on", approved_on)):
        if value is not None:
            merged[field] = day(value, field, required=False)
    if workers is not None:
        merged["workers"] = check_workers(workers)
        merged["passes_registered"] = len(merged["workers"])
    _dates(merged)
    merged["approval_late"] = approval_late(merged["applied_on"], merged["approved_on"])
    columns = {k: v for k, v in merged.items() if before.get(k) != v}
    after = update_existing(
        db,
        settings,
        actor,
        kind="permit",
        id=permit_id,
        columns=columns,
        before=before,
        property_id=pid,
        action="permit.update",
    )
    return after


@writes
def end_permit(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    permit_id: str,
    passes_returned: int,
    fees_settled: bool,
    ended_on: str | None = None,
) -> dict[str, Any]:
    """The renovation is over: the passes taken back and the fees settled are recorded; phones stop checking it."""
    before = must_exist(db, actor, kind="permit", id=permit_id, label="renovation permit")
    pid = before["property_id"]
    authorize(actor, pid)
    if before["status"] != ACTIVE:
        raise ConflictProblem("admin.permit_ended", f"The permit {permit_id!r} has ended already.")
    registered = int(before["passes_registered"])
    if (
        isinstance(passes_returned, bool)
        or not isinstance(passes_returned, int)
        or not 0 <= passes_returned <= registered
    ):
        raise ValidationProblem(
            "admin.invalid_passes_returned",
            f"passes_returned: give how many of the {registered} registered passes came back (0 to {registered}).",
            {"field": "passes_returned"},
        )
    if not isinstance(fees_settled, bool):
        raise ValidationProblem("admin.required", "fees_settled: say whether the fees are settled (true or false).")
    today = settings.now().astimezone(reference.property_tz(db, property_id=pid, default=settings.tz)).date()
    columns = {
        "status": ENDED,
        "passes_returned": passes_returned,
        "fees_settled": fees_settled,
        "ended_on": day(ended_on, "ended_on") if ended_on else today.isoformat(),
    }
    admin_db.update_reference(db, kind="permit", id=permit_id, columns=columns)
    after = admin_db.decode(reference.get(db, kind="permit", id=permit_id) or before)
    publish(db, kind="permit", row=after, property_id=pid)
    audit(
        db,
        settings,
        actor,
        action="permit.end",
        kind="permit",
        entity_id=permit_id,
        property_id=pid,
        before=before,
        after=after,
    )
    return after
