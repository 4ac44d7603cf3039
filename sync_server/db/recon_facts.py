"""Reconciliation's index of facts (all the SQL): every stored field record, plus actions made at the desk.

``recon_facts`` (created by ``orders.MIGRATIONS``) has the columns the replay, the schedules and the
log search by; ``body`` is the record's body as ``work_orders.body_text`` stores it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sync_server.db import Database

FACT_COLUMNS = (
    "id property_id type author_id author_role effective_at local_day clock_flag source stream order_ref visit_id"
    " place_id route_id round_id checkpoint_id permit_id slot supersedes body"
).split()


def insert_fact(db: Database, *, fact: dict[str, Any]) -> bool:
    """Index one fact (its body as ``body_text``); False when its id is there already (a repeat changes nothing)."""
    row = {c: fact.get(c) for c in FACT_COLUMNS}
    row["body"] = fact["body_text"]
    row["source"] = row["source"] or "device"
    cursor = db.execute(
        f"INSERT INTO recon_facts ({', '.join(FACT_COLUMNS)}) VALUES ({', '.join('?' for _ in FACT_COLUMNS)})"
        " ON CONFLICT (id) DO NOTHING",
        list(row.values()),
    )
    return cursor.rowcount == 1


def get_fact(db: Database, *, id: str) -> dict[str, Any] | None:
    rows = facts_where(db, "id = ?", [id])
    return rows[0] if rows else None


def facts_of_stream(db: Database, *, stream: str) -> list[dict[str, Any]]:
    return facts_where(db, "stream = ?", [stream])


def facts_with_visit(db: Database, *, visit_id: str) -> list[dict[str, Any]]:
    return facts_where(db, "visit_id = ?", [visit_id])


def facts_by_ids(db: Database, *, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return facts_where(db, f"id IN ({', '.join('?' for _ in ids)})", list(ids))


def chain_of(db: Database, *, id: str) -> list[dict[str, Any]]:
    """A record and the records it corrects, back to the first one (that one last); [] when it is not stored."""
    chain: list[dict[str, Any]] = []
    row = get_fact(db, id=id)
    while row is not None and row["id"] not in {r["id"] for r in chain}:
        chain.append(row)
        row = get_fact(db, id=row["supersedes"]) if row["supersedes"] else None
    return chain


def superseded_among(db: Database, *, ids: list[str]) -> set[str]:
    """Which of these fact ids a later fact supersedes."""
    if not ids:
        return set()
    rows = db.execute(
        f"SELECT supersedes FROM recon_facts WHERE supersedes IN ({', '.join('?' for _ in ids)})", list(ids)
    ).fetchall()
    return {r[0] for r in rows}


def log_facts(
    db: Database,
    *,
    property_id: str,
    day_from: str,
    day_to: str,
    types: list[str],
    author_id: str | None = None,
    place_id: str | None = None,
    category: str | None = None,
    text: str | None = None,
    limit: int = 2000,
) -> list[dict[str, Any]]:
    """Facts of a range of property days for the log, oldest first; ``text`` is searched in what was typed."""
    where = f"property_id = ? AND local_day BETWEEN ? AND ? AND type IN ({', '.join('?' for _ in types)})"
    params: list[Any] = [property_id, day_from, day_to, *types]
    for column, value in (("author_id", author_id), ("place_id", place_id)):
        if value:
            where += f" AND {column} = ?"
            params.append(value)
    if category:
        where += " AND json_extract(body, '$.category') = ?"
        params.append(category)
    if text:  # bodies are stored unescaped (ensure_ascii=False): Chinese matches as typed, ASCII in any case
        where += " AND instr(lower(body), lower(?)) > 0"
        params.append(text)
    return facts_where(
        db,
        f"{where} AND id IN (SELECT id FROM recon_facts WHERE {where} ORDER BY effective_at, id LIMIT ?)",
        [*params, *params, limit],
    )


def facts_of_rounds(db: Database, *, round_ids: list[str]) -> list[dict[str, Any]]:
    if not round_ids:
        return []
    return facts_where(db, f"round_id IN ({', '.join('?' for _ in round_ids)})", list(round_ids))


def facts_between(
    db: Database, *, property_id: str, start: datetime, end: datetime, types: list[str]
) -> list[dict[str, Any]]:
    """Facts of some types that happened in [start, end), oldest first.

    By time, not by the stored ``local_day``: the schedules count days on the property's own clock,
    which need not be the zone a fact's day was indexed in. That day is never more than two days off,
    so it still narrows the search through its index.
    """
    lo, hi = (start - timedelta(days=2)).date().isoformat(), (end + timedelta(days=2)).date().isoformat()
    where = (
        f"property_id = ? AND local_day BETWEEN ? AND ? AND type IN ({', '.join('?' for _ in types)})"
        " AND effective_at >= ? AND effective_at < ?"
    )
    return facts_where(db, where, [property_id, lo, hi, *types, _utc(start), _utc(end)])


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")  # as effective_at is stored: it sorts as text


def versions_of(db: Database, *, ids: list[str]) -> list[dict[str, Any]]:
    """These facts and every fact linked to them by corrections (``supersedes``), either way, transitively."""
    found: dict[str, dict[str, Any]] = {}
    asked: set[str] = set()
    frontier = set(ids)
    while frontier:
        asked |= frontier
        marks = ", ".join("?" for _ in frontier)
        for row in facts_where(db, f"id IN ({marks}) OR supersedes IN ({marks})", [*frontier, *frontier]):
            found[row["id"]] = row
        linked = {r["id"] for r in found.values()} | {r["supersedes"] for r in found.values() if r["supersedes"]}
        frontier = linked - asked
    return sorted(found.values(), key=lambda r: (r["effective_at"], r["id"]))


def facts_naming_visits(db: Database, *, visit_ids: list[str]) -> list[dict[str, Any]]:
    """Facts (defect reports) that name one of these checkpoint visits."""
    if not visit_ids:
        return []
    return facts_where(db, f"visit_id IN ({', '.join('?' for _ in visit_ids)})", list(visit_ids))


def facts_where(db: Database, where: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = list(db.query(f"SELECT * FROM recon_facts WHERE {where} ORDER BY effective_at, id", params))
    for row in rows:
        row["body_text"] = row["body"]  # the exact stored text: a key for caching what was parsed from it
        row["body"] = json.loads(row["body"])
    return rows
