"""Photos kept on the phone: where each file is, and whether the server has confirmed it has it."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from mobile.store import reference, state

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_photos",
        """
        CREATE TABLE photos (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            path TEXT NOT NULL,  -- relative to the app's data directory, which may move between app updates
            thumb_path TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            taken_at TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            state TEXT NOT NULL DEFAULT 'local' CHECK (state IN ('local', 'uploaded', 'refused')),
            uploaded_at TEXT,
            error_code TEXT,  -- why the server refused it (state 'refused'), shown to the user
            error_message TEXT
        );
        """,
    ),
    (
        # Photos waiting to be sent are few among the many already sent: find them without a scan.
        "0002_photos_waiting",
        "CREATE INDEX photos_waiting ON photos (created_at, sha256) WHERE state = 'local';",
    ),
]

LOCAL, UPLOADED, REFUSED = "local", "uploaded", "refused"
LIMITS = "photo_limits"  # sync_state key: the server's {max_photo_bytes, ...}, learnt at the last photo sync
PHOTO_MISSING = "photo_missing"  # feed kind, cached in the reference table: {record_id, missing: [sha256]}
# Not sent yet and referenced by a record made here (a form still being filled in keeps its photos back).
_WAITING = (
    "state = 'local' AND EXISTS (SELECT 1 FROM record_photos rp JOIN records r ON r.id = rp.record_id "
    "WHERE rp.sha256 = photos.sha256 AND r.origin = 'local')"
)


def save_photo(
    db: Database,
    *,
    sha256: str,
    size: int,
    path: str,
    thumb_path: str,
    width: int,
    height: int,
    taken_at: str | None,
) -> bool:
    """Remember a stored photo; True if new. The same photo taken twice stays one row."""
    cursor = db.execute(
        "INSERT INTO photos (sha256, size, path, thumb_path, width, height, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (sha256) DO NOTHING",
        [sha256, size, path, thumb_path, width, height, taken_at],
    )
    return cursor.rowcount > 0


def get_photo(db: Database, *, sha256: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM photos WHERE sha256 = ?", [sha256]))
    return rows[0] if rows else None


def count_photos(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM photos").fetchone()[0])


def referenced_hashes(db: Database) -> set[str]:
    return {row[0] for row in db.execute("SELECT DISTINCT sha256 FROM record_photos")}


def forget_unreferenced(db: Database, *, keep: set[str], taken_before: str | None = None) -> list[str]:
    """Delete the rows of photos no record references and ``keep`` does not name; return their hashes.

    ``taken_before`` (ISO time, UTC): only photos stored before then, so a form still being filled in
    (whose photos no record references yet) keeps them for the grace period.
    """
    rows = db.execute(
        "SELECT sha256 FROM photos WHERE NOT EXISTS (SELECT 1 FROM record_photos r WHERE r.sha256 = photos.sha256) "
        "AND (? IS NULL OR created_at < ?) ORDER BY sha256",
        [taken_before, taken_before],
    ).fetchall()
    unused = [h for (h,) in rows if h not in keep]
    db.conn.executemany("DELETE FROM photos WHERE sha256 = ?", [[h] for h in unused])
    return unused


def to_upload(db: Database) -> list[dict[str, Any]]:
    """Photos the server should get: referenced by a record made here and not confirmed yet, or reported missing.

    Photos of a form still being filled in stay on the phone until the record is saved.
    """
    reported = {h for item in _missing_reports(db) for h in item}
    rows = db.query(f"SELECT sha256, size, path FROM photos WHERE {_WAITING} ORDER BY created_at, sha256")
    found = {row["sha256"]: row for row in rows}
    if reported:
        marks = ",".join("?" * len(reported))
        for row in db.query(
            f"SELECT sha256, size, path FROM photos WHERE sha256 IN ({marks}) AND state != 'refused' "
            "ORDER BY created_at, sha256",
            sorted(reported),
        ):
            found.setdefault(row["sha256"], row)
    return list(found.values())


def pending_count(db: Database) -> int:
    """Photos waiting to be sent, for the sync status line (counted, never listed: it runs after every save)."""
    reported = {h for item in _missing_reports(db) for h in item}
    (waiting,) = db.execute(f"SELECT count(*) FROM photos WHERE {_WAITING}").fetchone()
    if not reported:
        return int(waiting)
    marks = ",".join("?" * len(reported))
    (extra,) = db.execute(
        f"SELECT count(*) FROM photos WHERE sha256 IN ({marks}) AND state != 'refused' AND NOT ({_WAITING})",
        sorted(reported),
    ).fetchone()
    return int(waiting) + int(extra)


def mark_uploaded(db: Database, *, sha256: str, when: str | None = None) -> None:
    db.execute(
        "UPDATE photos SET state = 'uploaded', uploaded_at = coalesce(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) "
        "WHERE sha256 = ?",
        [when, sha256],
    )
    # A report of the server that named this photo is answered once the photo is there.
    _drop_from_reports(db, sha256=sha256)


def mark_refused(db: Database, *, sha256: str, code: str, message: str) -> None:
    """The server will not take this photo as it is (too large, damaged): stop sending it, keep its words."""
    db.execute(
        "UPDATE photos SET state = 'refused', error_code = ?, error_message = ? WHERE sha256 = ?",
        [code, message, sha256],
    )


def refused_photos(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT sha256, error_code, error_message FROM photos WHERE state = 'refused'"))


def retry_refused(db: Database) -> int:
    """Put refused photos back in line (after the server's limits changed, say); returns how many."""
    return db.execute(
        "UPDATE photos SET state = 'local', error_code = NULL, error_message = NULL WHERE state = 'refused'"
    ).rowcount


def max_photo_bytes(db: Database, *, default: int) -> int:
    limits = state.get(db, key=LIMITS) or {}
    value = limits.get("max_photo_bytes") if isinstance(limits, dict) else None
    return int(value) if isinstance(value, int) and value > 0 else default


def set_limits(db: Database, *, limits: dict[str, Any]) -> None:
    state.put(db, key=LIMITS, value=limits)


def _missing_reports(db: Database) -> list[list[str]]:
    reports = []
    for item in reference.list_kind(db, kind=PHOTO_MISSING):
        missing = item.get("missing")
        if isinstance(missing, list):
            reports.append([h for h in missing if isinstance(h, str)])
    return reports


def _drop_from_reports(db: Database, *, sha256: str) -> None:
    for item in reference.list_kind(db, kind=PHOTO_MISSING):
        missing = item.get("missing")
        if not isinstance(missing, list) or sha256 not in missing:
            continue
        rest = [h for h in missing if h != sha256]
        data = {k: v for k, v in item.items() if k != "id"} | {"missing": rest}
        reference.apply_change(db, kind=PHOTO_MISSING, id=item["id"], data=data, deleted=not rest)
