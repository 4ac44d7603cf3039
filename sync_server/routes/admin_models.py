"""Request and response bodies of the administration endpoints, and the dependency that makes the actor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from pydantic import BaseModel, ConfigDict, Field

from sync_server import auth
from sync_server.admin.common import Actor, require_admin_role
from sync_server.routes.auth import Problem


def current_actor(user: auth.CurrentUser) -> Actor:
    """The logged-in supervisor or administrator; anyone else is refused before any id is looked at."""
    actor = Actor.of_user(user)
    require_admin_role(actor)
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "auth.* (log in again)"},
    403: {"model": Problem, "description": "auth.forbidden, admin.other_property, admin.role_not_allowed"},
    404: {"model": Problem, "description": "admin.not_found"},
    409: {"model": Problem, "description": "admin.exists, admin.duplicate_code, admin.place_in_use, ..."},
    422: {"model": Problem, "description": "admin.* input problems, request.invalid"},
}

Hours = list[str] | None


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class PropertyIn(BaseModel):
    id: Annotated[str, Field(max_length=100)]
    name: str
    tz: str
    working_hours: dict[str, Hours] | None = None
    rectification_hours: int | None = None


class PropertyPatch(BaseModel):
    name: str | None = None
    tz: str | None = None
    working_hours: dict[str, Hours] | None = None
    rectification_hours: int | None = None


class PropertyOut(Out):
    id: str
    name: str
    tz: str
    working_hours: dict[str, Hours]
    rectification_hours: int


class PlaceIn(BaseModel):
    kind: str = Field(description="building, floor, unit or area")
    name: str
    parent_id: str | None = None
    owner_name: str | None = None
    owner_contact: str | None = None
    id: str | None = None


class PlacePatch(BaseModel):
    name: str | None = None
    parent_id: str | None = None
    owner_name: str | None = Field(None, description="an empty text clears it")
    owner_contact: str | None = None


class PlaceOut(Out):
    id: str
    property_id: str
    kind: str
    name: str
    parent_id: str | None
    owner_name: str | None
    owner_contact: str | None
    archived_at: str | None


class CheckpointIn(BaseModel):
    place_id: str
    scan_code: str
    name: str | None = None
    position: int | None = Field(None, description="1 = first; the end of the route when left out")
    id: str | None = None


class CheckpointPatch(BaseModel):
    place_id: str | None = None
    scan_code: str | None = None
    name: str | None = None
    position: int | None = None


class CheckpointOut(Out):
    id: str
    route_id: str
    place_id: str
    name: str
    scan_code: str
    position: int
    archived_at: str | None


class RouteIn(BaseModel):
    name: str
    assigned_to: str | None = None
    weekdays: list[str] | None = Field(None, description="mon..sun; every day when left out")
    checkpoints: list[CheckpointIn] = []
    id: str | None = None


class RoutePatch(BaseModel):
    name: str | None = None
    assigned_to: str | None = Field(None, description="a user id; an empty text leaves the route unassigned")
    weekdays: list[str] | None = None


class RouteOut(Out):
    id: str
    property_id: str
    name: str
    assigned_to: str | None
    weekdays: list[str]
    archived_at: str | None
    checkpoints: list[CheckpointOut]


class Worker(BaseModel):
    name: str
    pass_number: str


class PermitIn(BaseModel):
    unit_id: str
    contractor: str
    starts_on: str
    ends_on: str
    workers: list[Worker] = []
    applied_on: str | None = None
    approved_on: str | None = None
    id: str | None = None


class PermitPatch(BaseModel):
    contractor: str | None = None
    starts_on: str | None = None
    ends_on: str | None = None
    workers: list[Worker] | None = None
    applied_on: str | None = None
    approved_on: str | None = None


class PermitEnd(BaseModel):
    passes_returned: int
    fees_settled: bool
    ended_on: str | None = None


class PermitOut(Out):
    id: str
    property_id: str
    unit_id: str
    contractor: str
    starts_on: str
    ends_on: str
    workers: list[Worker]
    passes_registered: int
    applied_on: str | None
    approved_on: str | None
    approval_late: bool = Field(description="approved more than 2 days after the application")
    status: str
    ended_on: str | None
    passes_returned: int | None
    fees_settled: bool | None


class UserIn(BaseModel):
    username: str
    name: str
    role: str
    property_id: str | None = Field(None, description="left out only for a server-wide administrator")
    password: str = Field(description="at least 10 characters")
    must_change_password: bool = False
    id: str | None = None


class UserPatch(BaseModel):
    name: str | None = None
    role: str | None = None
    property_id: str | None = None


class UserOut(Out):
    id: str
    username: str
    name: str
    role: str
    property_id: str
    created_at: str
    active: bool
    deactivated_at: str | None
    must_change_password: bool


class PasswordReset(BaseModel):
    password: str | None = Field(None, description="the temporary password; one is made up when left out")


class PasswordResetOut(BaseModel):
    user: UserOut
    temporary_password: str


class DeviceOut(Out):
    device_id: str
    device_name: str
    user_id: str
    last_login: str
    revoked: bool


class AuditEntry(Out):
    id: int
    at: str
    actor_id: str
    actor_name: str
    property_id: str
    action: str
    entity_kind: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
