"""What a replay reads besides the stream's facts: the facts parsed once, and the property's premises.

Facts never change, so a stored fact parsed once is kept (parsing is most of reading one back); the
property's clock, its rectification deadline, who is responsible for each place and its permits are read
once a batch, and the last two only if a replay asks (most replays never complete an order).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from shared import parse
from shared.model import BODY_TYPES, RecordType, Role
from shared.reconcile_rules import Fact
from sync_server.db import Database, reference, work_orders
from sync_server.settings import Settings

V = TypeVar("V")


@dataclass(frozen=True)
class Premises:
    """What replays read of one property, read once a batch (most of it only if a replay asks)."""

    id: str
    tz: ZoneInfo
    rectification_hours: int
    responsible: Mapping[str, str]  # place id -> the specialist responsible for it
    permit_places: Mapping[str, str]  # renovation permit id -> its unit
    permit_passes: Mapping[str, int]  # renovation permit id -> worker passes registered

    @classmethod
    def read(cls, db: Database, settings: Settings, property_id: str, tz: ZoneInfo) -> Premises:
        hours = work_orders.rectification_hours(db, property_id=property_id, default=settings.rectification_hours)
        permits = Lazy(lambda: {p["id"]: p for p in reference.all_of(db, kind="permit", property_id=property_id)})
        return cls(
            property_id,
            tz,
            hours,
            Lazy(lambda: responsible_by_place(db, property_id=property_id)),
            Lazy(lambda: {k: p["unit_id"] for k, p in permits.items()}),
            Lazy(lambda: {k: p["passes_registered"] for k, p in permits.items()}),
        )


# ---- facts as the replay reads them ------------------------------------------------------------
def fact_of(row: dict[str, Any]) -> Fact:
    """The fact of a stored row; facts never change, so what was parsed once is kept (parsing is the cost)."""
    fact = _PARSED.get(_row_key(row))
    if fact is None:
        record_type = RecordType(row["type"])
        body: Any = parse.parse(BODY_TYPES[record_type], row["body"])
        at = datetime.fromisoformat(row["effective_at"])
        fact = Fact(row["id"], record_type, at, row["author_id"], Role(row["author_role"]), body, row["supersedes"])
        remember(fact, row)
    else:
        _PARSED.move_to_end(_row_key(row))
    return fact


def _row_key(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["id"], row["type"], row["effective_at"], row["author_id"], row["author_role"], row["body_text"])


def remember(fact: Fact, row: dict[str, Any]) -> None:
    _PARSED[_row_key(row)] = fact
    if len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)


_PARSED: OrderedDict[tuple[str, ...], Fact] = OrderedDict()
_PARSED_MAX = 50_000


class Lazy(Mapping[str, V]):
    """A mapping read from the database only if the replay asks (most replays never complete an order)."""

    def __init__(self, load: Callable[[], dict[str, V]]) -> None:
        self._load = load
        self._data: dict[str, V] | None = None

    def _get(self) -> dict[str, V]:
        if self._data is None:
            self._data = self._load()
        return self._data

    def __getitem__(self, key: str) -> V:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def responsible_by_place(db: Database, *, property_id: str) -> dict[str, str]:
    """The specialist responsible for each place: the one assigned to a patrol route with a checkpoint there.

    A unit or floor without its own checkpoint inherits from the nearest place above it that has one.
    """
    routes = {r["id"]: r["assigned_to"] for r in reference.all_of(db, kind="route", property_id=property_id)}
    direct: dict[str, str] = {}
    for checkpoint in reference.all_of(db, kind="checkpoint", property_id=property_id):
        owner = routes.get(checkpoint["route_id"])
        if owner:
            direct.setdefault(checkpoint["place_id"], owner)
    parents = {p["id"]: p["parent_id"] for p in reference.all_of(db, kind="place", property_id=property_id)}
    result: dict[str, str] = {}
    for place in parents:
        cursor: str | None = place
        while cursor is not None and cursor not in direct:
            cursor = parents.get(cursor)
        if cursor is not None:
            result[place] = direct[cursor]
    return result
