"""Users, their login failures and their device tokens (stored only as SHA-256 hashes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sync_server.db import Database

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_accounts",
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            property_id TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        -- keyed by the name typed, not the user: unknown names lock the same way,
        -- so failures never reveal which usernames exist
        CREATE TABLE login_failures (
            username TEXT PRIMARY KEY,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locks INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT
        );
        CREATE INDEX users_property ON users (property_id);
        CREATE TABLE tokens (
            token_hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users (id),
            device_id TEXT NOT NULL,
            device_name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX tokens_device ON tokens (device_id);
        CREATE INDEX tokens_user ON tokens (user_id);
        """,
    ),
    (
        "0002_login_throttle",
        """
        DROP TABLE login_failures;
        -- failed logins per (kind, account typed, client): 'device' and 'address' lock one client out of one
        -- account, 'spray' (username '') locks an address out of every account, 'account' (client '') only
        -- slows every try at the account down: an attacker's tries never lock the owner's own phone
        CREATE TABLE login_throttle (
            kind TEXT NOT NULL,
            username TEXT NOT NULL,
            client TEXT NOT NULL,
            failures INTEGER NOT NULL,
            locks INTEGER NOT NULL,
            locked_until TEXT,
            last_failure_at TEXT NOT NULL,
            PRIMARY KEY (kind, username, client)
        );
        """,
    ),
]

USER_FIELDS = "id, username, name, role, property_id"


def public_user(row: dict[str, Any]) -> dict[str, Any]:
    """The user dict passed around the server: id, username, name, role, property_id."""
    return {k: row[k] for k in ("id", "username", "name", "role", "property_id")}


def insert_user(
    db: Database,
    *,
    id: str,
    username: str,
    name: str,
    role: str,
    property_id: str,
    password_hash: str,
    created_at: datetime,
) -> bool:
    """Add a user unless the id or username exists; return whether it was added."""
    cursor = db.execute(
        "INSERT INTO users (id, username, name, role, property_id, password_hash, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [id, username, name, role, property_id, password_hash, created_at.isoformat()],
    )
    return cursor.rowcount == 1


def user_for_login(db: Database, *, username: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    return rows[0] if rows else None


def get_user(db: Database, *, user_id: str) -> dict[str, Any] | None:
    rows = list(db.query(f"SELECT {USER_FIELDS} FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def users_of_property(db: Database, *, property_id: str) -> list[dict[str, Any]]:
    return list(db.query(f"SELECT {USER_FIELDS} FROM users WHERE property_id = ? ORDER BY username", [property_id]))


def set_password(db: Database, *, user_id: str, password_hash: str) -> None:
    """The user's own new password: the reset's "change at next login" is satisfied."""
    db.execute("UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?", [password_hash, user_id])


ThrottleKey = tuple[str, str, str]  # (kind, username, client)


def throttle_rows(db: Database, keys: list[ThrottleKey]) -> dict[ThrottleKey, dict[str, Any]]:
    found = {}
    for kind, username, client in keys:
        rows = list(
            db.query(
                "SELECT * FROM login_throttle WHERE kind = ? AND username = ? AND client = ?", [kind, username, client]
            )
        )
        if rows:
            found[(kind, username, client)] = rows[0]
    return found


def count_failure(
    db: Database,
    key: ThrottleKey,
    *,
    now: datetime,
    threshold: int,
    lock_for: Callable[[int], timedelta],
    window: timedelta,
) -> datetime | None:
    """Count one failed login under ``key``; lock it when the count reaches the next multiple of ``threshold``
    (0: never). Returns the new lock's end. Call inside a write transaction: the read and the write are one step."""
    row = throttle_rows(db, [key]).get(key)
    failures, locks, locked_until = (row["failures"], row["locks"], row["locked_until"]) if row else (0, 0, None)
    locked = locked_until is not None and now < datetime.fromisoformat(locked_until)
    if row and not locked and now - datetime.fromisoformat(row["last_failure_at"]) > window:
        failures, locks = 0, 0  # a quiet spell: start again
    failures += 1
    new_lock = None
    if threshold and not locked and failures >= threshold * (locks + 1):  # tries already under way still count
        locks += 1
        new_lock = now + lock_for(locks)
        locked_until = new_lock.isoformat()
    db.execute(
        "INSERT INTO login_throttle (kind, username, client, failures, locks, locked_until, last_failure_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, username, client) DO UPDATE SET"
        " failures = excluded.failures, locks = excluded.locks, locked_until = excluded.locked_until,"
        " last_failure_at = excluded.last_failure_at",
        [*key, failures, locks, locked_until, now.isoformat()],
    )
    return new_lock


def clear_failures(db: Database, keys: list[ThrottleKey]) -> None:
    db.executemany("DELETE FROM login_throttle WHERE kind = ? AND username = ? AND client = ?", keys)


def record_login_success(db: Database, *, username: str) -> None:
    """Lift every lock and count on the account, from every client (an administrator's password reset)."""
    db.execute("DELETE FROM login_throttle WHERE username = ?", [username])


def device_known(db: Database, *, username: str, device_id: str) -> bool:
    """Whether this device has logged in to this account before: the owner's phone, not a stranger's."""
    row = db.execute(
        "SELECT 1 FROM tokens t JOIN users u ON u.id = t.user_id"
        " WHERE u.username = ? AND t.device_id = ? AND t.revoked_at IS NULL LIMIT 1",
        [username, device_id],
    ).fetchone()
    return row is not None


def insert_token(
    db: Database,
    *,
    token_hash: str,
    user_id: str,
    device_id: str,
    device_name: str,
    created_at: datetime,
    expires_at: datetime,
) -> None:
    db.execute(
        "INSERT INTO tokens (token_hash, user_id, device_id, device_name, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [token_hash, user_id, device_id, device_name, created_at.isoformat(), expires_at.isoformat()],
    )


def token_with_user(db: Database, *, token_hash: str) -> dict[str, Any] | None:
    rows = list(
        db.query(
            "SELECT t.device_id, t.device_name, t.expires_at, t.revoked_at,"
            " u.id, u.username, u.name, u.role, u.property_id, u.deactivated_at"
            " FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
            [token_hash],
        )
    )
    return rows[0] if rows else None


def devices_of_property(db: Database, *, property_id: str, user_id: str | None = None) -> list[dict[str, Any]]:
    """Devices that logged in for users of the property (one row per device and user)."""
    sql = (
        "SELECT t.device_id, MAX(t.device_name) AS device_name, u.id AS user_id, u.name AS user_name,"
        " MAX(t.created_at) AS last_login, MIN(CASE WHEN t.revoked_at IS NULL THEN 1 ELSE 0 END) = 0 AS revoked"
        " FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.property_id = ?"
    )
    params: list[Any] = [property_id]
    if user_id is not None:
        sql += " AND u.id = ?"
        params.append(user_id)
    sql += " GROUP BY t.device_id, u.id ORDER BY last_login DESC"
    rows = list(db.query(sql, params))
    for row in rows:
        row["revoked"] = bool(row["revoked"])
    return rows


def revoke_device(db: Database, *, device_id: str, property_id: str, revoked_at: datetime) -> int:
    """Revoke every live token of a device used by the property's users; return how many tokens exist."""
    found = db.execute(
        "SELECT COUNT(*) FROM tokens WHERE device_id = ? AND user_id IN (SELECT id FROM users WHERE property_id = ?)",
        [device_id, property_id],
    ).fetchone()[0]
    db.execute(
        "UPDATE tokens SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL"
        " AND user_id IN (SELECT id FROM users WHERE property_id = ?)",
        [revoked_at.isoformat(), device_id, property_id],
    )
    return int(found)
