"""Figures for supervisors: counts, rates, targets, Pareto, causes and trend of a period, for their property."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from shared.errors import NotFoundProblem, PermissionProblem, ValidationProblem
from shared.model import Role
from sync_server import auth, stats
from sync_server.db import reference
from sync_server.deps import AppSettings, Db
from sync_server.routes.auth import Problem

router = APIRouter(tags=["stats"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "auth.missing_token, auth.invalid_token, ..."},
    403: {"model": Problem, "description": "auth.forbidden, admin.other_property"},
    404: {"model": Problem, "description": "property.not_found"},
    422: {"model": Problem, "description": "request.invalid, stats.bad_period"},
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
