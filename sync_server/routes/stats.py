"""Figures for supervisors (counts, rates, targets, Pareto, causes, trend of a period) and acknowledging findings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from shared.errors import NotFoundProblem, PermissionProblem, ValidationProblem
from shared.model import Role
from sync_server import auth, schedule, stats
from sync_server.db import accounts, feed, findings, reference, transaction
from sync_server.deps import AppSettings, Db
from sync_server.routes.auth import Problem

router = APIRouter(tags=["stats"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "auth.missing_token, auth.invalid_token, ..."},
    403: {"model": Problem, "description": "auth.forbidden, admin.other_property"},
    404: {"model": Problem, "description": "property.not_found, finding.not_found"},
    422: {"model": Problem, "description": "request.invalid, stats.bad_period, record.unknown_reference"},
}
MAX_DAYS = 400  # a year and a bit: the longest period a report asks for


def chosen_property(db: Any, user: dict[str, Any], property_id: str | None) -> str:
    """Supervisors read their own property; administrators name one."""
    auth.require_supervising(user)
    if user["role"] == Role.ADMIN.value:
        if not property_id:
            raise ValidationProblem("request.invalid", "Choose the property.", {"field": "property_id"})
        if reference.get_property(db, property_id=property_id) is None:
            raise NotFoundProblem(
                "property.not_found", f"There is no property {property_id!r}.", {"property_id": property_id}
            )
        return property_id
    if property_id not in (None, user["property_id"]):
        raise PermissionProblem(
            "admin.other_property", f"You manage property {user['property_id']!r} only, not {property_id!r}."
        )
    return str(user["property_id"])


def check_period(start: date, end: date) -> None:
    if end < start or (end - start).days >= MAX_DAYS:
        raise ValidationProblem(
            "stats.bad_period",
            f"Choose a period whose end is not before its start and which is at most {MAX_DAYS} days long.",
            {"from": start.isoformat(), "to": end.isoformat(), "max_days": MAX_DAYS},
        )


@router.get("/api/v1/stats", response_model=dict[str, Any], responses=PROBLEMS)
def get_stats(
    user: auth.CurrentUser,
    db: Db,
    settings: AppSettings,
    start: Annotated[date, Query(alias="from", description="first property day, YYYY-MM-DD")],
    end: Annotated[date, Query(alias="to", description="last property day (included), YYYY-MM-DD")],
    category: Annotated[str | None, Query(max_length=40)] = None,
    place_id: Annotated[str | None, Query(max_length=100, description="a place and what is inside it")] = None,
    specialist_id: Annotated[str | None, Query(max_length=100)] = None,
    assignee_id: Annotated[str | None, Query(max_length=100, description="a maintenance person")] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    property_id: Annotated[str | None, Query(max_length=100, description="administrators name the property")] = None,
) -> dict[str, Any]:
    """The figures of the property days ``from``..``to`` (see ``shared.figures`` for every definition)."""
    chosen = chosen_property(db, user, property_id)
    check_period(start, end)
    return stats.figures_for(
        db,
        settings,
        chosen,
        start,
        end,
        category=category,
        place_id=place_id,
        specialist_id=specialist_id,
        assignee_id=assignee_id,
        kind=kind,
    )


class AckRequest(BaseModel):
    note: Annotated[str, Field(max_length=4000)] = ""
    assignee_id: Annotated[str | None, Field(max_length=64, description="a user of the property to follow it up")] = (
        None
    )


@router.post("/api/v1/findings/{finding_id}/ack", response_model=dict[str, Any], responses=PROBLEMS)
def ack_finding(
    finding_id: str, request: AckRequest, user: auth.CurrentUser, db: Db, settings: AppSettings
) -> dict[str, Any]:
    """A supervisor has seen a finding (and may hand it to someone): stored beside it and published to the feed."""
    auth.require_supervising(user)
    found = findings.get_finding(db, id=finding_id)
    if found is None or (user["role"] != Role.ADMIN.value and found["property_id"] != user["property_id"]):
        raise NotFoundProblem("finding.not_found", "No such finding; pull to refresh.", {"finding_id": finding_id})
    if request.assignee_id:
        assignee = accounts.get_user(db, user_id=request.assignee_id)
        if assignee is None or assignee["property_id"] != found["property_id"]:
            raise ValidationProblem(
                "record.unknown_reference",
                f"assignee_id: there is no user {request.assignee_id!r} in your property; sync to refresh your lists.",
                {"field": "assignee_id", "kind": "user"},
            )
    zone = reference.property_tz(db, property_id=found["property_id"], default=settings.tz)
    with transaction(db):
        current = findings.get_finding(db, id=finding_id)  # read again under the lock: a refresh may have come
        if current is None:
            raise NotFoundProblem("finding.not_found", "No such finding; pull to refresh.", {"finding_id": finding_id})
        # the person it was handed to sees it on their phone, and every later version of it (stored scopes)
        scopes = schedule.finding_scopes(current["property_id"], current["data"], assigned_to=request.assignee_id)
        findings.ack_finding(
            db,
            id=finding_id,
            acked_by=user["id"],
            acked_at=settings.now().astimezone(zone).isoformat(),
            note=request.note,
            assigned_to=request.assignee_id,
            scopes=scopes,
        )
        acked = findings.get_finding(db, id=finding_id)
        assert acked is not None
        # withdrawn from the previous assignee's phone when handed from one person to another
        gone = sorted(set(current["scopes"]) - set(scopes))
        feed.publish(db, kind="finding", entity_id=finding_id, data=acked["data"], scopes=scopes, gone=gone)
    data: dict[str, Any] = acked["data"]
    return data
