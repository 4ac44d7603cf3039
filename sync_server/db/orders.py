"""Work orders, their numbers and the property rules (all the SQL), and the schema of reconciliation's tables.

``MIGRATIONS`` creates every table reconciliation keeps, so that they are made together: the index
of facts (read and written by ``recon_facts.py``), the orders (here) and what bounds a replay (``replays.py``).
Findings: ``findings.py``.
"""

from __future__ import annotations

import json
from typing import Any

from sync_server.db import Database

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_orders",
        """
        CREATE TABLE recon_facts (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL,
            type TEXT NOT NULL,
            author_id TEXT NOT NULL,
            author_role TEXT NOT NULL,
            effective_at TEXT NOT NULL,
            local_day TEXT NOT NULL,
            clock_flag TEXT,
            source TEXT NOT NULL DEFAULT 'device',
            stream TEXT,
            order_ref TEXT,
            visit_id TEXT,
            place_id TEXT,
            route_id TEXT,
            round_id TEXT,
            checkpoint_id TEXT,
            permit_id TEXT,
            slot TEXT,
            supersedes TEXT,
            body TEXT NOT NULL
        );
        CREATE INDEX recon_facts_stream ON recon_facts (stream);
        CREATE INDEX recon_facts_parked ON recon_facts (order_ref) WHERE stream IS NULL;
        CREATE INDEX recon_facts_visit ON recon_facts (visit_id) WHERE visit_id IS NOT NULL;
        CREATE INDEX recon_facts_round ON recon_facts (round_id) WHERE round_id IS NOT NULL;
        CREATE INDEX recon_facts_day ON recon_facts (property_id, local_day, type);
        CREATE INDEX recon_facts_supersedes ON recon_facts (supersedes) WHERE supersedes IS NOT NULL;
        CREATE TABLE work_orders (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            stream TEXT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            place_id TEXT,
            assignee_id TEXT,
            responsible_id TEXT,
            reported_at TEXT NOT NULL,
            due_at TEXT,
            data TEXT NOT NULL,
            scopes TEXT NOT NULL DEFAULT '[]',
            visit_scopes TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX work_orders_stream ON work_orders (stream);
        CREATE INDEX work_orders_property ON work_orders (property_id, state, due_at);
        CREATE TABLE work_order_numbers (
            year INTEGER PRIMARY KEY,
            last INTEGER NOT NULL
        );
        CREATE TABLE property_rules (
            property_id TEXT PRIMARY KEY,
            rectification_hours INTEGER NOT NULL
        );
        """,
    ),
    (
        "0002_bounded_replay",
        # what lets reconciliation replay a stream from its latest rest point instead of from its first fact
        """
        CREATE INDEX recon_facts_stream_key ON recon_facts (stream, effective_at, id);
        ALTER TABLE work_orders ADD COLUMN root_id TEXT;
        UPDATE work_orders SET root_id = json_extract(data, '$.root_id');
        CREATE INDEX work_orders_root ON work_orders (root_id);
        CREATE TABLE work_order_aliases (
            alias TEXT PRIMARY KEY,
            order_id TEXT NOT NULL
        );
        CREATE INDEX work_order_aliases_order ON work_order_aliases (order_id);
        INSERT OR IGNORE INTO work_order_aliases (alias, order_id)
            SELECT 'wo-' || json_extract(e.value, '$.record_id'), w.id
            FROM work_orders w, json_each(w.data, '$.history') e
            WHERE json_extract(e.value, '$.action') IN ('reported', 'reported_again', 'violations_found_again');
        CREATE TABLE recon_rest_points (
            stream TEXT NOT NULL,
            effective_at TEXT NOT NULL,
            fact_id TEXT NOT NULL,
            PRIMARY KEY (stream, effective_at, fact_id)
        ) WITHOUT ROWID;
        CREATE TABLE recon_streams (
            stream TEXT PRIMARY KEY,
            token TEXT NOT NULL,
            start_at TEXT,
            start_id TEXT,
            last_at TEXT,
            last_id TEXT
        );
        """,
    ),
    (
        # a stream's running replay is kept here, not in a process: any worker continues it (a cache: dropping it
        # only makes the next batch replay from the latest rest point)
        "0003_replay_state_stored",
        """
        DROP TABLE recon_streams;
        CREATE TABLE recon_streams (
            stream TEXT PRIMARY KEY,
            token TEXT NOT NULL,
            version TEXT NOT NULL,
            start_at TEXT,
            start_id TEXT,
            last_at TEXT,
            last_id TEXT,
            state BLOB NOT NULL,
            unsaved INTEGER NOT NULL
        );
        """,
    ),
    (
        # an order's history is appended, one row a step: the thousandth report of a leak writes one row, not the
        # whole order again; the order's data keeps the count
        "0004_order_history_rows",
        """
        CREATE TABLE work_order_events (
            order_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            action TEXT NOT NULL,
            at TEXT NOT NULL,
            record_id TEXT,
            data TEXT NOT NULL,
            PRIMARY KEY (order_id, seq)
        ) WITHOUT ROWID;
        -- sqlite only
        INSERT INTO work_order_events (order_id, seq, action, at, record_id, data)
            SELECT w.id, e.key, json_extract(e.value, '$.action'), json_extract(e.value, '$.at'),
                json_extract(e.value, '$.record_id'), e.value
            FROM work_orders w, json_each(w.data, '$.history') e;
        -- sqlite only
        UPDATE work_orders SET data = json_set(json_remove(data, '$.history'), '$.history_total',
            json_array_length(data, '$.history'));
        """,
    ),
]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def order_text(data: dict[str, Any]) -> str:
    """How an order's data is stored: its keys in the order reconciliation makes them (sorting a long
    history's keys again at every write is most of its cost), so equal orders are equal text."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def body_text(body: Any) -> str:
    """How a fact's body or an order's data is stored: one canonical text, so equal data is recognised as text."""
    return _json(body)


# ---- work orders -----------------------------------------------------------------------------
def next_number(db: Database, *, year: int) -> str:
    """The next human-readable order number of the year, from a counter row (never max()+1)."""
    row = db.execute(
        "INSERT INTO work_order_numbers (year, last) VALUES (?, 1)"
        " ON CONFLICT (year) DO UPDATE SET last = work_order_numbers.last + 1 RETURNING last",
        [year],
    ).fetchone()
    return f"WO-{year}-{int(row[0]):06d}"


def orders_of_stream(db: Database, *, stream: str) -> list[dict[str, Any]]:
    return orders_where(db, "stream = ?", [stream])


def get_order(db: Database, *, id: str) -> dict[str, Any] | None:
    """One order with its whole history."""
    rows = orders_where(db, "id = ?", [id])
    if not rows:
        return None
    return {**rows[0], "data": with_history(db, rows[0]["data"])}


def order_head(db: Database, *, id: str) -> dict[str, Any]:
    """An order's stream and place without reading its data; {} when there is no such order."""
    row = db.execute("SELECT stream, place_id FROM work_orders WHERE id = ?", [id]).fetchone()
    return {"stream": row[0], "place_id": row[1]} if row else {}


def save_order(
    db: Database,
    *,
    data: dict[str, Any],
    stream: str,
    due_at_utc: str | None,
    reported_at_utc: str,
    scopes: list[str],
    visit_scopes: list[str],
    aliases: list[str] | None = None,
    data_text: str | None = None,
    events: tuple[int, list[dict[str, Any]]] = (0, []),
) -> None:
    """Insert or update an order, and record the ``aliases`` (wo-<record id>) that lead to it.

    ``data_text`` is ``data`` as ``order_text`` encodes it, when the caller has it already. ``events``
    is (k, the history from step k on): the steps before k are stored already and stay.
    """
    db.execute(
        "INSERT INTO work_orders (id, property_id, number, stream, kind, state, place_id, assignee_id,"
        " responsible_id, reported_at, due_at, data, scopes, visit_scopes, root_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (id) DO UPDATE SET stream = excluded.stream, kind = excluded.kind, state = excluded.state,"
        " place_id = excluded.place_id, assignee_id = excluded.assignee_id, responsible_id = excluded.responsible_id,"
        " reported_at = excluded.reported_at, due_at = excluded.due_at, data = excluded.data,"
        " scopes = excluded.scopes, visit_scopes = excluded.visit_scopes, root_id = excluded.root_id",
        [
            data["id"],
            data["property_id"],
            data["number"],
            stream,
            data["kind"],
            data["state"],
            data["place_id"],
            data["assignee_id"],
            data["responsible_id"],
            reported_at_utc,
            due_at_utc,
            data_text or order_text(data),
            _json(scopes),
            _json(visit_scopes),
            data.get("root_id"),
        ],
    )
    if aliases:  # an alias of a superseded record may stay behind: it leads to an order that no longer names it
        db.executemany(
            "INSERT INTO work_order_aliases (alias, order_id) VALUES (?, ?)"
            " ON CONFLICT (alias) DO UPDATE SET order_id = excluded.order_id",
            [(a, data["id"]) for a in aliases],
        )
    first, steps = events
    db.execute("DELETE FROM work_order_events WHERE order_id = ? AND seq >= ?", [data["id"], first])
    db.executemany(
        "INSERT INTO work_order_events (order_id, seq, action, at, record_id, data) VALUES (?, ?, ?, ?, ?, ?)",
        [(data["id"], first + i, e["action"], e["at"], e["record_id"], order_text(e)) for i, e in enumerate(steps)],
    )


def delete_order(db: Database, *, id: str) -> None:
    db.execute("DELETE FROM work_orders WHERE id = ?", [id])
    db.execute("DELETE FROM work_order_aliases WHERE order_id = ?", [id])
    db.execute("DELETE FROM work_order_events WHERE order_id = ?", [id])


def history_texts(db: Database, *, id: str) -> list[str]:
    """An order's history as stored, step by step."""
    return [r[0] for r in db.execute("SELECT data FROM work_order_events WHERE order_id = ? ORDER BY seq", [id])]


def with_history(db: Database, order: dict[str, Any]) -> dict[str, Any]:
    """An order's data with its whole history, as the review endpoints and the order's record show it."""
    return {**order, "history": [json.loads(t) for t in history_texts(db, id=order["id"])]}


def event_record_ids(db: Database, *, ids: list[str]) -> set[str]:
    """The records named in these orders' histories."""
    if not ids:
        return set()
    rows = db.execute(
        f"SELECT DISTINCT record_id FROM work_order_events WHERE record_id IS NOT NULL"
        f" AND order_id IN ({', '.join('?' for _ in ids)})",
        list(ids),
    ).fetchall()
    return {r[0] for r in rows}


def list_orders(
    db: Database,
    *,
    property_id: str,
    states: list[str] | None = None,
    kind: str | None = None,
    owner_id: str | None = None,
    due_before_utc: str | None = None,
    reported_from_utc: str | None = None,
    reported_before_utc: str | None = None,
    category: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Orders of a property, soonest deadline first (orders without one last)."""
    where = "property_id = ?"
    params: list[Any] = [property_id]
    if states:
        where += f" AND state IN ({', '.join('?' for _ in states)})"
        params += states
    if kind:
        where += " AND kind = ?"
        params.append(kind)
    if owner_id:
        where += " AND (assignee_id = ? OR responsible_id = ?)"
        params += [owner_id, owner_id]
    if due_before_utc:
        where += " AND due_at IS NOT NULL AND due_at < ?"
        params.append(due_before_utc)
    if reported_from_utc:
        where += " AND reported_at >= ?"
        params.append(reported_from_utc)
    if reported_before_utc:
        where += " AND reported_at < ?"
        params.append(reported_before_utc)
    if category:
        where += " AND json_extract(data, '$.category') = ?"
        params.append(category)
    return orders_where(db, where + " ORDER BY due_at IS NULL, due_at, reported_at, id LIMIT ?", [*params, limit])


def orders_where(db: Database, where: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = list(db.query(f"SELECT * FROM work_orders WHERE {where}", params))
    for row in rows:
        row["data_text"] = row["data"]  # as stored: an unchanged order is recognised without parsing
        row["data"] = json.loads(row["data"])
        row["scopes"] = json.loads(row["scopes"])
        row["visit_scopes"] = json.loads(row["visit_scopes"])
    return rows


def numbers_of(db: Database, *, ids: list[str]) -> dict[str, str]:
    """The number of each of these orders that is stored."""
    if not ids:
        return {}
    rows = db.execute(
        f"SELECT id, number FROM work_orders WHERE id IN ({', '.join('?' for _ in ids)})", list(ids)
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def rectification_hours(db: Database, *, property_id: str, default: int) -> int:
    """A property's own deadline for rectification notices, or the server's default."""
    row = db.execute("SELECT rectification_hours FROM property_rules WHERE property_id = ?", [property_id]).fetchone()
    return int(row[0]) if row else default


def set_rectification_hours(db: Database, *, property_id: str, hours: int) -> None:
    db.execute(
        "INSERT INTO property_rules (property_id, rectification_hours) VALUES (?, ?)"
        " ON CONFLICT (property_id) DO UPDATE SET rectification_hours = excluded.rectification_hours",
        [property_id, hours],
    )
