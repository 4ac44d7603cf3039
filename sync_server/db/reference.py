"""Reference data of a property: the property, its places, patrol routes, checkpoints and permits."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from sync_server.db import Database

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_reference",
        """
        CREATE TABLE properties (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            tz TEXT NOT NULL
        );
        CREATE TABLE places (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL REFERENCES properties (id),
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            parent_id TEXT REFERENCES places (id)
        );
        CREATE INDEX places_property ON places (property_id);
        CREATE TABLE routes (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL REFERENCES properties (id),
            name TEXT NOT NULL,
            assigned_to TEXT REFERENCES users (id)
        );
        CREATE TABLE checkpoints (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL REFERENCES properties (id),
            route_id TEXT NOT NULL REFERENCES routes (id),
            place_id TEXT NOT NULL REFERENCES places (id),
            name TEXT NOT NULL,
            scan_code TEXT NOT NULL,
            position INTEGER NOT NULL
        );
        CREATE INDEX checkpoints_route ON checkpoints (route_id, position);
        CREATE TABLE permits (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL REFERENCES properties (id),
            unit_id TEXT NOT NULL REFERENCES places (id),
            contractor TEXT NOT NULL,
            starts_on TEXT NOT NULL,
            ends_on TEXT NOT NULL,
            passes_registered INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX permits_property ON permits (property_id, status);
        """,
    )
]

# The tables a record body may point into, by the kind the feed uses for them.
TABLES = {
    "property": "properties",
    "place": "places",
    "route": "routes",
    "checkpoint": "checkpoints",
    "permit": "permits",
}


def save(db: Database, *, kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """Insert or update one reference row by id; return the row as stored (the feed's data)."""
    table = TABLES[kind]
    columns = list(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    db.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        f" ON CONFLICT (id) DO UPDATE SET {updates}",
        [json.dumps(v) if isinstance(v, dict | list) else v for v in row.values()],
    )
    return row


def belongs_to(db: Database, *, kind: str, id: str, property_id: str) -> bool:
    """Whether a place, route, checkpoint or permit with this id exists in this property."""
    table = TABLES[kind]
    column = "id" if kind == "property" else "property_id"
    value = id if kind == "property" else property_id
    row = db.execute(f"SELECT 1 FROM {table} WHERE id = ? AND {column} = ?", [id, value]).fetchone()
    return row is not None


def get_property(db: Database, *, property_id: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM properties WHERE id = ?", [property_id]))
    return rows[0] if rows else None


def property_tz(db: Database, *, property_id: str, default: ZoneInfo) -> ZoneInfo:
    """The property's own time zone: its "today", check slots, deadlines and findings are on its clock."""
    row = db.execute("SELECT tz FROM properties WHERE id = ?", [property_id]).fetchone()
    try:
        return ZoneInfo(row[0]) if row else default
    except (KeyError, ValueError):
        return default


def permits_between(db: Database, *, property_id: str, day_from: str, day_to: str) -> list[dict[str, Any]]:
    """Permits whose dates touch the days ``day_from``..``day_to``, ended ones too (``shared.rules.
    permit_checks_due_on`` says which of their days are due checks)."""
    return list(
        db.query(
            "SELECT id, unit_id, starts_on, ends_on, status, ended_on FROM permits"
            " WHERE property_id = ? AND starts_on <= ? AND ends_on >= ? ORDER BY id",
            [property_id, day_to, day_from],
        )
    )


# Archived places, routes and checkpoints stay in their tables (records point at them) but are no longer walked.
ARCHIVABLE = frozenset({"place", "route", "checkpoint"})


def all_of(db: Database, *, kind: str, property_id: str, include_archived: bool = False) -> list[dict[str, Any]]:
    table = TABLES[kind]
    column = "id" if kind == "property" else "property_id"
    live = "" if include_archived or kind not in ARCHIVABLE else " AND archived_at IS NULL"
    return list(db.query(f"SELECT * FROM {table} WHERE {column} = ?{live} ORDER BY id", [property_id]))


def get(db: Database, *, kind: str, id: str) -> dict[str, Any] | None:
    rows = list(db.query(f"SELECT * FROM {TABLES[kind]} WHERE id = ?", [id]))
    return rows[0] if rows else None
