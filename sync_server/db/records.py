"""Stored field records: append-only, unique by the id the device made, compared by content hash."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sync_server.db import Database

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_records",
        """
        CREATE TABLE records (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            property_id TEXT NOT NULL,
            author_id TEXT NOT NULL REFERENCES users (id),
            device_id TEXT NOT NULL,
            device_seq INTEGER NOT NULL,
            recorded_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            effective_at TEXT NOT NULL,
            clock_flag TEXT,
            supersedes TEXT,
            raw TEXT NOT NULL,
            content_hash TEXT NOT NULL
        );
        CREATE INDEX records_device_seq ON records (device_id, device_seq);
        CREATE INDEX records_property_type ON records (property_id, type, effective_at);
        CREATE INDEX records_author ON records (author_id, effective_at);
        CREATE INDEX records_supersedes ON records (supersedes) WHERE supersedes IS NOT NULL;
        """,
    ),
    (
        "0002_device_progress",
        """
        CREATE TABLE device_progress (
            device_id TEXT PRIMARY KEY,
            complete_through INTEGER NOT NULL  -- every device_seq up to this one is stored
        );
        """,
    ),
]


def insert_record(
    db: Database,
    *,
    id: str,
    type: str,
    property_id: str,
    author_id: str,
    device_id: str,
    device_seq: int,
    recorded_at: str,
    received_at: datetime,
    effective_at: datetime,
    clock_flag: str | None,
    supersedes: str | None,
    raw: dict[str, Any],
    content_hash: str,
) -> bool:
    """Store a record unless its id exists; return whether it was stored now.

    The primary key decides, not a prior SELECT, so two pushes of the same id can never both insert.
    """
    cursor = db.execute(
        "INSERT INTO records (id, type, property_id, author_id, device_id, device_seq, recorded_at, received_at,"
        " effective_at, clock_flag, supersedes, raw, content_hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        [
            id,
            type,
            property_id,
            author_id,
            device_id,
            device_seq,
            recorded_at,
            received_at.isoformat(),
            effective_at.isoformat(),
            clock_flag,
            supersedes,
            json.dumps(raw, ensure_ascii=False, separators=(",", ":")),
            content_hash,
        ],
    )
    return cursor.rowcount == 1


def stored_hashes(db: Database, *, ids: list[str]) -> dict[str, str]:
    """The content hash of each of these record ids that is stored."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        part = ids[start : start + 500]
        rows = db.execute(f"SELECT id, content_hash FROM records WHERE id IN ({', '.join('?' for _ in part)})", part)
        found.update((row[0], row[1]) for row in rows.fetchall())
    return found


def get_record(db: Database, *, id: str) -> dict[str, Any] | None:
    """A stored record row, with ``raw`` decoded."""
    rows = list(db.query("SELECT * FROM records WHERE id = ?", [id]))
    if not rows:
        return None
    row = rows[0]
    row["raw"] = json.loads(row["raw"])
    return row


def device_seq_gaps(db: Database, *, device_id: str) -> list[list[int]]:
    """Ranges of device_seq numbers missing below the highest one received from this device.

    Only the numbers above the device's last complete run are read (and the run is moved up), so a
    push costs what came since, not the phone's whole history. Call it inside a write transaction.
    """
    row = db.execute("SELECT complete_through FROM device_progress WHERE device_id = ?", [device_id]).fetchone()
    complete = int(row[0]) if row else 0
    seqs = db.execute(
        "SELECT DISTINCT device_seq FROM records WHERE device_id = ? AND device_seq > ? ORDER BY device_seq",
        [device_id, complete],
    ).fetchall()
    gaps: list[list[int]] = []
    expected = complete + 1
    for (seq,) in seqs:
        if seq > expected:
            gaps.append([expected, seq - 1])
        expected = seq + 1
    through = gaps[0][0] - 1 if gaps else expected - 1
    if through != complete:
        db.execute(
            "INSERT INTO device_progress (device_id, complete_through) VALUES (?, ?)"
            " ON CONFLICT (device_id) DO UPDATE SET complete_through = excluded.complete_through",
            [device_id, through],
        )
    return gaps
