"""Findings (what was missed or is late) and the bookkeeping of when they were last computed (all the SQL)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_findings",
        """
        CREATE TABLE findings (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            day TEXT NOT NULL,
            owner_id TEXT,
            data TEXT NOT NULL,
            scopes TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX findings_property_day ON findings (property_id, day);
        CREATE TABLE findings_refreshed (
            property_id TEXT PRIMARY KEY,
            at TEXT NOT NULL
        );
        CREATE TABLE schedule_start (
            property_id TEXT PRIMARY KEY,
            day TEXT NOT NULL
        );
        """,
    ),
    (
        "0002_refreshed_through",
        # the last property day the findings were computed for: the next refresh starts there, so days
        # nobody looked at are still covered
        "ALTER TABLE schedule_start ADD COLUMN refreshed_through TEXT",
    ),
    (
        "0003_ack",
        # a supervisor's acknowledgement lives beside the computed data: a refresh rewrites data, not these
        """
        ALTER TABLE findings ADD COLUMN acked_by TEXT;
        ALTER TABLE findings ADD COLUMN acked_at TEXT;
        ALTER TABLE findings ADD COLUMN ack_note TEXT;
        ALTER TABLE findings ADD COLUMN assigned_to TEXT;
        """,
    ),
]
ACK_COLUMNS = ("acked_by", "acked_at", "ack_note", "assigned_to")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def findings_from(db: sqlite_utils.Database, *, property_id: str, day_from: str) -> list[dict[str, Any]]:
    rows = list(
        db.query(
            "SELECT * FROM findings WHERE property_id = ? AND day >= ? ORDER BY day, kind, id", [property_id, day_from]
        )
    )
    for row in rows:
        row["data"] = json.loads(row["data"])
        row["scopes"] = json.loads(row["scopes"])
    return rows


def findings_by_ids(db: sqlite_utils.Database, *, ids: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in range(0, len(ids), 500):
        chunk = ids[n : n + 500]
        rows += db.query(f"SELECT * FROM findings WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)
    for row in rows:
        row["data"] = json.loads(row["data"])
        row["scopes"] = json.loads(row["scopes"])
    return rows


def list_findings(
    db: sqlite_utils.Database,
    *,
    property_id: str,
    day: str | None = None,
    kind: str | None = None,
    owner_id: str | None = None,
) -> list[dict[str, Any]]:
    where, params = "property_id = ?", [property_id]
    for column, value in (("day", day), ("kind", kind), ("owner_id", owner_id)):
        if value:
            where += f" AND {column} = ?"
            params.append(value)
    columns = ", ".join(ACK_COLUMNS)
    rows = db.query(f"SELECT data, {columns} FROM findings WHERE {where} ORDER BY day DESC, kind, id", params)
    return [_with_ack(json.loads(r["data"]), r) for r in rows]


def _with_ack(data: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The finding as readers see it: with its acknowledgement once it has one (the computed data has none)."""
    if row["acked_at"] is None:
        return data
    return {**data, **{c: row[c] for c in ACK_COLUMNS}}


def get_finding(db: sqlite_utils.Database, *, id: str) -> dict[str, Any] | None:
    """One finding as readers see it, with its property and scopes."""
    rows = list(
        db.query(f"SELECT property_id, scopes, data, {', '.join(ACK_COLUMNS)} FROM findings WHERE id = ?", [id])
    )
    if not rows:
        return None
    row = rows[0]
    return {
        "property_id": row["property_id"],
        "scopes": json.loads(row["scopes"]),
        "data": _with_ack(json.loads(row["data"]), row),
    }


def ack_finding(
    db: sqlite_utils.Database, *, id: str, acked_by: str, acked_at: str, note: str, assigned_to: str | None
) -> None:
    db.execute(
        "UPDATE findings SET acked_by = ?, acked_at = ?, ack_note = ?, assigned_to = ? WHERE id = ?",
        [acked_by, acked_at, note, assigned_to, id],
    )


def save_finding(db: sqlite_utils.Database, *, data: dict[str, Any], scopes: list[str]) -> dict[str, Any]:
    """Store the computed finding (keeping its acknowledgement); return it as readers see it (to publish)."""
    db.execute(
        "INSERT INTO findings (id, property_id, kind, day, owner_id, data, scopes) VALUES (?,?,?,?,?,?,?)"
        " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, day = excluded.day, owner_id = excluded.owner_id,"
        " data = excluded.data, scopes = excluded.scopes",
        [data["id"], data["property_id"], data["kind"], data["day"], data["owner_id"], _json(data), _json(scopes)],
    )
    row = db.execute(f"SELECT {', '.join(ACK_COLUMNS)} FROM findings WHERE id = ?", [data["id"]]).fetchone()
    return _with_ack(data, dict(zip(ACK_COLUMNS, row, strict=True)))


def delete_finding(db: sqlite_utils.Database, *, id: str) -> None:
    db.execute("DELETE FROM findings WHERE id = ?", [id])


def findings_refreshed_at(db: sqlite_utils.Database, *, property_id: str) -> datetime | None:
    row = db.execute("SELECT at FROM findings_refreshed WHERE property_id = ?", [property_id]).fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def mark_findings_refreshed(db: sqlite_utils.Database, *, property_id: str, at: datetime) -> None:
    db.execute(
        "INSERT INTO findings_refreshed (property_id, at) VALUES (?, ?)"
        " ON CONFLICT (property_id) DO UPDATE SET at = excluded.at",
        [property_id, at.isoformat()],
    )


def mark_findings_stale(db: sqlite_utils.Database, *, property_id: str) -> None:
    """New facts arrived: the next reader recomputes the findings."""
    db.execute("DELETE FROM findings_refreshed WHERE property_id = ?", [property_id])


def schedule_start(db: sqlite_utils.Database, *, property_id: str, today: str) -> str:
    """The first property day the server looked at the schedules: nothing before it counts as missed."""
    db.execute(
        "INSERT INTO schedule_start (property_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING", [property_id, today]
    )
    row = db.execute("SELECT day FROM schedule_start WHERE property_id = ?", [property_id]).fetchone()
    return str(row[0])


def refreshed_through(db: sqlite_utils.Database, *, property_id: str) -> str | None:
    """The last property day a refresh covered (None before the first)."""
    row = db.execute("SELECT refreshed_through FROM schedule_start WHERE property_id = ?", [property_id]).fetchone()
    return str(row[0]) if row and row[0] else None


def mark_refreshed_through(db: sqlite_utils.Database, *, property_id: str, day: str) -> None:
    db.execute("UPDATE schedule_start SET refreshed_through = ? WHERE property_id = ?", [day, property_id])


def property_ids(db: sqlite_utils.Database) -> list[str]:
    """Every property the schedules run for."""
    return [str(r[0]) for r in db.execute("SELECT id FROM properties ORDER BY id").fetchall()]
