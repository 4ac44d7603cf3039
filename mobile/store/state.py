"""Sync and login state kept on the phone: device id, device_seq counter, server, token, cursor, outcomes."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlite_utils import Database

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_sync_state",
        """
        CREATE TABLE sync_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL  -- JSON
        );
        """,
    ),
]

# Keys of sync_state; values are JSON.
DEVICE_ID = "device_id"
NEXT_DEVICE_SEQ = "next_device_seq"
SERVER_URL = "server_url"
TOKEN = "token"
USER = "user"
CURSOR = "cursor"
LAST_SUCCESS = "last_success"  # server_time of the last complete sync, as the server said it
LAST_ERROR = "last_error"  # {code, message} of the last failed sync, None after a success
LOGIN_REQUIRED = "login_required"  # the server refused the token: the user must log in again
CLOCK_OFFSET = "clock_offset"  # seconds to add to this phone's wall clock to get the server's (mobile.server_clock)


def get(db: Database, *, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return default if row is None else json.loads(row[0])


def put(db: Database, *, key: str, value: Any) -> None:
    db.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, json.dumps(value)],
    )


def ensure_device_id(db: Database) -> str:
    """The phone's id, made once and kept for the life of the store."""
    device_id = get(db, key=DEVICE_ID)
    if device_id is None:
        device_id = str(uuid.uuid4())
        put(db, key=DEVICE_ID, value=device_id)
    return str(device_id)


def allocate_device_seq(db: Database) -> int:
    """The next device_seq; call inside the transaction that saves the record so no number is reused."""
    db.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING",
        [NEXT_DEVICE_SEQ],
    )
    (seq,) = db.execute(
        "UPDATE sync_state SET value = CAST(value AS INTEGER) + 1 WHERE key = ? RETURNING CAST(value AS INTEGER) - 1",
        [NEXT_DEVICE_SEQ],
    ).fetchone()
    return int(seq)
