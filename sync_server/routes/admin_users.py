"""Administration endpoints for people: users, their devices, and the audit log of every change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sync_server.admin import audit, users
from sync_server.db import transaction
from sync_server.deps import AppSettings, Db
from sync_server.routes.admin_models import (
    PROBLEMS,
    AuditEntry,
    CurrentActor,
    DeviceOut,
    PasswordReset,
    PasswordResetOut,
    UserIn,
    UserOut,
    UserPatch,
)

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=PROBLEMS)


@router.get("/users", response_model=list[UserOut])
def list_users(actor: CurrentActor, db: Db, property_id: str | None = None) -> list[dict[str, Any]]:
    """A supervisor gets their property's users; an administrator one property's, or everyone's."""
    return users.list_users(db, actor, property_id=property_id)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    with transaction(db):
        return users.create_user(
            db,
            settings,
            actor,
            username=body.username,
            name=body.name,
            role_name=body.role,
            property_id=body.property_id,
            password=body.password,
            user_id=body.id,
            must_change_password=body.must_change_password,
        )


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: str, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return users.get_user(db, actor, user_id=user_id)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(user_id: str, body: UserPatch, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    """A new role or property signs the user's phones out, so they log in again to what they now see."""
    with transaction(db):
        return users.update_user(
            db, settings, actor, user_id=user_id, name=body.name, role_name=body.role, property_id=body.property_id
        )


@router.post("/users/{user_id}/deactivate", response_model=UserOut)
def deactivate_user(user_id: str, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    """Their phones get 401 auth.user_deactivated on the next request; logging in is refused the same way."""
    with transaction(db):
        return users.deactivate_user(db, settings, actor, user_id=user_id)


@router.post("/users/{user_id}/reactivate", response_model=UserOut)
def reactivate_user(user_id: str, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    with transaction(db):
        return users.reactivate_user(db, settings, actor, user_id=user_id)


@router.post("/users/{user_id}/reset-password", response_model=PasswordResetOut)
def reset_password(
    user_id: str, body: PasswordReset, actor: CurrentActor, db: Db, settings: AppSettings
) -> dict[str, Any]:
    """Hand the temporary password over once: the user must choose a new one (POST /api/v1/auth/change-password)."""
    with transaction(db):
        user, temporary = users.reset_password(db, settings, actor, user_id=user_id, password=body.password)
    return {"user": user, "temporary_password": temporary}


@router.get("/users/{user_id}/devices", response_model=list[DeviceOut])
def list_devices(user_id: str, actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    return users.list_devices(db, actor, user_id=user_id)


@router.post("/users/{user_id}/devices/{device_id}/revoke", response_model=DeviceOut)
def revoke_device(user_id: str, device_id: str, actor: CurrentActor, db: Db, settings: AppSettings) -> dict[str, Any]:
    with transaction(db):
        users.revoke_device(db, settings, actor, user_id=user_id, device_id=device_id)
    return next(d for d in users.list_devices(db, actor, user_id=user_id) if d["device_id"] == device_id)


@router.get("/audit", response_model=list[AuditEntry])
def read_audit(
    actor: CurrentActor,
    db: Db,
    property_id: str | None = None,
    entity_id: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Newest first; page with ``before_id`` (the smallest id you have)."""
    return audit.read_audit(db, actor, property_id=property_id, entity_id=entity_id, before_id=before_id, limit=limit)
