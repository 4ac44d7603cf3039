"""The phone decides "today" and "overdue" by the server's time: the last answer's time plus the time passed since
on the monotonic clock; after a restart, the wall clock plus the offset the store kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mobile.server_clock import ServerClock
from mobile.store import open_store

SERVER = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


class Clocks:
    """The true time, a wall clock set 3 days fast, and a monotonic clock that starts at 1000 on each boot."""

    def __init__(self) -> None:
        self.true, self.boot = SERVER, SERVER

    def wall(self) -> datetime:
        return self.true + timedelta(days=3)

    def monotonic(self) -> float:
        return 1000 + (self.true - self.boot).total_seconds()


def test_the_servers_time_counts_on_by_the_monotonic_clock_and_survives_a_restart(tmp_path):
    clocks = Clocks()
    store = open_store(tmp_path / "phone.sqlite3")
    server_clock = ServerClock(store, wall=clocks.wall, monotonic=clocks.monotonic)
    assert server_clock.now() == clocks.wall()  # never heard from the server: its own clock is all it has
    server_clock.observe(SERVER.isoformat())
    clocks.true += timedelta(hours=5)
    assert server_clock.now() == clocks.true
    assert server_clock.offset() == -timedelta(days=3)
    local = {"origin": "local", "recorded_at": clocks.wall().isoformat()}
    pulled = {"origin": "server", "recorded_at": clocks.true.isoformat()}
    shown = server_clock.on_server_clock([local, pulled])
    assert [datetime.fromisoformat(r["recorded_at"]) for r in shown] == [clocks.true, clocks.true]
    store.close()

    clocks.true += timedelta(hours=1)
    clocks.boot = clocks.true  # the phone restarted: its monotonic clock starts over
    reopened = open_store(tmp_path / "phone.sqlite3")
    try:
        after = ServerClock(reopened, wall=clocks.wall, monotonic=clocks.monotonic)
        assert after.now() == clocks.true
    finally:
        reopened.close()


def test_a_phone_within_a_minute_of_the_server_keeps_its_own_times(tmp_path):
    clocks = Clocks()
    store = open_store(tmp_path / "phone.sqlite3")
    try:
        server_clock = ServerClock(store, wall=lambda: clocks.true + timedelta(seconds=20), monotonic=clocks.monotonic)
        server_clock.observe(SERVER)
        record = {"origin": "local", "recorded_at": SERVER.isoformat()}
        assert server_clock.offset() == timedelta(0)
        assert server_clock.on_server_clock([record]) == [record]
    finally:
        store.close()
