"""Field records on the phone: those made here, with their sync status, and those pulled from the server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

# The JSON nodes of a body that name a photo: items of any ``photos`` list (a violation's too) and the
# top-level ``signature``, as shared.model.photos_of finds them; ``photo_hashes`` is the same in Python.
PHOTO_NODE = (
    "j.type = 'text' AND length(j.value) = 64 AND (j.path LIKE '%.photos' OR (j.key = 'signature' AND j.path = '$'))"
)

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
    (
        # The screens read what they need from tables, never by scanning every record's JSON: the photos
        # each record references get their own rows, filled here for the records already on the phone.
        # Most records correct nothing, so the supersedes index holds only those that do; a full one made
        # SQLite (once it had statistics) look every record's successor up through it, quadratically.
        "0002_record_photos",
        f"""
        DROP INDEX records_supersedes;
        CREATE INDEX records_supersedes ON records (supersedes) WHERE supersedes IS NOT NULL;
        CREATE TABLE record_photos (
            record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (record_id, sha256)
        ) WITHOUT ROWID;
        CREATE INDEX record_photos_sha256 ON record_photos (sha256);
        -- The lists by origin and status (what waits, what the server refused) newest first, without a sort.
        CREATE INDEX records_listing ON records (origin, sync_status, recorded_at);
        INSERT OR IGNORE INTO record_photos (record_id, sha256)
            SELECT records.id, j.value FROM records, json_tree(records.body) AS j WHERE {PHOTO_NODE};
        """,
    ),
]

MAX_ZONE_OFFSET = timedelta(hours=14)
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
    _note_photos(db, record_id=payload["id"], body=payload["body"])


def photo_hashes(body: Any) -> set[str]:
    """Every photo a record body (its JSON form) references: see PHOTO_NODE."""
    found: set[str] = set()

    def walk(node: Any, key: str | None, top: bool) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "signature" and top and _is_hash(v):
                    found.add(v)
                walk(v, k, False)
        elif isinstance(node, list):
            if key == "photos":
                found.update(v for v in node if _is_hash(v))
            for v in node:
                walk(v, None, False)

    walk(body, None, True)
    return found


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64


def _note_photos(db: Database, *, record_id: str, body: Any) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO record_photos (record_id, sha256) VALUES (?, ?)",
        [(record_id, h) for h in sorted(photo_hashes(body))],
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
            # When it happened on the server's clock (the author's phone may be off); older servers said only
            # the phone's time.
            envelope.get("effective_at") or envelope.get("recorded_at", ""),
            envelope.get("supersedes"),
            envelope.get("author_id"),
            json.dumps(body, ensure_ascii=False),
            envelope.get("received_at"),
            json.dumps(data, ensure_ascii=False),
        ],
    )
    origin = db.execute("SELECT origin FROM records WHERE id = ?", [id]).fetchone()
    if origin is not None and origin[0] == "server":  # a pulled body may change; one made here never does
        db.execute("DELETE FROM record_photos WHERE record_id = ?", [id])
        _note_photos(db, record_id=id, body=body)


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


def records_around(db: Database, *, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Records whose recorded_at falls between two instants, by the recorded_at index.

    recorded_at keeps the offset of the phone that made it, so its text sorts by local time: the index
    is read over the instants' local times widened by the largest offset on Earth, then filtered exactly.
    """
    low = (start.astimezone(UTC) - MAX_ZONE_OFFSET).strftime("%Y-%m-%dT%H:%M:%S")
    high = (end.astimezone(UTC) + MAX_ZONE_OFFSET).strftime("%Y-%m-%dT%H:%M:%S") + "~"
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM records WHERE recorded_at >= ? AND recorded_at < ? ORDER BY recorded_at DESC, id DESC",
        [low, high],
    ).fetchall()
    found = []
    for row in rows:
        record = _as_dict(row)
        at = _instant(record["recorded_at"])
        if at is not None and start <= at < end:
            found.append(record)
    return found


def _instant(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


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
