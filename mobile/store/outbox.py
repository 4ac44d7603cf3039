"""The outbox: wire payloads waiting for the server's acknowledgement, sent in device_seq order."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_outbox",
        """
        CREATE TABLE outbox (
            record_id TEXT PRIMARY KEY REFERENCES records (id),
            device_seq INTEGER NOT NULL UNIQUE,
            payload TEXT NOT NULL,  -- the wire record, frozen when saved so every resend is byte-identical
            held INTEGER NOT NULL DEFAULT 0,  -- 1: refused by the server, not sent again until released
            attempts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX outbox_ready ON outbox (held, device_seq);
        """,
    ),
]


def enqueue(db: Database, *, record_id: str, device_seq: int, payload: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO outbox (record_id, device_seq, payload) VALUES (?, ?, ?)",
        [record_id, device_seq, json.dumps(payload, ensure_ascii=False, separators=(",", ":"))],
    )


def next_batch(db: Database, *, limit: int) -> list[dict[str, Any]]:
    """The oldest payloads not held back, lowest device_seq first."""
    rows = db.execute("SELECT payload FROM outbox WHERE held = 0 ORDER BY device_seq LIMIT ?", [limit]).fetchall()
    return [json.loads(payload) for (payload,) in rows]


def note_attempt(db: Database, *, record_ids: list[str]) -> None:
    db.conn.executemany("UPDATE outbox SET attempts = attempts + 1 WHERE record_id = ?", [[i] for i in record_ids])


def acknowledge(db: Database, *, record_id: str) -> None:
    db.execute("DELETE FROM outbox WHERE record_id = ?", [record_id])


def hold(db: Database, *, record_id: str) -> None:
    db.execute("UPDATE outbox SET held = 1 WHERE record_id = ?", [record_id])


def release_held(db: Database, *, record_ids: list[str] | None = None) -> list[str]:
    """Put held rows back in line; returns the ids released."""
    if record_ids is None:
        rows = db.execute("UPDATE outbox SET held = 0 WHERE held = 1 RETURNING record_id").fetchall()
    else:
        rows = [
            row
            for record_id in record_ids
            for row in db.execute(
                "UPDATE outbox SET held = 0 WHERE held = 1 AND record_id = ? RETURNING record_id", [record_id]
            ).fetchall()
        ]
    return [record_id for (record_id,) in rows]


def discard_held(db: Database, *, record_id: str) -> bool:
    """Give up on sending a refused record (the record itself stays, with the server's message)."""
    return db.execute("DELETE FROM outbox WHERE held = 1 AND record_id = ?", [record_id]).rowcount > 0


def waiting_for(db: Database, *, author_id: str) -> int:
    """Rows not yet sent that only this author's login can send (the server checks the author)."""
    (n,) = db.execute(
        "SELECT count(*) FROM outbox JOIN records ON records.id = outbox.record_id "
        "WHERE outbox.held = 0 AND records.author_id = ?",
        [author_id],
    ).fetchone()
    return int(n)


def counts(db: Database) -> dict[str, int]:
    ready, held = db.execute("SELECT coalesce(sum(held = 0), 0), coalesce(sum(held = 1), 0) FROM outbox").fetchone()
    return {"pending": int(ready), "held": int(held)}
