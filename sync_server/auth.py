"""Passwords, login with lockout, device tokens and the ``current_user`` dependency every router uses."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime
from functools import cache
from typing import Annotated, Any

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import AuthProblem, LimitProblem, PermissionProblem, ValidationProblem
from shared.model import Role
from sync_server.db import accounts, transaction
from sync_server.deps import get_db, get_settings
from sync_server.settings import Argon2Params, Settings

SUPERVISING_ROLES = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})
_bearer = HTTPBearer(auto_error=False, description="The token from /api/v1/auth/login")


@cache
def hasher(params: Argon2Params) -> PasswordHasher:
    return PasswordHasher(time_cost=params.time_cost, memory_cost=params.memory_cost, parallelism=params.parallelism)


@cache
def _dummy_hash(params: Argon2Params) -> str:
    return hasher(params).hash(secrets.token_hex(8))


def hash_password(password: str, params: Argon2Params) -> str:
    return hasher(params).hash(password)


def verify_password(stored_hash: str, password: str, params: Argon2Params) -> bool:
    try:
        return hasher(params).verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invalid_credentials() -> AuthProblem:
    return AuthProblem("auth.invalid_credentials", "Wrong username or password. Check both and try again.")


MIN_PASSWORD_LENGTH = 10


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationProblem(
            "auth.password_too_short",
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters; a short sentence is easy to remember.",
            {"field": "password", "min_length": MIN_PASSWORD_LENGTH},
        )


def _deactivated() -> AuthProblem:
    return AuthProblem(
        "auth.user_deactivated", "This account was deactivated by an administrator. Ask your supervisor."
    )


def login(
    db: sqlite_utils.Database, settings: Settings, *, username: str, password: str, device_id: str, device_name: str
) -> tuple[str, dict[str, Any]]:
    """Check the password and issue a device token; return (token, user)."""
    row = _checked(db, settings, username=username, password=password)
    if row["must_change_password"]:
        raise PermissionProblem(
            "auth.password_change_required",
            "Your password was reset: choose a new one before logging in.",
            {"username": username},
        )
    now = settings.now()
    token = secrets.token_urlsafe(32)
    with transaction(db):
        accounts.insert_token(
            db,
            token_hash=token_hash(token),
            user_id=row["id"],
            device_id=device_id,
            device_name=device_name,
            created_at=now,
            expires_at=now + settings.token_ttl,
        )
    return token, accounts.public_user(row)


def change_password(
    db: sqlite_utils.Database, settings: Settings, *, username: str, current_password: str, new_password: str
) -> None:
    """A user sets their own password (required after a reset); wrong current passwords count towards the lock."""
    row = _checked(db, settings, username=username, password=current_password)
    check_new_password(new_password)
    if new_password == current_password:
        raise ValidationProblem(
            "auth.password_unchanged", "Choose a new password that differs from the current one.", {"field": "password"}
        )
    with transaction(db):
        accounts.set_password(db, user_id=row["id"], password_hash=hash_password(new_password, settings.argon2))


def _checked(db: sqlite_utils.Database, settings: Settings, *, username: str, password: str) -> dict[str, Any]:
    """The user row when the password is right and the account may log in; else the problem, counted."""
    now = settings.now()
    failures = accounts.login_failures(db, username=username)
    if failures["locked_until"] and now < datetime.fromisoformat(failures["locked_until"]):
        raise _locked(datetime.fromisoformat(failures["locked_until"]), now)
    row = accounts.user_for_login(db, username=username)
    # an unknown name costs the same hash and counts towards the same lock as a real one
    stored_hash = row["password_hash"] if row else _dummy_hash(settings.argon2)
    if not verify_password(stored_hash, password, settings.argon2) or row is None:
        failed, locks, locked_until = failures["failed_logins"] + 1, failures["locks"], None
        if failed % settings.lockout_threshold == 0:
            locks += 1
            locked_until = now + min(settings.lockout_base * 2 ** (locks - 1), settings.lockout_max)
        accounts.record_login_failure(
            db, username=username, failed_logins=failed, locks=locks, locked_until=locked_until
        )
        if locked_until is not None:
            raise _locked(locked_until, now)
        raise _invalid_credentials()
    accounts.record_login_success(db, username=username)
    if row["deactivated_at"]:
        raise _deactivated()
    return row


def _locked(until: datetime, now: datetime) -> LimitProblem:
    retry_after = max(1, math.ceil((until - now).total_seconds()))
    return LimitProblem(
        "auth.locked",
        f"Too many wrong passwords: this account is locked. Try again in {retry_after} seconds"
        " or ask a supervisor to help.",
        {"retry_after": retry_after},
    )


def user_for_token(db: sqlite_utils.Database, settings: Settings, *, token: str | None) -> dict[str, Any]:
    """The user (with ``device_id``) a bearer token belongs to, or AuthProblem saying why not."""
    if not token:
        raise AuthProblem("auth.missing_token", "Log in first: this request needs a token (Authorization: Bearer).")
    row = accounts.token_with_user(db, token_hash=token_hash(token))
    if row is None:
        raise AuthProblem("auth.invalid_token", "This token is not known to the server. Log in again.")
    if row["deactivated_at"]:  # before "revoked": the phone should say the account, not the device, was stopped
        raise _deactivated()
    if row["revoked_at"]:
        raise AuthProblem("auth.token_revoked", "This device was signed out by a supervisor. Log in again.")
    if settings.now() >= datetime.fromisoformat(row["expires_at"]):
        raise AuthProblem("auth.token_expired", "Your login has expired. Log in again.")
    user = accounts.public_user(row)
    user["device_id"] = row["device_id"]
    return user


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    db: Annotated[sqlite_utils.Database, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> dict[str, Any]:
    """FastAPI dependency: the logged-in user dict ``{id, username, name, role, property_id, device_id}``."""
    return user_for_token(db, settings, token=credentials.credentials if credentials else None)


CurrentUser = Annotated[dict[str, Any], Depends(current_user)]


def require_supervising(user: dict[str, Any]) -> None:
    if user["role"] not in SUPERVISING_ROLES:
        raise PermissionProblem("auth.forbidden", "Only a supervisor or an administrator may do this.")
