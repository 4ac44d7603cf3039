"""Benchmark: one findings refresh of a property with two weeks of a specialist's records.

The records (``tests.sync_server.helpers.record_mix``) go through the real push pipeline in process, the clock
following them. Then the refresh the server's tick runs (``schedule.refresh_findings``): its time, how long it
holds the write lock, and how many feed rows it publishes, first with nothing new, then after one more batch.
The floor, measured in the same run, is a bare read of what the refresh must judge: the window's facts and the
orders with an open deadline, parsed from JSON. The last line prints the ratio (refresh / floor).
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from sync_server import push, schedule  # noqa: E402
from sync_server.db import feed, open_db, transaction  # noqa: E402
from sync_server.settings import CHEAP_ARGON2, Settings  # noqa: E402
from tests.conftest import prepare_data_dir  # noqa: E402
from tests.sync_server.helpers import push_body, record_mix  # noqa: E402

RECORDS = 20_000  # one a minute: two weeks, so the refresh window (7 days) holds half of them
BATCH = 500
RUNS = 5
USER = {
    "id": "user-demo-specialist",
    "username": "demo-specialist",
    "name": "Li Na",
    "role": "specialist",
    "property_id": "demo",
    "device_id": "demo-specialist-phone",
}


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def fill(db, settings: Settings, clock: Clock, records: list[dict]) -> None:
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        clock.at = datetime.fromisoformat(batch[-1]["recorded_at"]) + timedelta(minutes=1)
        push.push_batch(db, settings, user=USER, body=push_body(USER["device_id"], batch))


def floor(db, settings: Settings, now: datetime) -> None:
    """What a refresh cannot avoid reading: the window's facts and the orders with an open deadline."""
    first = (now - timedelta(days=schedule.RECHECK_DAYS + 2)).date().isoformat()
    for (body,) in db.execute("SELECT body FROM recon_facts WHERE property_id = 'demo' AND local_day >= ?", [first]):
        json.loads(body)
    for (data,) in db.execute(
        "SELECT data -> '$.deadlines' FROM work_orders WHERE property_id = 'demo' AND due_at IS NOT NULL"
    ):
        json.loads(data)


@contextlib.contextmanager
def lock_timer(held: list[float]) -> Iterator[None]:
    """Time every write transaction the refresh takes."""
    original = schedule.transaction

    @contextlib.contextmanager
    def timed(db):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        with original(db) as inner:
            yield inner
        held.append(time.perf_counter() - started)

    schedule.transaction = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        schedule.transaction = original  # type: ignore[assignment]


def refresh(db, settings: Settings) -> tuple[float, float, int]:
    """(seconds, seconds holding the write lock, feed rows published) of one refresh."""
    held: list[float] = []
    before = feed.latest_seq(db)
    started = time.perf_counter()
    with lock_timer(held):
        done = schedule.refresh_findings(db, property_id="demo", settings=settings)
    assert done is not None
    return time.perf_counter() - started, sum(held), feed.latest_seq(db) - before


def main() -> None:
    records = record_mix(RECORDS + BATCH)
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
        settings = Settings(data_dir=Path(tmp), argon2=CHEAP_ARGON2, now=clock.now, findings_tick_seconds=0)
        prepare_data_dir(settings, other_property=False)
        db = open_db(settings.db_path)
        with transaction(db):  # the schedules started with the records
            db.execute("INSERT INTO schedule_start (property_id, day) VALUES ('demo', '2026-11-23')")
        started = time.perf_counter()
        fill(db, settings, clock, records[:RECORDS])
        print(f"pushed {RECORDS} records in {time.perf_counter() - started:.1f} s")
        first = refresh(db, settings)
        count = db.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
        print(
            f"first refresh (every day since the start): {first[0]:.3f} s, {first[2]} rows published, {count} findings"
        )
        idle = [refresh(db, settings) for _ in range(RUNS)]
        seconds = statistics.median(r[0] for r in idle)
        held = statistics.median(r[1] for r in idle)
        print(
            f"refresh with nothing new: {seconds * 1000:.0f} ms, write lock held {held * 1000:.1f} ms,"
            f" rows published {[r[2] for r in idle]}"
        )
        fill(db, settings, clock, records[RECORDS:])
        after = refresh(db, settings)
        print(
            f"refresh after one more batch of {BATCH}: {after[0] * 1000:.0f} ms,"
            f" write lock held {after[1] * 1000:.1f} ms, {after[2]} rows published"
        )
        floor(db, settings, clock.now())
        bare = []
        for _ in range(RUNS):
            started = time.perf_counter()
            floor(db, settings, clock.now())
            bare.append(time.perf_counter() - started)
        db.close()
    floor_s = statistics.median(bare)
    print(f"floor (bare read of the window's facts and the open orders): {floor_s * 1000:.0f} ms")
    print(f"ratio refresh/floor: {seconds / floor_s:.1f}")


if __name__ == "__main__":
    main()
