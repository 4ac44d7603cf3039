"""The figures of a property for a period and a slice: grouped rows from ``db.stats`` into ``shared.figures``.

A period is a range of property days, ``start`` to ``end`` inclusive, on the property's own clock. Patrol
and renovation-check completion count only days that are over (a route due today is not missed yet), and
take only the ``specialist_id`` and ``place_id`` slices (a category, kind or maintenance person has no
patrol); violations per permit take none.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shared import figures
from shared.rules import day_ends_at, permit_checks_due_on, route_due_on
from sync_server.db import Database, reference
from sync_server.db import stats as stored
from sync_server.settings import Settings

SLICES = ("category", "place_id", "specialist_id", "assignee_id", "kind")


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def figures_for(
    db: Database,
    settings: Settings,
    property_id: str,
    start: date,
    end: date,
    **slices: str | None,
) -> dict[str, Any]:
    """The Figures JSON (``shared.figures``) of the property days ``start``..``end`` for this slice."""
    unknown = set(slices) - set(SLICES)
    if unknown:
        raise TypeError(f"unknown slices: {sorted(unknown)}")
    tz = reference.property_tz(db, property_id=property_id, default=settings.tz)
    now = settings.now()
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    ended = [d for d in days if day_ends_at(d, tz) <= now]
    first, last = start.isoformat(), end.isoformat()
    order_rows = stored.order_rows(
        db,
        property_id=property_id,
        start_utc=_utc(datetime.combine(start, time(0), tz)),
        end_utc=_utc(day_ends_at(end, tz)),
        now_utc=_utc(now),
        slices=slices,
    )
    visit_rows = stored.visit_rows(db, property_id=property_id, day_from=first, day_to=last, slices=slices)
    return figures.figures(
        period={"from": first, "to": last, "tz": tz.key},
        days=[d.isoformat() for d in days],
        order_rows=order_rows,
        visit_rows=visit_rows,
        patrol_rows=_patrol_rows(db, property_id, ended, slices),
        slot_rows=_slot_rows(db, property_id, ended),
        violation_rows=stored.violations(db, property_id=property_id, day_from=first, day_to=last),
        units=stored.units_of(db, property_id=property_id),
    )


def _patrol_rows(
    db: Database, property_id: str, days: list[date], slices: dict[str, str | None]
) -> list[dict[str, Any]]:
    """Checkpoints due and visited per route and day: a route is due on its weekdays, all its checkpoints."""
    if not days:
        return []
    routes = stored.routes_due(
        db, property_id=property_id, specialist_id=slices.get("specialist_id"), place_id=slices.get("place_id")
    )
    visited = {
        (r["day"], r["route_id"]): r["visited"]
        for r in stored.checkpoints_visited(
            db,
            property_id=property_id,
            day_from=days[0].isoformat(),
            day_to=days[-1].isoformat(),
            place_id=slices.get("place_id"),
        )
    }
    return [
        {"due": route["checkpoints"], "visited": visited.get((day.isoformat(), route["route_id"]), 0)}
        for route in routes
        for day in days
        if route_due_on(day, route["weekdays"])
    ]


def _slot_rows(db: Database, property_id: str, days: list[date]) -> list[dict[str, Any]]:
    """Renovation check slots due and checked per permit and day: two a day while the permit runs (not once it
    has ended, see ``shared.rules.permit_checks_due_on``)."""
    if not days:
        return []
    first, last = days[0].isoformat(), days[-1].isoformat()
    checked = {
        (r["permit_id"], r["day"]): r["checked"]
        for r in stored.slots_checked(db, property_id=property_id, day_from=first, day_to=last)
    }
    rows = []
    for permit in reference.permits_between(db, property_id=property_id, day_from=first, day_to=last):
        for day in days:
            if permit_checks_due_on(day, permit):
                rows.append({"due": 2, "checked": checked.get((permit["id"], day.isoformat()), 0)})
    return rows
