"""Findings (what was missed or is late) and the bookkeeping of when they were last computed (all the SQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from shared.model import WorkOrderState
from sync_server.db import Database, dialect, read_snapshot, recon_facts

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_findings",
        """
        CREATE TABLE findings (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            day TEXT NOT NULL,
            owner_id TEXT,
            data TEXT NOT NULL,
            scopes TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX findings_property_day ON findings (property_id, day);
        CREATE TABLE findings_refreshed (
            property_id TEXT PRIMARY KEY,
            at TEXT NOT NULL
        );
        CREATE TABLE schedule_start (
            property_id TEXT PRIMARY KEY,
            day TEXT NOT NULL
        );
        """,
    ),
    (
        "0002_refreshed_through",
        # the last property day the findings were computed for: the next refresh starts there, so days
        # nobody looked at are still covered
        "ALTER TABLE schedule_start ADD COLUMN refreshed_through TEXT",
    ),
    (
        "0003_ack",
        # a supervisor's acknowledgement lives beside the computed data: a refresh rewrites data, not these
        """
        ALTER TABLE findings ADD COLUMN acked_by TEXT;
        ALTER TABLE findings ADD COLUMN acked_at TEXT;
        ALTER TABLE findings ADD COLUMN ack_note TEXT;
        ALTER TABLE findings ADD COLUMN assigned_to TEXT;
        """,
    ),
    (
        "0004_due",
        # When a property's findings must be computed again: pushes count ``changes``, a refresh records the
        # count it computed from (``seen``) and the next moment a deadline, slot or day ends (``next_due_at``).
        # The server's tick reads this small table; nobody recomputes findings in a request any more.
        """
        CREATE TABLE findings_due (
            property_id TEXT PRIMARY KEY,
            changes INTEGER NOT NULL DEFAULT 0,
            seen INTEGER NOT NULL DEFAULT 0,
            refreshed_at TEXT,
            next_due_at TEXT
        );
        DROP TABLE findings_refreshed;
        """,
    ),
]
ACK_COLUMNS = ("acked_by", "acked_at", "ack_note", "assigned_to")
# the fields of an order that its findings read (and the first reporter, in ``reporter_ids``)
ORDER_FIELDS = (
    "id",
    "kind",
    "number",
    "place_id",
    "permit_id",
    "assignee_id",
    "reported_at",
    "deadlines",
    "permit_flagged",
    "violation_checks",
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def findings_from(db: Database, *, property_id: str, day_from: str) -> list[dict[str, Any]]:
    rows = list(
        db.query(
            "SELECT * FROM findings WHERE property_id = ? AND day >= ? ORDER BY day, kind, id", [property_id, day_from]
        )
    )
    for row in rows:
        row["data"] = json.loads(row["data"])
        row["scopes"] = json.loads(row["scopes"])
    return rows


def findings_by_ids(db: Database, *, ids: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in range(0, len(ids), 500):
        chunk = ids[n : n + 500]
        rows += db.query(f"SELECT * FROM findings WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)
    for row in rows:
        row["data"] = json.loads(row["data"])
        row["scopes"] = json.loads(row["scopes"])
    return rows


def list_findings(
    db: Database,
    *,
    property_id: str,
    day: str | None = None,
    kind: str | None = None,
    owner_id: str | None = None,
) -> list[dict[str, Any]]:
    where, params = "property_id = ?", [property_id]
    for column, value in (("day", day), ("kind", kind), ("owner_id", owner_id)):
        if value:
            where += f" AND {column} = ?"
            params.append(value)
    columns = ", ".join(ACK_COLUMNS)
    rows = db.query(f"SELECT data, {columns} FROM findings WHERE {where} ORDER BY day DESC, kind, id", params)
    return [_with_ack(json.loads(r["data"]), r) for r in rows]


def _with_ack(data: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The finding as readers see it: with its acknowledgement once it has one (the computed data has none)."""
    if row["acked_at"] is None:
        return data
    return {**data, **{c: row[c] for c in ACK_COLUMNS}}


def get_finding(db: Database, *, id: str) -> dict[str, Any] | None:
    """One finding as readers see it, with its property and scopes."""
    rows = list(
        db.query(f"SELECT property_id, scopes, data, {', '.join(ACK_COLUMNS)} FROM findings WHERE id = ?", [id])
    )
    if not rows:
        return None
    row = rows[0]
    return {
        "property_id": row["property_id"],
        "scopes": json.loads(row["scopes"]),
        "data": _with_ack(json.loads(row["data"]), row),
    }


def ack_finding(
    db: Database,
    *,
    id: str,
    acked_by: str,
    acked_at: str,
    note: str,
    assigned_to: str | None,
    scopes: list[str],
) -> None:
    """Store the acknowledgement and who sees the finding now (its assignee too, in every later version)."""
    db.execute(
        "UPDATE findings SET acked_by = ?, acked_at = ?, ack_note = ?, assigned_to = ?, scopes = ? WHERE id = ?",
        [acked_by, acked_at, note, assigned_to, _json(scopes), id],
    )


def save_finding(db: Database, *, data: dict[str, Any], scopes: list[str]) -> dict[str, Any]:
    """Store the computed finding (keeping its acknowledgement); return it as readers see it (to publish)."""
    db.execute(
        "INSERT INTO findings (id, property_id, kind, day, owner_id, data, scopes) VALUES (?,?,?,?,?,?,?)"
        " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, day = excluded.day, owner_id = excluded.owner_id,"
        " data = excluded.data, scopes = excluded.scopes",
        [data["id"], data["property_id"], data["kind"], data["day"], data["owner_id"], _json(data), _json(scopes)],
    )
    row = db.execute(f"SELECT {', '.join(ACK_COLUMNS)} FROM findings WHERE id = ?", [data["id"]]).fetchone()
    return _with_ack(data, dict(zip(ACK_COLUMNS, row, strict=True)))


def delete_finding(db: Database, *, id: str) -> None:
    db.execute("DELETE FROM findings WHERE id = ?", [id])


def utc(at: datetime) -> str:
    """How moments are stored here: UTC text that sorts as time."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def mark_findings_stale(db: Database, *, property_id: str) -> None:
    """New facts arrived: the next tick recomputes the findings (the push itself never does)."""
    db.execute(
        "INSERT INTO findings_due (property_id, changes) VALUES (?, 1)"
        " ON CONFLICT (property_id) DO UPDATE SET changes = findings_due.changes + 1",
        [property_id],
    )


def due_properties(db: Database, *, now: datetime, refreshed_before: datetime) -> list[str]:
    """Properties never refreshed, stale (facts arrived since), past a boundary, or last refreshed long ago."""
    rows = db.execute(
        "SELECT p.id FROM properties p LEFT JOIN findings_due d ON d.property_id = p.id"
        " WHERE d.refreshed_at IS NULL OR d.changes > d.seen OR d.next_due_at <= ? OR d.refreshed_at < ?"
        " ORDER BY p.id",
        [utc(now), utc(refreshed_before)],
    ).fetchall()
    return [str(r[0]) for r in rows]


def refresh_mark(db: Database, *, property_id: str) -> tuple[int, int, str | None]:
    """(changes, seen, refreshed_at): read before computing, compared before writing what was computed."""
    row = db.execute(
        "SELECT changes, seen, refreshed_at FROM findings_due WHERE property_id = ?", [property_id]
    ).fetchone()
    return (int(row[0]), int(row[1]), row[2]) if row else (0, 0, None)


def mark_refreshed(db: Database, *, property_id: str, seen: int, at: datetime, next_due_at: datetime) -> None:
    db.execute(
        "INSERT INTO findings_due (property_id, changes, seen, refreshed_at, next_due_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (property_id) DO UPDATE SET seen = excluded.seen, refreshed_at = excluded.refreshed_at,"
        " next_due_at = excluded.next_due_at",
        [property_id, seen, seen, utc(at), utc(next_due_at)],
    )


snapshot = read_snapshot  # a read transaction: every query sees one committed state, no write lock


def schedule_started(db: Database, *, property_id: str) -> str | None:
    """The first property day the server looked at the schedules (None before): nothing before it is missed."""
    row = db.execute("SELECT day FROM schedule_start WHERE property_id = ?", [property_id]).fetchone()
    return str(row[0]) if row else None


def start_schedule(db: Database, *, property_id: str, today: str) -> None:
    db.execute(
        "INSERT INTO schedule_start (property_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING", [property_id, today]
    )


def refreshed_through(db: Database, *, property_id: str) -> str | None:
    """The last property day a refresh covered (None before the first)."""
    row = db.execute("SELECT refreshed_through FROM schedule_start WHERE property_id = ?", [property_id]).fetchone()
    return str(row[0]) if row and row[0] else None


def mark_refreshed_through(db: Database, *, property_id: str, day: str) -> None:
    db.execute("UPDATE schedule_start SET refreshed_through = ? WHERE property_id = ?", [day, property_id])


def order_candidates(db: Database, *, property_id: str, day_from: str, order_ids: list[str]) -> list[dict[str, Any]]:
    """The orders whose findings a refresh must judge, found through indexes (not every order ever made).

    An open deadline (due or overdue), a fact of the order's stream on the window's days (a deadline met or
    missed, a new report), or a stored finding of the window naming it (so it is judged again, not dropped).
    """
    states = [s.value for s in WorkOrderState]
    marks = ", ".join("?" for _ in states)
    ids = [
        str(r[0])
        for r in db.execute(
            f"SELECT id FROM work_orders WHERE property_id = ? AND state IN ({marks}) AND due_at IS NOT NULL"
            " UNION SELECT w.id FROM work_orders w WHERE w.property_id = ? AND w.stream IN"
            " (SELECT DISTINCT stream FROM recon_facts WHERE property_id = ? AND local_day >= ? AND stream IS NOT NULL)"
            " UNION SELECT w.id FROM work_orders w, json_each(?) j WHERE w.id = j.value",
            [property_id, *states, property_id, property_id, day_from, json.dumps(order_ids)],
        ).fetchall()
    ]
    fields = dialect.json_subset(db.dialect, "data", ORDER_FIELDS, firsts=["reporter_ids"])
    found: list[dict[str, Any]] = []
    for n in range(0, len(ids), 500):
        chunk = ids[n : n + 500]
        # only what findings read, extracted by the database: an order's history can be megabytes of JSON
        rows = db.execute(
            f"SELECT {fields} FROM work_orders WHERE id IN ({', '.join('?' for _ in chunk)})",
            chunk,
        ).fetchall()
        found += [{"data": json.loads(r[0])} for r in rows]
    return sorted(found, key=lambda o: str(o["data"]["id"]))


def flagged_facts(
    db: Database, *, property_id: str, day_from: str, day_to: str, start: str, end: str
) -> list[dict[str, Any]]:
    """Facts whose device clock looked wrong, effective in [start, end) (UTC text): found without reading the rest."""
    return recon_facts.facts_where(
        db,
        "property_id = ? AND local_day BETWEEN ? AND ? AND clock_flag IS NOT NULL"
        " AND effective_at >= ? AND effective_at < ?",
        [property_id, day_from, day_to, start, end],
    )
