"""The days a findings refresh looks at, on the property's own clock, and the shape of one finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from shared.rules import day_ends_at, local_day


@dataclass(frozen=True)
class Window:
    """Whole property days, oldest first, the last one today; ``now`` decides what is due yet.

    A finder that meets something not due yet (a slot, a day or a deadline ending later) calls ``due_later``:
    the earliest of those moments is when the findings must be computed again, with no new fact.
    """

    property_id: str
    tz: ZoneInfo
    now: datetime
    days: list[date]
    boundaries: list[datetime] = field(default_factory=list)
    known_days: dict[str, date] = field(default_factory=dict, repr=False)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.days[0], time(0), self.tz)

    @property
    def end(self) -> datetime:
        return day_ends_at(self.days[-1], self.tz)

    def day_of(self, at: str | datetime) -> date:
        """The property day of a moment (a stored ISO text or a datetime)."""
        if not isinstance(at, str):
            return local_day(at, self.tz)
        day = self.known_days.get(at)
        if day is None:  # many deadlines share a due time: converting zones is a large share of a refresh
            day = self.known_days[at] = local_day(datetime.fromisoformat(at), self.tz)
        return day

    def covers(self, day: date) -> bool:
        return self.days[0] <= day <= self.days[-1]

    def due_later(self, at: datetime) -> None:
        self.boundaries.append(at)

    @property
    def next_due(self) -> datetime:
        """The earliest moment after ``now`` at which a finding may fall due; the end of today at the latest."""
        return min([self.end, *(b for b in self.boundaries if b >= self.now)])  # due exactly now: late a moment later


def finding(kind: str, key: str, day: date, message: str, **fields: Any) -> dict[str, Any]:
    """One finding: ``id`` is stable (kind + what it is about), so a refresh updates it instead of adding one."""
    return {
        "id": f"{kind}:{key}",
        "kind": kind,
        "day": day.isoformat(),
        "message": message,
        "owner_id": fields.pop("owner_id", None),
        "owner_role": fields.pop("owner_role", None),
        "at": fields.get("due_at") or day.isoformat(),  # when it became a miss, for sorting and display
        **fields,
    }
