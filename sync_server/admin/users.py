"""Users: create, change role or property, deactivate and reactivate, reset a password, their devices."""

from __future__ import annotations

import secrets
from typing import Any

from shared.errors import ConflictProblem, NotFoundProblem, PermissionProblem, ValidationProblem
from shared.model import Role
from sync_server import auth
from sync_server.admin.common import Actor, audit, authorize, must_exist, new_id, require_admin_role, role, text, writes
from sync_server.db import Database, accounts, feed
from sync_server.db import admin as admin_db
from sync_server.settings import Settings

ADMIN = Role.ADMIN.value


def publish_user(db: Database, *, user: dict[str, Any], deleted: bool = False) -> None:
    """Phones of the user's property learn their name, role and whether they are still active."""
    if not user["property_id"]:
        return  # a server-wide administrator belongs to no property's phones
    data = {"id": user["id"], "name": user["name"], "role": user["role"], "active": not user.get("deactivated_at")}
    scope = [feed.property_scope(user["property_id"])]
    if deleted:
        feed.publish(db, kind="user", entity_id=user["id"], data=data, gone=scope)
    else:
        feed.publish(db, kind="user", entity_id=user["id"], data=data, scopes=scope)


def get_user(db: Database, actor: Actor, *, user_id: str) -> dict[str, Any]:
    """A user the actor may see: any for an administrator, their property's for a supervisor."""
    require_admin_role(actor)
    user = admin_db.user_row(db, user_id=user_id)
    if not user or (not actor.is_admin and user["property_id"] != actor.property_id):
        raise NotFoundProblem("admin.not_found", f"There is no user {user_id!r}. Check the id.", {"kind": "user"})
    return user


def list_users(db: Database, actor: Actor, *, property_id: str | None) -> list[dict[str, Any]]:
    """The property's users; an administrator may ask for every user (``property_id`` None)."""
    if property_id is None and not actor.is_admin:
        property_id = actor.property_id
    if property_id is not None:
        must_exist(db, actor, kind="property", id=property_id)
    return admin_db.users(db, property_id=property_id)


def _property_for(db: Database, actor: Actor, *, property_id: str | None, role_: str) -> str:
    """The property a user will belong to; only an administrator may be without one (server-wide)."""
    if not property_id:
        if role_ != ADMIN:
            raise ValidationProblem(
                "admin.property_required",
                f"property_id: a {role_} belongs to a property; give its id.",
                {"field": "property_id"},
            )
        if not actor.is_admin:
            raise PermissionProblem(
                "admin.role_not_allowed", "Only an administrator may make a server-wide administrator."
            )
        return ""
    must_exist(db, actor, kind="property", id=property_id)
    authorize(actor, property_id)
    return property_id


def _may_grant(actor: Actor, role_: str) -> None:
    if role_ == ADMIN and not actor.is_admin:
        raise PermissionProblem("admin.role_not_allowed", "Only an administrator may give the administrator role.")


def _may_touch(actor: Actor, user: dict[str, Any]) -> None:
    if user["role"] == ADMIN and not actor.is_admin:
        raise PermissionProblem("admin.role_not_allowed", "Only an administrator may change an administrator.")
    if user["property_id"]:
        authorize(actor, user["property_id"])
    elif not actor.is_admin:
        raise PermissionProblem("admin.role_not_allowed", "Only an administrator may change a server-wide user.")


@writes
def create_user(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    username: str,
    name: str,
    role_name: str,
    property_id: str | None,
    password: str,
    user_id: str | None = None,
    must_change_password: bool = False,
    enforce_password_rule: bool = True,
) -> dict[str, Any]:
    """A user who can log in at once. ``enforce_password_rule=False`` is for the demo's short shared password."""
    require_admin_role(actor)
    checked_role = role(role_name)
    _may_grant(actor, checked_role)
    pid = _property_for(db, actor, property_id=property_id, role_=checked_role)
    login_name = text(username, "username", limit=100) or ""
    if any(c.isspace() for c in login_name):
        raise ValidationProblem(
            "admin.invalid_username", "username: use no spaces in a username.", {"field": "username"}
        )
    if enforce_password_rule:
        auth.check_new_password(password)
    new = new_id(settings, "user", user_id)
    added = accounts.insert_user(
        db,
        id=new,
        username=login_name,
        name=text(name, "name") or "",
        role=checked_role,
        property_id=pid,
        password_hash=auth.hash_password(password, settings.argon2),
        created_at=settings.now(),
    )
    if not added:
        raise ConflictProblem(
            "admin.username_taken", f"username: {login_name!r} is taken already; choose another.", {"field": "username"}
        )
    if must_change_password:
        admin_db.update_user(db, user_id=new, must_change_password=1)
    user = admin_db.user_row(db, user_id=new)
    publish_user(db, user=user)
    audit(
        db, settings, actor, action="user.create", kind="user", entity_id=new, property_id=pid, before=None, after=user
    )
    return user


@writes
def update_user(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    user_id: str,
    name: str | None = None,
    role_name: str | None = None,
    property_id: str | None = None,
) -> dict[str, Any]:
    """Rename, change the role or move to another property. A new role or property signs the user's phones out,
    so the next login pulls what the new role and property see."""
    before = get_user(db, actor, user_id=user_id)
    _may_touch(actor, before)
    columns: dict[str, Any] = {}
    if name is not None:
        columns["name"] = text(name, "name")
    new_role = before["role"] if role_name is None else role(role_name)
    _may_grant(actor, new_role)
    new_pid = before["property_id"] if property_id is None else property_id
    if new_role != before["role"] or new_pid != before["property_id"]:
        if user_id == actor.id:
            raise PermissionProblem("admin.self", "You cannot change your own role or property; ask another admin.")
        columns["property_id"] = _property_for(db, actor, property_id=new_pid, role_=new_role)
        columns["role"] = new_role
        admin_db.revoke_user_tokens(db, user_id=user_id, revoked_at=settings.now())
    columns = {k: v for k, v in columns.items() if before.get(k) != v}
    if not columns:
        return before
    admin_db.update_user(db, user_id=user_id, **columns)
    after = admin_db.user_row(db, user_id=user_id)
    if after["property_id"] != before["property_id"]:
        publish_user(db, user=before, deleted=True)  # the old property's phones drop them
    publish_user(db, user=after)
    audit(
        db,
        settings,
        actor,
        action="user.update",
        kind="user",
        entity_id=user_id,
        property_id=after["property_id"],
        before=before,
        after=after,
    )
    return after


@writes
def deactivate_user(db: Database, settings: Settings, actor: Actor, *, user_id: str) -> dict[str, Any]:
    """The user's tokens stop at once and they cannot log in; their records and history stay."""
    before = get_user(db, actor, user_id=user_id)
    _may_touch(actor, before)
    if user_id == actor.id:
        raise PermissionProblem("admin.self", "You cannot deactivate yourself; ask another administrator.")
    if before["deactivated_at"]:
        return before
    admin_db.update_user(db, user_id=user_id, deactivated_at=settings.now().isoformat())
    admin_db.revoke_user_tokens(db, user_id=user_id, revoked_at=settings.now())
    return _changed(db, settings, actor, "user.deactivate", before)


@writes
def reactivate_user(db: Database, settings: Settings, actor: Actor, *, user_id: str) -> dict[str, Any]:
    before = get_user(db, actor, user_id=user_id)
    _may_touch(actor, before)
    if not before["deactivated_at"]:
        return before
    admin_db.update_user(db, user_id=user_id, deactivated_at=None)
    return _changed(db, settings, actor, "user.reactivate", before)


@writes
def reset_password(
    db: Database, settings: Settings, actor: Actor, *, user_id: str, password: str | None = None
) -> tuple[dict[str, Any], str]:
    """Give a temporary password (made up when none is given); the user must change it at the next login.

    Returns (user, the temporary password) so it can be handed over once; it is stored only as a hash.
    """
    before = get_user(db, actor, user_id=user_id)
    _may_touch(actor, before)
    temporary = password if password is not None else secrets.token_urlsafe(9)
    auth.check_new_password(temporary)
    admin_db.update_user(
        db, user_id=user_id, password_hash=auth.hash_password(temporary, settings.argon2), must_change_password=1
    )
    admin_db.revoke_user_tokens(db, user_id=user_id, revoked_at=settings.now())
    accounts.record_login_success(db, username=before["username"])  # a reset also lifts a lockout
    return _changed(db, settings, actor, "user.reset_password", before), temporary


def _changed(db: Database, settings: Settings, actor: Actor, action: str, before: dict[str, Any]) -> dict[str, Any]:
    after = admin_db.user_row(db, user_id=before["id"])
    publish_user(db, user=after)
    audit(
        db,
        settings,
        actor,
        action=action,
        kind="user",
        entity_id=before["id"],
        property_id=after["property_id"],
        before=before,
        after=after,
    )
    return after


def list_devices(db: Database, actor: Actor, *, user_id: str) -> list[dict[str, Any]]:
    user = get_user(db, actor, user_id=user_id)
    return accounts.devices_of_property(db, property_id=user["property_id"], user_id=user_id)


@writes
def revoke_device(db: Database, settings: Settings, actor: Actor, *, user_id: str, device_id: str) -> dict[str, Any]:
    """Sign one phone of the user out; the user may still log in elsewhere (deactivate to stop them)."""
    user = get_user(db, actor, user_id=user_id)
    _may_touch(actor, user)
    found = admin_db.revoke_user_device(db, user_id=user_id, device_id=device_id, revoked_at=settings.now())
    if not found:
        raise NotFoundProblem(
            "admin.device_not_found", f"{user['name']} never logged in on a device {device_id!r}.", {"kind": "device"}
        )
    audit(
        db,
        settings,
        actor,
        action="user.revoke_device",
        kind="user",
        entity_id=user_id,
        property_id=user["property_id"],
        before=None,
        after={"device_id": device_id},
    )
    return {"device_id": device_id, "user_id": user_id, "revoked": True}
