"""Administration endpoints for a property's setup: properties, places, patrol routes and checkpoints, permits.

Thin: each calls one function of ``sync_server.admin`` inside one transaction. Administrators may act on every
property, supervisors on their own; the service layer checks every id a request names.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sync_server.admin import checkpoints, permits, places, properties, routes
from sync_server.db import transaction
from sync_server.deps import AppSettings, Db
from sync_server.routes.admin_models import (
    PROBLEMS,
    CheckpointIn,
    CheckpointOut,
    CheckpointPatch,
    CurrentActor,
    PermitEnd,
    PermitIn,
    PermitOut,
    PermitPatch,
    PlaceIn,
    PlaceOut,
    PlacePatch,
    PropertyIn,
    PropertyOut,
    PropertyPatch,
    RouteIn,
    RouteOut,
    RoutePatch,
)

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=PROBLEMS)


def _given(body: Any) -> dict[str, Any]:
    given: dict[str, Any] = body.model_dump(exclude_unset=True)
    return given


# ---- properties ---------------------------------------------------------------------------------


@router.get("/properties", response_model=list[PropertyOut])
def list_properties(actor: CurrentActor, db: Db, settings: AppSettings) -> list[dict[str, Any]]:
    """Every property for an administrator; a supervisor's own."""
    return properties.list_properties(db, settings, actor)


@router.post("/properties", response_model=PropertyOut, status_code=201)
def create_property(body: PropertyIn, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    data = _given(body)
    with transaction(db):
        return properties.create_property(db, settings, actor, property_id=data.pop("id"), **data)


@router.get("/properties/{property_id}", response_model=PropertyOut)
def get_property(property_id: str, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    return properties.get_property(db, settings, actor, property_id=property_id)


@router.patch("/properties/{property_id}", response_model=PropertyOut)
def update_property(
    property_id: str, body: PropertyPatch, actor: CurrentActor, db: Db, settings: AppSettings
) -> dict[str, Any]:
    with transaction(db):
        return properties.update_property(db, settings, actor, property_id=property_id, **_given(body))


# ---- places -------------------------------------------------------------------------------------


@router.get("/properties/{property_id}/places", response_model=list[PlaceOut])
def list_places(property_id: str, actor: CurrentActor, db: Db, include_archived: bool = False) -> list[dict[str, Any]]:
    return places.list_places(db, actor, property_id=property_id, include_archived=include_archived)


@router.post("/properties/{property_id}/places", response_model=PlaceOut, status_code=201)
def create_place(property_id: str, body: PlaceIn, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    data = _given(body)
    with transaction(db):
        return places.create_place(db, settings, actor, property_id=property_id, place_id=data.pop("id", None), **data)


@router.patch("/places/{place_id}", response_model=PlaceOut)
def update_place(place_id: str, body: PlacePatch, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    with transaction(db):
        return places.update_place(db, settings, actor, place_id=place_id, **_given(body))


@router.post("/places/{place_id}/archive", response_model=PlaceOut)
def archive_place(place_id: str, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    """Refused (409 admin.place_in_use) while places inside it, checkpoints or active permits point at it."""
    with transaction(db):
        return places.archive_place(db, settings, actor, place_id=place_id)


# ---- routes and checkpoints ---------------------------------------------------------------------


@router.get("/properties/{property_id}/routes", response_model=list[RouteOut])
def list_routes(property_id: str, actor: CurrentActor, db: Db, include_archived: bool = False) -> list[dict[str, Any]]:
    return routes.list_routes(db, actor, property_id=property_id, include_archived=include_archived)


@router.post("/properties/{property_id}/routes", response_model=RouteOut, status_code=201)
def create_route(property_id: str, body: RouteIn, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    data = _given(body)
    data["checkpoints"] = [c.model_dump(exclude_unset=True) for c in body.checkpoints]
    with transaction(db):
        return routes.create_route(db, settings, actor, property_id=property_id, route_id=data.pop("id", None), **data)


@router.get("/routes/{route_id}", response_model=RouteOut)
def get_route(route_id: str, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return routes.get_route(db, actor, route_id=route_id)


@router.patch("/routes/{route_id}", response_model=RouteOut)
def update_route(route_id: str, body: RoutePatch, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    with transaction(db):
        return routes.update_route(db, settings, actor, route_id=route_id, **_given(body))


@router.post("/routes/{route_id}/archive", response_model=RouteOut)
def archive_route(route_id: str, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    with transaction(db):
        return routes.archive_route(db, settings, actor, route_id=route_id)


@router.post("/routes/{route_id}/checkpoints", response_model=CheckpointOut, status_code=201)
def add_checkpoint(
    route_id: str, body: CheckpointIn, actor: CurrentActor, db: Db, settings: AppSettings
) -> dict[str, Any]:
    data = _given(body)
    with transaction(db):
        return checkpoints.add_checkpoint(
            db, settings, actor, route_id=route_id, checkpoint_id=data.pop("id", None), **data
        )


@router.patch("/checkpoints/{checkpoint_id}", response_model=CheckpointOut)
def update_checkpoint(
    checkpoint_id: str, body: CheckpointPatch, actor: CurrentActor, db: Db, settings: AppSettings
) -> dict[str, Any]:
    """Move a checkpoint (another place or position), reprint its code or rename it."""
    with transaction(db):
        return checkpoints.update_checkpoint(db, settings, actor, checkpoint_id=checkpoint_id, **_given(body))


@router.post("/checkpoints/{checkpoint_id}/archive", response_model=CheckpointOut)
def archive_checkpoint(checkpoint_id: str, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    with transaction(db):
        return checkpoints.archive_checkpoint(db, settings, actor, checkpoint_id=checkpoint_id)


# ---- permits ------------------------------------------------------------------------------------


@router.get("/properties/{property_id}/permits", response_model=list[PermitOut])
def list_permits(property_id: str, actor: CurrentActor, db: Db, status: str | None = None) -> list[dict[str, Any]]:
    return permits.list_permits(db, actor, property_id=property_id, status=status)


@router.post("/properties/{property_id}/permits", response_model=PermitOut, status_code=201)
def create_permit(
    property_id: str, body: PermitIn, actor: CurrentActor, db: Db, settings: AppSettings
) -> dict[str, Any]:
    data = body.model_dump(exclude_unset=True)
    with transaction(db):
        return permits.create_permit(
            db, settings, actor, property_id=property_id, permit_id=data.pop("id", None), **data
        )


@router.patch("/permits/{permit_id}", response_model=PermitOut)
def update_permit(
    permit_id: str, body: PermitPatch, actor: CurrentActor, db: Db, settings: AppSettings
) -> dict[str, Any]:
    with transaction(db):
        return permits.update_permit(db, settings, actor, permit_id=permit_id, **body.model_dump(exclude_unset=True))


@router.post("/permits/{permit_id}/end", response_model=PermitOut)
def end_permit(permit_id: str, body: PermitEnd, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    """The renovation is over: passes returned and fees settled are recorded; the permit's status becomes ended."""
    with transaction(db):
        return permits.end_permit(db, settings, actor, permit_id=permit_id, **_given(body))
