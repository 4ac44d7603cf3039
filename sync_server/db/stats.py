"""The grouped rows the figures are computed from (all the SQL): set-based, bounded by the period's indexes.

Each query returns one row per combination of the values ``shared.figures`` reads, with ``n`` how many
orders or visits share it, so the work done in Python does not grow with the history. Times in an order's
JSON are on the property's clock (with its offset): their first ten characters are the property day, and
``julianday`` compares them across offsets.
"""

from __future__ import annotations

from typing import Any

from sync_server.db import Database

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_stats",
        # orders opened in a period are found by their report time, not by a scan of the property's history
        "CREATE INDEX IF NOT EXISTS work_orders_reported ON work_orders (property_id, reported_at)",
    ),
]
VISIT_ACTIONS = ("return_visit_ok", "return_visit_failed", "return_visit_noted")
_DEADLINE = "(SELECT {expr} FROM json_each(w.data, '$.deadlines') d WHERE json_extract(d.value, '$.name') = '{name}')"
_SUBTREE = (
    "(WITH RECURSIVE t(id) AS (SELECT CAST(? AS TEXT) UNION SELECT p.id FROM places p JOIN t ON p.parent_id = t.id)"
    " SELECT id FROM t)"
)


def order_slices(slices: dict[str, str | None]) -> tuple[str, list[Any]]:
    """The SQL that keeps the orders of a slice: category, place (and what is inside it), specialist, assignee, kind."""
    where, params = "", []
    if slices.get("category"):
        where += " AND json_extract(w.data, '$.category') = ?"
        params.append(slices["category"])
    if slices.get("kind"):
        where += " AND w.kind = ?"
        params.append(slices["kind"])
    if slices.get("assignee_id"):
        where += " AND w.assignee_id = ?"
        params.append(slices["assignee_id"])
    if slices.get("specialist_id"):  # the specialist who reported it or owns its place
        where += " AND (w.responsible_id = ? OR EXISTS (SELECT 1 FROM json_each(w.data, '$.reporter_ids') r"
        where += " WHERE r.value = ?))"
        params += [slices["specialist_id"], slices["specialist_id"]]
    if slices.get("place_id"):
        where += f" AND w.place_id IN {_SUBTREE}"
        params.append(slices["place_id"])
    return where, params


def order_rows(
    db: Database,
    *,
    property_id: str,
    start_utc: str,
    end_utc: str,
    now_utc: str,
    slices: dict[str, str | None],
) -> list[dict[str, Any]]:
    """Orders reported in [start, end), grouped by day, kind, category, cause and how their deadlines went."""
    where, params = order_slices(slices)
    handling_met = _DEADLINE.format(expr="json_extract(d.value, '$.met_at') IS NOT NULL", name="handling")
    met, due, missed = (f"json_extract(d.value, '$.{k}')" for k in ("met_at", "due_at", "missed_at"))
    in_time = _DEADLINE.format(
        expr=f"CASE WHEN julianday({met}) <= julianday({due}) THEN 1 ELSE 0 END", name="handling"
    )
    overdue = (
        f"EXISTS (SELECT 1 FROM json_each(w.data, '$.deadlines') d WHERE {missed} IS NOT NULL"
        f" OR ({met} IS NULL AND julianday({due}) < julianday(?)) OR julianday({met}) > julianday({due}))"
    )
    reworked = "EXISTS (SELECT 1 FROM work_order_events e WHERE e.order_id = w.id AND e.action = 'rework_opened')"
    sql = f"""
        SELECT day, kind, category, cause, handled, in_time, overdue, reworked, COUNT(*) AS n FROM (
            SELECT substr(json_extract(w.data, '$.reported_at'), 1, 10) AS day, w.kind AS kind,
                json_extract(w.data, '$.category') AS category, json_extract(w.data, '$.cause') AS cause,
                {handling_met} AS handled, {in_time} AS in_time, {overdue} AS overdue, {reworked} AS reworked
            FROM work_orders w
            WHERE w.property_id = ? AND w.reported_at >= ? AND w.reported_at < ?{where}
        ) o GROUP BY day, kind, category, cause, handled, in_time, overdue, reworked
    """
    rows = list(db.query(sql, [now_utc, property_id, start_utc, end_utc, *params]))
    for row in rows:
        for flag in ("handled", "in_time"):
            row[flag] = None if row[flag] is None else bool(row[flag])
        row["overdue"], row["reworked"] = bool(row["overdue"]), bool(row["reworked"])
    return rows


def visit_rows(
    db: Database, *, property_id: str, day_from: str, day_to: str, slices: dict[str, str | None]
) -> list[dict[str, Any]]:
    """Return visits made on the period's days, by verdict and whether they came by the order's due time.

    The visits are found through the day index of the facts; only the orders they name are opened.
    """
    where, params = order_slices(slices)
    due = _DEADLINE.format(expr="json_extract(d.value, '$.due_at')", name="return_visit")
    sql = f"""
        WITH v AS (
            SELECT DISTINCT json_extract(body, '$.work_order_id') AS oid FROM recon_facts
            WHERE property_id = ? AND local_day BETWEEN ? AND ? AND type = 'return_visit'
        ), o AS (
            SELECT oid AS id FROM v UNION SELECT order_id FROM work_order_aliases WHERE alias IN (SELECT oid FROM v)
        ), e AS (
            SELECT e.record_id AS record_id, json_extract(e.data, '$.verdict') AS verdict,
                CASE WHEN julianday(e.at) <= julianday({due}) THEN 1 ELSE 0 END AS on_time
            FROM work_orders w JOIN work_order_events e ON e.order_id = w.id
            WHERE w.id IN (SELECT id FROM o) AND w.property_id = ?{where}
                AND e.action IN ({", ".join("?" for _ in VISIT_ACTIONS)})
                AND substr(e.at, 1, 10) BETWEEN ? AND ?
        )
        SELECT verdict, on_time, COUNT(*) AS n FROM (SELECT record_id, verdict, MAX(on_time) AS on_time FROM e
            GROUP BY record_id, verdict) v GROUP BY verdict, on_time
    """
    args = [property_id, day_from, day_to, property_id, *params, *VISIT_ACTIONS, day_from, day_to]
    rows = list(db.query(sql, args))
    for row in rows:
        row["on_time"] = bool(row["on_time"])
    return rows


def routes_due(
    db: Database, *, property_id: str, specialist_id: str | None, place_id: str | None
) -> list[dict[str, Any]]:
    """Live routes with their weekdays and how many live checkpoints (in the place, when one is given) they have."""
    where, params = "", []
    if specialist_id:
        where += " AND r.assigned_to = ?"
        params.append(specialist_id)
    if place_id:
        where += f" AND c.place_id IN {_SUBTREE}"
        params.append(place_id)
    sql = f"""
        SELECT r.id AS route_id, r.weekdays AS weekdays, COUNT(c.id) AS checkpoints
        FROM routes r JOIN checkpoints c ON c.route_id = r.id AND c.archived_at IS NULL
        WHERE r.property_id = ? AND r.archived_at IS NULL{where}
        GROUP BY r.id, r.weekdays
    """
    return list(db.query(sql, [property_id, *params]))


def checkpoints_visited(
    db: Database, *, property_id: str, day_from: str, day_to: str, place_id: str | None
) -> list[dict[str, Any]]:
    """Distinct live checkpoints visited per route and day (a second round or a correction visits none anew)."""
    where, params = "", []
    if place_id:
        where += f" AND c.place_id IN {_SUBTREE}"
        params.append(place_id)
    sql = f"""
        SELECT f.local_day AS day, c.route_id AS route_id, COUNT(DISTINCT f.checkpoint_id) AS visited
        FROM recon_facts f JOIN checkpoints c ON c.id = f.checkpoint_id AND c.archived_at IS NULL
        WHERE f.property_id = ? AND f.local_day BETWEEN ? AND ? AND f.type = 'checkpoint_visit'{where}
        GROUP BY f.local_day, c.route_id
    """
    return list(db.query(sql, [property_id, day_from, day_to, *params]))


def slots_checked(db: Database, *, property_id: str, day_from: str, day_to: str) -> list[dict[str, Any]]:
    sql = """
        SELECT permit_id, local_day AS day, COUNT(DISTINCT slot) AS checked FROM recon_facts
        WHERE property_id = ? AND local_day BETWEEN ? AND ? AND type = 'decoration_check' AND permit_id IS NOT NULL
        GROUP BY permit_id, local_day
    """
    return list(db.query(sql, [property_id, day_from, day_to]))


def violations(db: Database, *, property_id: str, day_from: str, day_to: str) -> list[dict[str, Any]]:
    """Violations the renovation checks of the period found, per permit (a corrected check counts once)."""
    sql = """
        SELECT permit_id, SUM(json_array_length(body, '$.violations')) AS violations FROM recon_facts f
        WHERE property_id = ? AND local_day BETWEEN ? AND ? AND type = 'decoration_check' AND permit_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM recon_facts s WHERE s.supersedes = f.id)
        GROUP BY permit_id HAVING SUM(json_array_length(body, '$.violations')) > 0
    """
    return list(db.query(sql, [property_id, day_from, day_to]))


def units_of(db: Database, *, property_id: str) -> int:
    row = db.execute(
        "SELECT COUNT(*) FROM places WHERE property_id = ? AND kind = 'unit' AND archived_at IS NULL", [property_id]
    ).fetchone()
    return int(row[0])
