"""The rows of a period's exports, read lazily from a cursor so that 100,000 of them never sit in memory at once.

Stored times carry their own UTC offsets (a record's effective time is its phone's), so a period is compared
as instants with ``julianday``, never as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sync_server.db import Database

_PERIOD = "julianday({column}) >= julianday(?) AND julianday({column}) < julianday(?)"


def orders_between(db: Database, *, property_id: str, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Orders reported in [start, end), in the order they were reported."""
    yield from db.query(
        "SELECT number, kind, state, place_id, assignee_id, responsible_id, reported_at,"
        " json_extract(data, '$.category') AS category, json_extract(data, '$.severity') AS severity,"
        " json_extract(data, '$.due_at') AS due_at, json_extract(data, '$.closed_at') AS closed_at,"
        " json_extract(data, '$.cause') AS cause, json_extract(data, '$.owner_name') AS owner_name,"
        " json_extract(data, '$.description') AS description"
        f" FROM work_orders WHERE property_id = ? AND {_PERIOD.format(column='reported_at')}"
        " ORDER BY reported_at, number",
        [property_id, start.isoformat(), end.isoformat()],
    )


def records_between(db: Database, *, property_id: str, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Field records that happened in [start, end), one row each, with the words a person wrote in them."""
    yield from db.query(
        "SELECT id, type, author_id, effective_at, supersedes,"
        " json_extract(raw, '$.body.place_id') AS place_id,"
        " json_extract(raw, '$.body.category') AS category,"
        " coalesce(json_extract(raw, '$.body.description'), json_extract(raw, '$.body.comment'),"
        " json_extract(raw, '$.body.note'), '') AS description"
        f" FROM records WHERE property_id = ? AND {_PERIOD.format(column='effective_at')}"
        " ORDER BY effective_at, id",
        [property_id, start.isoformat(), end.isoformat()],
    )


def findings_between(db: Database, *, property_id: str, first: str, last: str) -> Iterator[dict[str, Any]]:
    """Findings of the property days first..last (ISO dates), by day."""
    yield from db.query(
        "SELECT id, kind, day, owner_id, json_extract(data, '$.place_id') AS place_id,"
        " json_extract(data, '$.message') AS message"
        " FROM findings WHERE property_id = ? AND day >= ? AND day <= ? ORDER BY day, kind, id",
        [property_id, first, last],
    )


def bare_records(db: Database, *, property_id: str, start: datetime, end: datetime) -> Iterator[tuple[Any, ...]]:
    """The same records as ``records_between``, as plain tuples: the benchmark's baseline."""
    yield from db.execute(
        "SELECT id, type, author_id, effective_at, supersedes,"
        " json_extract(raw, '$.body.place_id'), json_extract(raw, '$.body.category'),"
        " coalesce(json_extract(raw, '$.body.description'), json_extract(raw, '$.body.comment'),"
        " json_extract(raw, '$.body.note'), '')"
        f" FROM records WHERE property_id = ? AND {_PERIOD.format(column='effective_at')}"
        " ORDER BY effective_at, id",
        [property_id, start.isoformat(), end.isoformat()],
    )
