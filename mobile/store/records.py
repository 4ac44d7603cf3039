"""Field records on the phone: those made here, with their sync status, and those pulled from the server."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_records",
        """
        CREATE TABLE records (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            device_seq INTEGER,
            recorded_at TEXT NOT NULL,
            supersedes TEXT,
            author_id TEXT,
            body TEXT NOT NULL,  -- JSON
            origin TEXT NOT NULL CHECK (origin IN ('local', 'server')),
            sync_status TEXT NOT NULL CHECK (sync_status IN ('pending', 'synced', 'rejected', 'conflict')),
            status_code TEXT,  -- the server's code when it refused the record
            status_message TEXT,  -- the server's words, shown to the user
            synced_at TEXT,  -- server_time of the acknowledgement
            server_data TEXT  -- JSON of the pulled feed entry, for records that came from the server
        );
        CREATE INDEX records_recorded_at ON records (recorded_at);
        CREATE INDEX records_supersedes ON records (supersedes);
        CREATE INDEX records_status ON records (sync_status);
        """,
    ),
]

PENDING, SYNCED, REJECTED, CONFLICT = "pending", "synced", "rejected", "conflict"
_COLUMNS = (
    "id, type, device_seq, recorded_at, supersedes, author_id, body, origin, sync_status, status_code, "
    "status_message, synced_at, (SELECT r2.id FROM records r2 WHERE r2.supersedes = records.id LIMIT 1)"
)


def insert_local(db: Database, *, payload: dict[str, Any]) -> None:
    """Save a record made on this phone from its wire payload, waiting to be sent."""
    db.execute(
        "INSERT INTO records (id, type, device_seq, recorded_at, supersedes, author_id, body, origin, sync_status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'local', 'pending')",
        [
            payload["id"],
            payload["type"],
            payload["device_seq"],
            payload["recorded_at"],
            payload["supersedes"],
            payload["author_id"],
            json.dumps(payload["body"], ensure_ascii=False),
        ],
    )


def mark_synced(db: Database, *, record_id: str, server_time: str | None) -> None:
    db.execute(
        "UPDATE records SET sync_status = 'synced', status_code = NULL, status_message = NULL, synced_at = ? "
        "WHERE id = ?",
        [server_time, record_id],
    )


def mark_refused(db: Database, *, record_id: str, status: str, code: str | None, message: str | None) -> None:
    db.execute(
        "UPDATE records SET sync_status = ?, status_code = ?, status_message = ? WHERE id = ?",
        [status, code, message, record_id],
    )


def mark_pending(db: Database, *, record_ids: list[str]) -> None:
    db.conn.executemany(
        "UPDATE records SET sync_status = 'pending', status_code = NULL, status_message = NULL WHERE id = ?",
        [[i] for i in record_ids],
    )


def apply_pulled(db: Database, *, id: str, data: Any, deleted: bool) -> None:
    """A record of this user (or, for supervisors, of the property) published by the server.

    A record this phone made keeps its own row and status: the push acknowledgement is what settles it.
    """
    if deleted:
        db.execute("DELETE FROM records WHERE id = ? AND origin = 'server'", [id])
        return
    envelope = data.get("record", data) if isinstance(data, dict) else {}
    body = envelope.get("body", {})
    db.execute(
        "INSERT INTO records (id, type, device_seq, recorded_at, supersedes, author_id, body, origin, sync_status, "
        "synced_at, server_data) VALUES (?, ?, ?, ?, ?, ?, ?, 'server', 'synced', ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET server_data = excluded.server_data, "
        "body = CASE WHEN records.origin = 'server' THEN excluded.body ELSE records.body END",
        [
            id,
            envelope.get("type", ""),
            envelope.get("device_seq"),
            envelope.get("recorded_at", ""),
            envelope.get("supersedes"),
            envelope.get("author_id"),
            json.dumps(body, ensure_ascii=False),
            envelope.get("received_at"),
            json.dumps(data, ensure_ascii=False),
        ],
    )


def get_one(db: Database, *, record_id: str) -> dict[str, Any] | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM records WHERE id = ?", [record_id]).fetchone()
    return None if row is None else _as_dict(row)


def list_records(
    db: Database,
    *,
    origin: str | None = None,
    status: str | None = None,
    type: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Records, newest first, optionally only those made here (origin='local'), of one status or type."""
    where, params = [], []
    for column, value in (("origin", origin), ("sync_status", status), ("type", type)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM records {clause} ORDER BY recorded_at DESC, id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [_as_dict(row) for row in rows]


def status_counts(db: Database, *, origin: str = "local") -> dict[str, int]:
    counts = {PENDING: 0, SYNCED: 0, REJECTED: 0, CONFLICT: 0}
    for status, n in db.execute(
        "SELECT sync_status, count(*) FROM records WHERE origin = ? GROUP BY sync_status", [origin]
    ):
        counts[status] = n
    return counts


def clear_pulled(db: Database) -> None:
    db.execute("DELETE FROM records WHERE origin = 'server'")


def _as_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    (rid, rtype, seq, recorded_at, supersedes, author_id, body, origin, status, code, message, synced_at, by) = row
    return {
        "id": rid,
        "type": rtype,
        "device_seq": seq,
        "recorded_at": recorded_at,
        "supersedes": supersedes,
        "superseded_by": by,
        "author_id": author_id,
        "body": json.loads(body),
        "origin": origin,
        "sync_status": status,
        "status_code": code,
        "status_message": message,
        "synced_at": synced_at,
    }
