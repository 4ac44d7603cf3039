"""Passwords, login with lockout, device tokens and the ``current_user`` dependency every router uses."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from shared.errors import AuthProblem, PermissionProblem, ValidationProblem
from shared.model import Role
from sync_server import login_guard
from sync_server.db import Database, accounts, transaction
from sync_server.deps import get_db, get_settings
from sync_server.hashing import HashPool
from sync_server.login_guard import Client, OneAtATime
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


async def login(
    db: Database,
    settings: Settings,
    guard: LoginGuard,
    *,
    username: str,
    password: str,
    client: Client,
    device_name: str,
) -> tuple[str, dict[str, Any]]:
    """Check the password and issue a device token; return (token, user)."""
    row = await _checked(db, settings, guard, username=username, password=password, client=client)
    if row["must_change_password"]:
        raise PermissionProblem(
            "auth.password_change_required",
            "Your password was reset: choose a new one before logging in.",
            {"username": username},
        )
    return await run_in_threadpool(_issue_token, db, settings, row, client.device_id, device_name)


def _issue_token(
    db: Database, settings: Settings, row: dict[str, Any], device_id: str, device_name: str
) -> tuple[str, dict[str, Any]]:
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


async def change_password(
    db: Database,
    settings: Settings,
    guard: LoginGuard,
    *,
    username: str,
    current_password: str,
    new_password: str,
    client: Client,
) -> None:
    """A user sets their own password (required after a reset); wrong current passwords count towards the lock."""
    row = await _checked(db, settings, guard, username=username, password=current_password, client=client)
    check_new_password(new_password)
    if new_password == current_password:
        raise ValidationProblem(
            "auth.password_unchanged", "Choose a new password that differs from the current one.", {"field": "password"}
        )
    new_hash = await guard.pool.run(hash_password, new_password, settings.argon2)
    await run_in_threadpool(_set_password, db, row["id"], new_hash)


def _set_password(db: Database, user_id: str, password_hash: str) -> None:
    with transaction(db):
        accounts.set_password(db, user_id=user_id, password_hash=password_hash)


@dataclass
class LoginGuard:
    """What one server process shares between logins: the hashing pool and the one-try-at-a-time locks."""

    pool: HashPool
    serial: OneAtATime = field(default_factory=OneAtATime)


async def _checked(
    db: Database, settings: Settings, guard: LoginGuard, *, username: str, password: str, client: Client
) -> dict[str, Any]:
    """The user row when the password is right and the account may log in; else the problem, counted."""
    async with (
        guard.serial.hold((username, client.address)),
        login_guard.across_workers(db, username=username, client=client),
    ):
        delay = await run_in_threadpool(login_guard.check, db, settings, username=username, client=client)
        if delay:
            await asyncio.sleep(delay)  # a coroutine waits, not a thread
        row = await run_in_threadpool(accounts.user_for_login, db, username=username)
        # an unknown name costs the same hash and counts towards the same locks as a real one
        stored_hash = row["password_hash"] if row else await guard.pool.run(_dummy_hash, settings.argon2)
        right = await guard.pool.run(verify_password, stored_hash, password, settings.argon2)
        if not right or row is None:
            await run_in_threadpool(login_guard.count_failure, db, settings, username=username, client=client)
            raise _invalid_credentials()
        await run_in_threadpool(_succeeded, db, username, client)
    if row["deactivated_at"]:
        raise _deactivated()
    return row


def _succeeded(db: Database, username: str, client: Client) -> None:
    with transaction(db):
        login_guard.clear(db, username=username, client=client)


def user_for_token(db: Database, settings: Settings, *, token: str | None) -> dict[str, Any]:
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
    db: Annotated[Database, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> dict[str, Any]:
    """FastAPI dependency: the logged-in user dict ``{id, username, name, role, property_id, device_id}``."""
    try:
        return user_for_token(db, settings, token=credentials.credentials if credentials else None)
    finally:
        db.release()  # the request may wait for its body and a thread: it holds no connection meanwhile


CurrentUser = Annotated[dict[str, Any], Depends(current_user)]


def require_supervising(user: dict[str, Any]) -> None:
    if user["role"] not in SUPERVISING_ROLES:
        raise PermissionProblem("auth.forbidden", "Only a supervisor or an administrator may do this.")
