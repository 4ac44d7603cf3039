"""Work orders, their numbers and the property rules (all the SQL).

The tables are created by ``orders.MIGRATIONS``, with the rest of reconciliation's tables.
"""

from __future__ import annotations

import json
from typing import Any

from sync_server.db import Database


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
