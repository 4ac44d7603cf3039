"""Administration: the columns setup adds to reference data and users, the audit log, and their queries."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sync_server.db import Database, reference

# The service center's hours in the seeds (000 §Third(2)): Mon-Fri 8:30-18:00, Sat-Sun 9:00-17:00.
SEED_HOURS = json.dumps(
    {
        **{d: ["08:30", "18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "sat": ["09:00", "17:00"],
        "sun": ["09:00", "17:00"],
    },
    separators=(",", ":"),
)

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_admin",
        f"""
        ALTER TABLE properties ADD COLUMN working_hours TEXT NOT NULL DEFAULT '{SEED_HOURS}';
        ALTER TABLE places ADD COLUMN owner_name TEXT;
        ALTER TABLE places ADD COLUMN owner_contact TEXT;
        ALTER TABLE places ADD COLUMN archived_at TEXT;
        ALTER TABLE routes ADD COLUMN weekdays TEXT NOT NULL DEFAULT 'mon,tue,wed,thu,fri,sat,sun';
        ALTER TABLE routes ADD COLUMN archived_at TEXT;
        ALTER TABLE checkpoints ADD COLUMN archived_at TEXT;
        ALTER TABLE permits ADD COLUMN workers TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE permits ADD COLUMN applied_on TEXT;
        ALTER TABLE permits ADD COLUMN approved_on TEXT;
        ALTER TABLE permits ADD COLUMN approval_late INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE permits ADD COLUMN ended_on TEXT;
        ALTER TABLE permits ADD COLUMN passes_returned INTEGER;
        ALTER TABLE permits ADD COLUMN fees_settled INTEGER;
        ALTER TABLE users ADD COLUMN deactivated_at TEXT;
        ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            actor_name TEXT NOT NULL,
            property_id TEXT NOT NULL,
            action TEXT NOT NULL,
            entity_kind TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_log_property ON audit_log (property_id, id);
        CREATE INDEX audit_log_entity ON audit_log (entity_kind, entity_id);
        """,
    )
]

# Columns holding JSON text; decoded when a row is read so callers and the feed see lists and mappings.
JSON_COLUMNS = ("working_hours", "workers", "extra")
FLAG_COLUMNS = ("approval_late", "fees_settled")


def decode(row: dict[str, Any]) -> dict[str, Any]:
    """A stored reference row as callers and phones see it: JSON columns parsed, flags as booleans."""
    out = dict(row)
    for column in JSON_COLUMNS:
        if isinstance(out.get(column), str):
            out[column] = json.loads(out[column])
    for column in FLAG_COLUMNS:
        if column in out and out[column] is not None:
            out[column] = bool(out[column])
    if isinstance(out.get("weekdays"), str):
        out["weekdays"] = [d for d in out["weekdays"].split(",") if d]
    return out


def encode(row: dict[str, Any]) -> dict[str, Any]:
    """The inverse of ``decode`` for writing."""
    out = dict(row)
    if isinstance(out.get("weekdays"), list):
        out["weekdays"] = ",".join(out["weekdays"])
    for column in FLAG_COLUMNS:
        if isinstance(out.get(column), bool):
            out[column] = int(out[column])
    return out


def update_reference(db: Database, *, kind: str, id: str, columns: dict[str, Any]) -> None:
    """Change some columns of one place, route, checkpoint, permit or property."""
    if not columns:
        return
    values = encode(columns)
    sets = ", ".join(f"{c} = ?" for c in values)
    params = [json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for v in values.values()]
    db.execute(f"UPDATE {reference.TABLES[kind]} SET {sets} WHERE id = ?", [*params, id])


def properties(db: Database, *, only: str | None = None) -> list[dict[str, Any]]:
    sql, params = "SELECT * FROM properties", []
    if only is not None:
        sql, params = sql + " WHERE id = ?", [only]
    return [decode(r) for r in db.query(sql + " ORDER BY id", params)]


def rows_of(
    db: Database, *, table: str, property_id: str, include_archived: bool = False, where: str = ""
) -> list[dict[str, Any]]:
    sql = f"SELECT * FROM {table} WHERE property_id = ?"
    if not include_archived and table in ("places", "routes", "checkpoints"):
        sql += " AND archived_at IS NULL"
    sql += f" {where} ORDER BY " + ("route_id, position, id" if table == "checkpoints" else "id")
    return [decode(r) for r in db.query(sql, [property_id])]


def place_uses(db: Database, *, place_id: str) -> dict[str, list[str]]:
    """What still points at a place and keeps it from being archived: live children, checkpoints, permits."""
    children = db.execute("SELECT id FROM places WHERE parent_id = ? AND archived_at IS NULL", [place_id]).fetchall()
    checkpoints = db.execute(
        "SELECT c.id FROM checkpoints c JOIN routes r ON r.id = c.route_id"
        " WHERE c.place_id = ? AND c.archived_at IS NULL AND r.archived_at IS NULL",
        [place_id],
    ).fetchall()
    permits = db.execute("SELECT id FROM permits WHERE unit_id = ? AND status = 'active'", [place_id]).fetchall()
    found = {"places": children, "checkpoints": checkpoints, "permits": permits}
    return {kind: [r[0] for r in rows] for kind, rows in found.items() if rows}


def code_in_use(db: Database, *, property_id: str, scan_code: str, except_id: str | None) -> str | None:
    """The live checkpoint of the property already printed with this code (compared ignoring case), if any."""
    row = db.execute(
        "SELECT c.id FROM checkpoints c JOIN routes r ON r.id = c.route_id WHERE c.property_id = ?"
        " AND lower(c.scan_code) = lower(?) AND c.archived_at IS NULL AND r.archived_at IS NULL AND c.id != ?",
        [property_id, scan_code.strip(), except_id or ""],
    ).fetchone()
    return row[0] if row else None


def next_position(db: Database, *, route_id: str) -> int:
    row = db.execute(
        "SELECT COALESCE(MAX(position), 0) FROM checkpoints WHERE route_id = ? AND archived_at IS NULL", [route_id]
    ).fetchone()
    return int(row[0]) + 1


# ---- users -------------------------------------------------------------------------------------

USER_COLUMNS = "id, username, name, role, property_id, created_at, deactivated_at, must_change_password"


def user_row(db: Database, *, user_id: str | None = None, username: str | None = None) -> dict[str, Any]:
    column, value = ("id", user_id) if user_id is not None else ("username", username)
    rows = list(db.query(f"SELECT {USER_COLUMNS} FROM users WHERE {column} = ?", [value]))
    return _user(rows[0]) if rows else {}


def users(db: Database, *, property_id: str | None) -> list[dict[str, Any]]:
    if property_id is None:
        return [_user(r) for r in db.query(f"SELECT {USER_COLUMNS} FROM users ORDER BY username")]
    rows = db.query(f"SELECT {USER_COLUMNS} FROM users WHERE property_id = ? ORDER BY username", [property_id])
    return [_user(r) for r in rows]


def _user(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "must_change_password": bool(row["must_change_password"]), "active": not row["deactivated_at"]}


def update_user(db: Database, *, user_id: str, **columns: Any) -> None:
    sets = ", ".join(f"{c} = ?" for c in columns)
    db.execute(f"UPDATE users SET {sets} WHERE id = ?", [*columns.values(), user_id])


def revoke_user_tokens(db: Database, *, user_id: str, revoked_at: datetime) -> int:
    cursor = db.execute(
        "UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [revoked_at.isoformat(), user_id]
    )
    return cursor.rowcount


def revoke_user_device(db: Database, *, user_id: str, device_id: str, revoked_at: datetime) -> int:
    """Revoke the user's live tokens on one device; return how many tokens the user ever had there."""
    found = db.execute("SELECT COUNT(*) FROM tokens WHERE user_id = ? AND device_id = ?", [user_id, device_id])
    count = int(found.fetchone()[0])
    db.execute(
        "UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND device_id = ? AND revoked_at IS NULL",
        [revoked_at.isoformat(), user_id, device_id],
    )
    return count


# ---- audit -------------------------------------------------------------------------------------


def insert_audit(
    db: Database,
    *,
    at: datetime,
    actor_id: str,
    actor_name: str,
    property_id: str,
    action: str,
    entity_kind: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> int:
    def dump(value: dict[str, Any] | None) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    cursor = db.execute(
        "INSERT INTO audit_log (at, actor_id, actor_name, property_id, action, entity_kind, entity_id, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [at.isoformat(), actor_id, actor_name, property_id, action, entity_kind, entity_id, dump(before), dump(after)],
    )
    return int(cursor.fetchone()[0])


def audit_entries(
    db: Database,
    *,
    property_id: str | None,
    entity_id: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Newest first; ``property_id`` None means every property (administrators)."""
    clauses, params = [], []
    for clause, value in (("property_id = ?", property_id), ("entity_id = ?", entity_id), ("id < ?", before_id)):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = list(db.query(f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", [*params, limit]))
    for row in rows:
        for column in ("before", "after"):
            row[column] = json.loads(row[column]) if row[column] else None
    return rows
