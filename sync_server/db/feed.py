"""The change feed that phones pull: one row per (scope, kind, entity), at its latest sequence.

A scope says who sees a change: ``property:<pid>`` (reference data for every user of the
property), ``user:<uid>`` (one user's own things), ``role:<pid>:<role>`` (for example every
supervisor of the property). Re-publishing an entity moves it to a new, higher sequence, so a pull
returns each entity once, at its latest state, and history never grows the cost of a pull.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import sqlite_utils

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_feed",
        """
        CREATE TABLE feed (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            kind TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            data TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            UNIQUE (scope, kind, entity_id)
        );
        CREATE INDEX feed_scope_seq ON feed (scope, seq);
        """,
    )
]


def property_scope(property_id: str) -> str:
    return f"property:{property_id}"


def user_scope(user_id: str) -> str:
    return f"user:{user_id}"


def role_scope(property_id: str, role: str) -> str:
    return f"role:{property_id}:{role}"


def scopes_for(user: dict[str, Any]) -> list[str]:
    """The three scopes a user pulls from."""
    return [
        property_scope(user["property_id"]),
        user_scope(user["id"]),
        role_scope(user["property_id"], str(user["role"])),
    ]


def publish(
    db: sqlite_utils.Database,
    *,
    scope: str,
    kind: str,
    entity_id: str,
    data: dict[str, Any],
    deleted: bool = False,
) -> int:
    """Put the latest state of an entity into a scope; return its new sequence.

    Call it inside the transaction that changed the entity, so the feed never runs ahead of the data.
    """
    # INSERT OR REPLACE deletes the older row of the same entity and takes a fresh AUTOINCREMENT seq.
    cursor = db.execute(
        "INSERT OR REPLACE INTO feed (scope, kind, entity_id, data, deleted) VALUES (?, ?, ?, ?, ?)",
        [scope, kind, entity_id, json.dumps(data, ensure_ascii=False, separators=(",", ":")), int(deleted)],
    )
    return int(cursor.lastrowid or 0)


class Entry(NamedTuple):
    """The latest state of one entity and the scopes that see it."""

    kind: str
    entity_id: str
    data: dict[str, Any]
    scopes: list[str]


def publish_many(db: sqlite_utils.Database, entries: list[Entry]) -> None:
    """Publish many entities at once, each encoded once whatever the number of its scopes."""
    rows = []
    for entry in entries:
        text = json.dumps(entry.data, ensure_ascii=False, separators=(",", ":"))
        rows += [(scope, entry.kind, entry.entity_id, text) for scope in entry.scopes]
    sql = "INSERT OR REPLACE INTO feed (scope, kind, entity_id, data, deleted) VALUES (?, ?, ?, ?, 0)"
    db.conn.executemany(sql, rows)


def latest_seq(db: sqlite_utils.Database) -> int:
    """The highest sequence ever handed out (AUTOINCREMENT keeps it even when that row was replaced)."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'feed'").fetchone()
    return int(row[0]) if row else 0


def changes_since(
    db: sqlite_utils.Database, *, scopes: list[str], since: int, limit: int
) -> tuple[list[dict[str, Any]], int, bool]:
    """Changes after ``since`` in any of ``scopes``, oldest first: (changes, cursor, has_more).

    Each change is ``{seq, kind, id, data, deleted}``. The cursor is the last returned seq (or
    ``since`` when nothing is new). An entity visible through two scopes is returned once.
    """
    if not scopes:
        return [], since, False
    # One index range per scope, each bounded by the limit: the cost follows the changes, not the history.
    parts = " UNION ALL ".join(
        "SELECT * FROM (SELECT seq, kind, entity_id, data, deleted FROM feed"
        " WHERE scope = ? AND seq > ? ORDER BY seq LIMIT ?)"
        for _ in scopes
    )
    params: list[Any] = []
    for scope in scopes:
        params += [scope, since, limit + 1]
    rows = db.execute(f"SELECT * FROM ({parts}) ORDER BY seq LIMIT ?", [*params, limit + 1]).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes: dict[tuple[str, str], dict[str, Any]] = {}
    for seq, kind, entity_id, data, deleted in rows:
        changes.pop((kind, entity_id), None)  # keep the later one, in order
        changes[(kind, entity_id)] = {
            "seq": seq,
            "kind": kind,
            "id": entity_id,
            "data": json.loads(data),
            "deleted": bool(deleted),
        }
    cursor = rows[-1][0] if rows else since
    return list(changes.values()), cursor, has_more
