"""The change feed that phones pull: each entity's latest state stored once, and who sees it at which sequence.

``feed_data`` holds one row per entity (kind, id): its latest state as JSON text, encoded once.
``feed`` holds one small row per (scope, kind, entity): the sequence at which that scope last saw it
change, or a tombstone when the entity left the scope. A scope says who sees a change:
``property:<pid>`` (reference data for every user of the property), ``user:<uid>`` (one user's own
things), ``role:<pid>:<role>`` (for example every supervisor of the property). Publishing again
moves the entity to a new, higher sequence in the scopes it names, so a pull returns each entity
once, at its latest state, and history never grows the cost of a pull.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from sync_server.db import Database, dialect

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
    ),
    (
        "0002_feed_data_once",
        """
        CREATE TABLE feed_data (
            kind TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (kind, entity_id)
        ) WITHOUT ROWID;
        INSERT INTO feed_data (kind, entity_id, data)
            SELECT kind, entity_id, data FROM feed f WHERE deleted = 0 AND seq = (SELECT MAX(seq) FROM feed g
                WHERE g.kind = f.kind AND g.entity_id = f.entity_id AND g.deleted = 0);
        ALTER TABLE feed DROP COLUMN data;
        """,
    ),
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


class Entry(NamedTuple):
    """The latest state of one entity, the scopes that see it now and those it has left."""

    kind: str
    entity_id: str
    data: dict[str, Any] | None  # None: only withdrawn from ``gone``
    scopes: Sequence[str]
    gone: Sequence[str] = ()


def publish(
    db: Database,
    *,
    kind: str,
    entity_id: str,
    data: dict[str, Any] | None,
    scopes: Sequence[str] = (),
    gone: Sequence[str] = (),
) -> None:
    """Put the latest state of an entity into ``scopes`` and a tombstone into ``gone``.

    Call it inside the transaction that changed the entity, so the feed never runs ahead of the data.
    """
    publish_many(db, [Entry(kind, entity_id, data, scopes, gone)])


def publish_many(db: Database, entries: list[Entry]) -> None:
    """Publish many entities at once, each encoded and stored once whatever the number of its scopes."""
    states, rows = [], []
    for entry in entries:
        if entry.data is not None:
            states.append(
                (entry.kind, entry.entity_id, json.dumps(entry.data, ensure_ascii=False, separators=(",", ":")))
            )
        rows += [(scope, entry.kind, entry.entity_id, 0) for scope in entry.scopes]
        rows += [(scope, entry.kind, entry.entity_id, 1) for scope in entry.gone if scope not in entry.scopes]
    db.executemany(
        "INSERT INTO feed_data (kind, entity_id, data) VALUES (?, ?, ?)"
        " ON CONFLICT (kind, entity_id) DO UPDATE SET data = excluded.data",
        states,
    )
    db.executemany(dialect.FEED_PUBLISH[db.dialect], rows)  # each row at a fresh, higher seq


def visible_in(db: Database, *, scope: str, kind: str, entity_id: str) -> bool:
    """Whether the scope was last told of this entity as present (not withdrawn, and told at all)."""
    row = db.execute(
        "SELECT deleted FROM feed WHERE scope = ? AND kind = ? AND entity_id = ?", [scope, kind, entity_id]
    ).fetchone()
    return row is not None and not row[0]


def latest_seq(db: Database) -> int:
    """The highest sequence ever handed out, even when that row was replaced since."""
    row = db.execute(dialect.FEED_LATEST_SEQ[db.dialect]).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


class Change(NamedTuple):
    seq: int
    kind: str
    id: str
    data: str  # the entity's JSON text, as stored; ``{"id": ...}`` for a tombstone
    deleted: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "id": self.id,
            "data": json.loads(self.data),
            "deleted": self.deleted,
        }


def changes_since(db: Database, *, scopes: list[str], since: int, limit: int) -> tuple[list[Change], int, bool]:
    """Changes after ``since`` in any of ``scopes``, oldest first: (changes, cursor, has_more).

    The cursor is the last returned seq (or ``since`` when nothing is new). An entity visible
    through two scopes is returned once, at its later sequence.
    """
    if not scopes:
        return [], since, False
    # One index range per scope, each bounded by the limit: the cost follows the changes, not the history.
    parts = " UNION ALL ".join(
        "SELECT * FROM (SELECT seq, kind, entity_id, deleted FROM feed"
        f" WHERE scope = ? AND seq > ? ORDER BY seq LIMIT ?) s{n}"
        for n, _ in enumerate(scopes)
    )
    params: list[Any] = []
    for scope in scopes:
        params += [scope, since, limit + 1]
    rows = db.execute(
        f"SELECT u.seq, u.kind, u.entity_id, u.deleted, d.data FROM (SELECT * FROM ({parts}) a ORDER BY seq LIMIT ?) u"
        " LEFT JOIN feed_data d ON d.kind = u.kind AND d.entity_id = u.entity_id ORDER BY u.seq",
        [*params, limit + 1],
    ).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes: dict[tuple[str, str], Change] = {}
    for seq, kind, entity_id, deleted, data in rows:
        changes.pop((kind, entity_id), None)  # keep the later one, in order
        if deleted or data is None:
            data = json.dumps({"id": entity_id}, ensure_ascii=False)
        changes[(kind, entity_id)] = Change(seq, kind, entity_id, data, bool(deleted))
    cursor = rows[-1][0] if rows else since
    return list(changes.values()), cursor, has_more
