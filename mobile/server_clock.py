"""The server's time as this phone knows it: "today" and "overdue" are decided by it, never by the phone's clock.

A phone's clock may be days off (set by hand, never synced). Each push and pull answer says the server's
time; from the last one the phone counts forward on its monotonic clock, which no one can set. The
difference to the wall clock (the offset) is kept in the store, so after a restart (when the monotonic
clock starts over) the wall clock plus that offset stands in until the next answer.

Records keep the wall clock's time (``recorded_at``) and every push says the wall clock at sending
(``sent_at``): the server measures the same offset and corrects the records by it
(``shared.rules.effective_time``). On this phone, records made here are shown on the server's clock
by the same rule (``on_server_clock``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from mobile.store import Store
from shared import rules


class ServerClock:
    def __init__(
        self,
        store: Store,
        *,
        wall: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store, self.wall, self.monotonic = store, wall, monotonic
        self._anchor: tuple[datetime, float] | None = None  # (server time, monotonic reading) of the last answer
        self._lock = threading.Lock()  # answers arrive on the sync thread, screens read on the UI thread
        self._kept = store.clock_offset  # seconds, as the store keeps them (read once: lists ask per row)

    def observe(self, server_time: str | datetime | None) -> None:
        """A server answer said its time: count from it, and keep the offset for after a restart."""
        server = _parse(server_time)
        if server is None:
            return
        offset = (server - self.wall()).total_seconds()
        with self._lock:
            self._anchor, self._kept = (server, self.monotonic()), offset
        self.store.set_clock_offset(offset)

    def now(self) -> datetime:
        """The server's time now, in the wall clock's zone."""
        wall = self.wall()
        with self._lock:
            anchor, kept = self._anchor, self._kept
        if anchor is not None:
            server, reading = anchor
            at = server + timedelta(seconds=self.monotonic() - reading)
        else:
            at = wall + timedelta(seconds=kept or 0.0)
        return at.astimezone(wall.tzinfo) if wall.tzinfo else at

    def offset(self) -> timedelta:
        """What to add to this phone's wall-clock times to put them on the server's clock (shared rule)."""
        wall = self.wall()
        return rules.clock_offset(wall, self.now())

    def on_server_clock(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Records with those made here moved onto the server's clock (pulled ones already are)."""
        shift = self.offset()
        if not shift:
            return records
        return [_shifted(r, shift) if r.get("origin") == "local" else r for r in records]


def _shifted(record: dict[str, Any], shift: timedelta) -> dict[str, Any]:
    at = _parse(record.get("recorded_at"))
    return record if at is None else {**record, "recorded_at": (at + shift).isoformat()}


def _parse(value: str | datetime | None) -> datetime | None:
    if isinstance(value, datetime):
        at = value
    else:
        try:
            at = datetime.fromisoformat(str(value)) if value else None
        except ValueError:
            return None
    if at is None:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
