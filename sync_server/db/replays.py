"""What bounds a stream's replay (all the SQL): its rest points, its stored replay state, its facts and orders by key.

The tables are created by ``orders.MIGRATIONS`` (0002), next to the facts and orders they index.
A key is ``(effective_at, fact id)`` as stored, the order reconciliation takes facts in.
"""

from __future__ import annotations

import json
from typing import Any

from sync_server.db import Database
from sync_server.db.recon_facts import facts_of_stream, facts_where
from sync_server.db.work_orders import orders_of_stream, orders_where

StoredKey = tuple[str, str]


def facts_of_stream_after(db: Database, *, stream: str, after: tuple[str, str] | None) -> list[dict[str, Any]]:
    """The facts of a stream that sort after a key (effective_at, id); all of them when ``after`` is None."""
    if after is None:
        return facts_of_stream(db, stream=stream)
    return facts_where(db, "stream = ? AND (effective_at, id) > (?, ?)", [stream, *after])


def fact_keys(db: Database, *, ids: list[str]) -> dict[str, tuple[str, str]]:
    """The sort key (effective_at, id) of each of these facts that is stored."""
    if not ids:
        return {}
    rows = db.execute(
        f"SELECT id, effective_at FROM recon_facts WHERE id IN ({', '.join('?' for _ in ids)})", list(ids)
    ).fetchall()
    return {r[0]: (r[1], r[0]) for r in rows}


def orders_of_stream_after(db: Database, *, stream: str, after: tuple[str, str] | None) -> list[dict[str, Any]]:
    """The orders of a stream opened by a fact that sorts after a key (an order id is wo-<opening fact id>)."""
    if after is None:
        return orders_of_stream(db, stream=stream)
    rows = orders_where(db, "stream = ? AND reported_at >= ?", [stream, after[0]])
    return [r for r in rows if (r["reported_at"], r["id"].removeprefix("wo-")) > after]


def order_heads(db: Database, *, ids: list[str]) -> list[dict[str, Any]]:
    """What writing these orders again needs of their stored rows (number, scopes, data as text), unparsed."""
    if not ids:
        return []
    rows = db.execute(
        f"SELECT id, number, scopes, visit_scopes, data, state, assignee_id FROM work_orders"
        f" WHERE id IN ({', '.join('?' for _ in ids)})",
        list(ids),
    ).fetchall()
    return [
        {
            "id": r[0],
            "number": r[1],
            "scopes": json.loads(r[2]),
            "visit_scopes": json.loads(r[3]),
            "data_text": r[4],
            "state": r[5],
            "assignee_id": r[6],
        }
        for r in rows
    ]


def episode_of(db: Database, *, alias: str) -> list[dict[str, Any]]:
    """The order an alias (wo-<record id>) leads to, with every order of its rework chain; [] when none."""
    row = db.execute(
        "SELECT w.root_id FROM work_order_aliases a JOIN work_orders w ON w.id = a.order_id WHERE a.alias = ?",
        [alias],
    ).fetchone()
    if row is None:
        row = db.execute("SELECT root_id FROM work_orders WHERE id = ?", [alias]).fetchone()
    if row is None or row[0] is None:
        return []
    return orders_where(db, "root_id = ?", [row[0]])


# ---- rest points -------------------------------------------------------------------------------
def rest_point_before(db: Database, *, stream: str, key: StoredKey) -> StoredKey | None:
    """The latest rest point of a stream that sorts before ``key``, or None to replay from its first fact."""
    row = db.execute(
        "SELECT effective_at, fact_id FROM recon_rest_points WHERE stream = ? AND (effective_at, fact_id) < (?, ?)"
        " ORDER BY effective_at DESC, fact_id DESC LIMIT 1",
        [stream, *key],
    ).fetchone()
    return (row[0], row[1]) if row else None


def replace_rest_points(db: Database, *, stream: str, after: StoredKey | None, keys: list[StoredKey]) -> None:
    """The stream was replayed from ``after``: its rest points after it are now ``keys``."""
    if after is None:
        db.execute("DELETE FROM recon_rest_points WHERE stream = ?", [stream])
    else:
        db.execute(
            "DELETE FROM recon_rest_points WHERE stream = ? AND (effective_at, fact_id) > (?, ?)", [stream, *after]
        )
    add_rest_points(db, stream=stream, keys=keys)


def add_rest_points(db: Database, *, stream: str, keys: list[StoredKey]) -> None:
    if not keys:
        return
    db.executemany(
        "INSERT INTO recon_rest_points (stream, effective_at, fact_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(stream, *k) for k in keys],
    )


# ---- a stream's saved replay state ------------------------------------------------------------
def stream_state(db: Database, *, stream: str) -> dict[str, Any] | None:
    """A stream's saved replay: the token of its latest batch, the code version and state last saved (bytes),
    the rest point that state started at and the last fact it was fed, and how many facts it lacks."""
    row = db.execute(
        "SELECT token, version, start_at, start_id, last_at, last_id, state, unsaved FROM recon_streams"
        " WHERE stream = ?",
        [stream],
    ).fetchone()
    if row is None:
        return None
    return {
        "token": row[0],
        "version": row[1],
        "start": (row[2], row[3]) if row[2] is not None else None,
        "last": (row[4], row[5]) if row[4] is not None else None,
        "state": row[6],
        "unsaved": row[7],
    }


def save_stream_state(
    db: Database,
    *,
    stream: str,
    token: str,
    version: str,
    start: StoredKey | None,
    last: StoredKey | None,
    state: bytes,
) -> None:
    start_at, start_id = start or (None, None)
    last_at, last_id = last or (None, None)
    db.execute(
        "INSERT INTO recon_streams (stream, token, version, start_at, start_id, last_at, last_id, state, unsaved)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)"
        " ON CONFLICT (stream) DO UPDATE SET token = excluded.token, version = excluded.version,"
        " start_at = excluded.start_at, start_id = excluded.start_id, last_at = excluded.last_at,"
        " last_id = excluded.last_id, state = excluded.state, unsaved = 0",
        [stream, token, version, start_at, start_id, last_at, last_id, state],
    )


def note_stream_fed(db: Database, *, stream: str, token: str, unsaved: int) -> None:
    """A batch fed the stream's replay without saving it: its token, and how many facts the saved state lacks."""
    db.execute("UPDATE recon_streams SET token = ?, unsaved = ? WHERE stream = ?", [token, unsaved, stream])


def drop_stream_state(db: Database, *, stream: str) -> None:
    db.execute("DELETE FROM recon_streams WHERE stream = ?", [stream])
