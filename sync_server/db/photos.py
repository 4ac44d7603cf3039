"""Photos the server holds, per property, and which photos each record still waits for.

A photo belongs to a property (files are shared by hash on disk, visibility is per property). When a
record references photos the server does not have yet, its author gets a ``photo_missing`` change
in the pull naming them, so the phone sends them; once they are all here the change is withdrawn.
"""

from __future__ import annotations

from typing import Any

from sync_server.db import Database, feed

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_photos",
        """
        CREATE TABLE photos (
            property_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            received_size INTEGER NOT NULL,
            stored_size INTEGER NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            uploaded_by TEXT NOT NULL,
            uploaded_at TEXT NOT NULL,
            PRIMARY KEY (property_id, sha256)
        );
        CREATE TABLE record_photos (
            record_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            property_id TEXT NOT NULL,
            author_id TEXT NOT NULL,
            PRIMARY KEY (record_id, sha256)
        );
        CREATE INDEX record_photos_by_photo ON record_photos (property_id, sha256);
        """,
    ),
    (
        "0002_photos_by_uploader",
        """
        CREATE INDEX photos_by_uploader ON photos (property_id, uploaded_by);
        CREATE INDEX photos_by_time ON photos (uploaded_at);
        CREATE INDEX photos_by_hash ON photos (sha256);
        """,
    ),
]

PHOTO_MISSING = "photo_missing"
_UNREFERENCED = (
    "NOT EXISTS (SELECT 1 FROM record_photos rp WHERE rp.property_id = p.property_id AND rp.sha256 = p.sha256)"
)


def has_photo(db: Database, *, property_id: str, sha256: str) -> bool:
    row = db.execute("SELECT 1 FROM photos WHERE property_id = ? AND sha256 = ?", [property_id, sha256]).fetchone()
    return row is not None


def get_photo(db: Database, *, property_id: str, sha256: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM photos WHERE property_id = ? AND sha256 = ?", [property_id, sha256]))
    return rows[0] if rows else None


def missing_photos(db: Database, *, property_id: str, hashes: list[str]) -> list[str]:
    """Of ``hashes``, those the property has not received yet, in the order asked, once each."""
    wanted = list(dict.fromkeys(hashes))
    have: set[str] = set()
    for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        have.update(
            row[0]
            for row in db.execute(
                f"SELECT sha256 FROM photos WHERE property_id = ? AND sha256 IN ({marks})", [property_id, *chunk]
            )
        )
    return [h for h in wanted if h not in have]


def note_record_photos(
    db: Database, *, record_id: str, property_id: str, author_id: str, hashes: list[str]
) -> list[str]:
    """Remember which photos a newly stored record references; tell its author which are still missing.

    Call inside the transaction that stores the record. Returns the missing hashes.
    """
    if not hashes:
        return []
    db.executemany(
        "INSERT INTO record_photos (record_id, sha256, property_id, author_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        [[record_id, h, property_id, author_id] for h in dict.fromkeys(hashes)],
    )
    return _publish_missing(db, record_id=record_id)


def record_missing_photos(db: Database, *, record_id: str) -> list[str]:
    rows = db.execute(
        "SELECT rp.sha256 FROM record_photos rp LEFT JOIN photos p "
        "ON p.property_id = rp.property_id AND p.sha256 = rp.sha256 "
        "WHERE rp.record_id = ? AND p.sha256 IS NULL ORDER BY rp.sha256",
        [record_id],
    ).fetchall()
    return [row[0] for row in rows]


def add_photo(
    db: Database,
    *,
    property_id: str,
    sha256: str,
    received_size: int,
    stored_size: int,
    width: int,
    height: int,
    uploaded_by: str,
    uploaded_at: str,
) -> bool:
    """Record a stored photo for a property; True if it is new. Records waiting for it are brought up to date."""
    cursor = db.execute(
        "INSERT INTO photos (property_id, sha256, received_size, stored_size, width, height, uploaded_by, "
        "uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [property_id, sha256, received_size, stored_size, width, height, uploaded_by, uploaded_at],
    )
    if cursor.rowcount == 0:
        return False
    waiting = db.execute(
        "SELECT DISTINCT record_id FROM record_photos WHERE property_id = ? AND sha256 = ?", [property_id, sha256]
    ).fetchall()
    for (record_id,) in waiting:
        _publish_missing(db, record_id=record_id)
    return True


def _publish_missing(db: Database, *, record_id: str) -> list[str]:
    row = db.execute("SELECT author_id FROM record_photos WHERE record_id = ? LIMIT 1", [record_id]).fetchone()
    if row is None:
        return []
    missing = record_missing_photos(db, record_id=record_id)
    scope = feed.user_scope(row[0])
    data = {"record_id": record_id, "missing": missing}
    if missing:
        feed.publish(db, kind=PHOTO_MISSING, entity_id=record_id, data=data, scopes=[scope])
    elif feed.visible_in(db, scope=scope, kind=PHOTO_MISSING, entity_id=record_id):
        # only withdraw what was announced: a record whose photos all came first never shows up in the feed
        feed.publish(db, kind=PHOTO_MISSING, entity_id=record_id, data=data, gone=[scope])
    return missing


def is_referenced(db: Database, *, property_id: str, sha256: str) -> bool:
    """Whether a record of the property names this photo (sent or still to come)."""
    row = db.execute(
        "SELECT 1 FROM record_photos WHERE property_id = ? AND sha256 = ? LIMIT 1", [property_id, sha256]
    ).fetchone()
    return row is not None


def unreferenced_bytes(db: Database, *, property_id: str, user_id: str) -> int:
    """Bytes a user sent in photos that no record of the property names (yet)."""
    row = db.execute(
        f"SELECT COALESCE(SUM(received_size), 0) FROM photos p WHERE property_id = ? AND uploaded_by = ?"
        f" AND {_UNREFERENCED}",
        [property_id, user_id],
    ).fetchone()
    return int(row[0])


def remove_unreferenced(db: Database, *, uploaded_before: str) -> list[str]:
    """Forget photos no record names that came before ``uploaded_before``; return the hashes no property holds now.

    Call inside a write transaction, and remove those hashes' files before it ends (an upload of the same
    photo in the meantime waits for the lock, then finds no file and writes it again).
    """
    gone = [
        row[0]
        for row in db.execute(
            f"DELETE FROM photos AS p WHERE uploaded_at < ? AND {_UNREFERENCED} RETURNING sha256", [uploaded_before]
        ).fetchall()
    ]
    return [
        h for h in dict.fromkeys(gone) if db.execute("SELECT 1 FROM photos WHERE sha256 = ?", [h]).fetchone() is None
    ]
