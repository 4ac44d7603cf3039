"""Reference data cached from the server's feed (places, routes, permits, work orders...), by kind and id."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_reference",
        """
        CREATE TABLE reference (
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            data TEXT NOT NULL,  -- JSON, exactly as the server published it
            seq INTEGER,  -- the feed position it came from
            PRIMARY KEY (kind, id)
        );
        """,
    ),
    (
        # The screens ask for the orders still open far more often than for all of them.
        "0002_reference_state",
        "CREATE INDEX reference_state ON reference (kind, json_extract(data, '$.state'));",
    ),
]


def apply_change(db: Database, *, kind: str, id: str, data: Any, deleted: bool, seq: int | None = None) -> None:
    if deleted:
        db.execute("DELETE FROM reference WHERE kind = ? AND id = ?", [kind, id])
        return
    db.execute(
        "INSERT INTO reference (kind, id, data, seq) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, seq = excluded.seq",
        [kind, id, json.dumps(data, ensure_ascii=False), seq],
    )


def list_kind(db: Database, *, kind: str) -> list[dict[str, Any]]:
    """Every cached item of a kind, each the server's data with its id, in feed order."""
    rows = db.execute("SELECT id, data FROM reference WHERE kind = ? ORDER BY seq, id", [kind]).fetchall()
    return [_item(item_id, data) for item_id, data in rows]


def list_in_state(db: Database, *, kind: str, states: list[str]) -> list[dict[str, Any]]:
    """The cached items of a kind whose ``state`` is one of ``states``, in feed order (by the state index)."""
    marks = ",".join("?" * len(states))
    rows = db.execute(
        f"SELECT id, data FROM reference WHERE kind = ? AND json_extract(data, '$.state') IN ({marks}) "
        "ORDER BY seq, id",
        [kind, *states],
    ).fetchall()
    return [_item(item_id, data) for item_id, data in rows]


def get_one(db: Database, *, kind: str, id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT id, data FROM reference WHERE kind = ? AND id = ?", [kind, id]).fetchone()
    return None if row is None else _item(*row)


def kinds(db: Database) -> dict[str, int]:
    return dict(db.execute("SELECT kind, count(*) FROM reference GROUP BY kind ORDER BY kind").fetchall())


def clear(db: Database) -> None:
    db.execute("DELETE FROM reference")


def _item(item_id: str, data: str) -> dict[str, Any]:
    value = json.loads(data)
    # The id travels beside the data in the feed; put it in so callers hold one dict (the data's own id wins).
    if isinstance(value, dict):
        value.setdefault("id", item_id)
        return value
    return {"id": item_id, "value": value}
