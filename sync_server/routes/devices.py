"""Devices that logged in: listed for their users and supervisors, revoked by a supervisor or admin."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from shared.errors import NotFoundProblem
from sync_server import auth
from sync_server.db import accounts, transaction
from sync_server.deps import AppSettings, Db
from sync_server.routes.auth import Problem

router = APIRouter(tags=["devices"])


class Device(BaseModel):
    device_id: str
    device_name: str
    user_id: str
    user_name: str
    last_login: str
    revoked: bool


class DeviceList(BaseModel):
    devices: list[Device]


class Revoked(BaseModel):
    device_id: str
    revoked: bool


@router.get("/api/v1/devices", response_model=DeviceList, responses={401: {"model": Problem}})
def list_devices(user: auth.CurrentUser, db: Db) -> DeviceList:
    """Supervisors and admins see every device of the property; others see their own."""
    only = None if user["role"] in auth.SUPERVISING_ROLES else user["id"]
    rows = accounts.devices_of_property(db, property_id=user["property_id"], user_id=only)
    return DeviceList(devices=[Device(**row) for row in rows])


@router.post(
    "/api/v1/devices/{device_id}/revoke",
    response_model=Revoked,
    responses={401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem}},
)
def revoke_device(device_id: str, user: auth.CurrentUser, db: Db, settings: AppSettings) -> Revoked:
    """Sign a lost or shared phone out: every token it holds stops working at once."""
    auth.require_supervising(user)
    with transaction(db):
        found = accounts.revoke_device(
            db, device_id=device_id, property_id=user["property_id"], revoked_at=settings.now()
        )
    if not found:
        raise NotFoundProblem("device.not_found", f"No device {device_id!r} has logged in to this property.")
    return Revoked(device_id=device_id, revoked=True)
