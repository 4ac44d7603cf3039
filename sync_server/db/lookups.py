"""Look-ups for checking what a record or request names: stored records, orders by id or alias."""

from __future__ import annotations

import json
from typing import Any

from sync_server.db import Database


def record_head(db: Database, *, id: str) -> dict[str, Any] | None:
    """A stored record's type, property, author, body and the record that corrects it (if any)."""
    row = db.execute(
        "SELECT r.type, r.property_id, r.author_id, r.raw,"
        " (SELECT c.id FROM records c WHERE c.supersedes = r.id LIMIT 1)"
        " FROM records r WHERE r.id = ?",
        [id],
    ).fetchone()
    if row is None:
        return None
    record_type, property_id, author_id, raw, superseded_by = row
    body = json.loads(raw)["body"]
    return {
        "id": id,
        "type": record_type,
        "property_id": property_id,
        "author_id": author_id,
        "body": body,
        "superseded_by": superseded_by,
    }


def order_by_ref(db: Database, *, ref: str) -> dict[str, Any] | None:
    """The order a work_order_id names, by its id or by an alias (``wo-<id of any record it grew from>``)."""
    row = db.execute(
        "SELECT id, property_id, json_extract(data, '$.assignee_id') FROM work_orders"
        " WHERE id = ? OR id = (SELECT order_id FROM work_order_aliases WHERE alias = ?)",
        [ref, ref],
    ).fetchone()
    if row is None:
        return None
    return {"id": row[0], "property_id": row[1], "assignee_id": row[2]}
