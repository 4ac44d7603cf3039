"""What was due and missed, on the property's own calendar, even when nobody looked for a while."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sync_server.db import open_db
from sync_server.demo import load_demo
from tests.scenarios.harness import SPECIALIST, local

NEW_YORK = ZoneInfo("America/New_York")


def days(first: date, count: int) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range(count)]


def test_findings_of_a_week_nobody_looked_at_are_recorded(field):
    field.phone(SPECIALIST)  # logged in on Monday morning; then nobody walks, checks or syncs for a week
    field.at(local(30, 9, 30))

    missed = field.findings("patrol.route_missed")
    week = days(date(2026, 11, 23), 7)
    for route in ("demo-r1", "demo-r2"):
        assert sorted(f["day"] for f in missed if f["route_id"] == route) == week
    checks = field.findings("decoration.check_missed", permit_id="demo-permit1")
    assert sorted({f["day"] for f in checks}) == week
    assert len(checks) == 2 * 7


def test_findings_of_the_last_days_nobody_looked_at_are_recorded(field):
    field.phone(SPECIALIST)
    field.at(local(26, 9, 30))  # three days on, the supervisor looks for the first time

    missed = field.findings("patrol.route_missed")
    assert sorted((f["route_id"], f["day"]) for f in missed) == [
        (route, day) for route in ("demo-r1", "demo-r2") for day in days(date(2026, 11, 23), 3)
    ]


def test_property_time_zone_decides_the_day(field, settings):
    # A second property in New York on a server configured for Shanghai.
    db = open_db(settings.db_url)
    try:
        load_demo(db, dataclasses.replace(settings, tz_name="America/New_York"), property_id="ny", prefix="ny")
    finally:
        db.close()
    field.tick()  # the server's next tick starts the new property's schedules
    assert field.clock.now() == local(22, 20, 30, tz=NEW_YORK)  # Sunday evening there, Monday morning in Shanghai

    specialist = field.phone("ny-specialist")
    assert specialist.ctx.tz == NEW_YORK  # the phone learned its property's zone from the first pull
    for route in ("ny-r1", "ny-r2"):
        specialist.walk(route)
    specialist.sync()

    field.at(local(24, 0, 30, tz=NEW_YORK))  # Monday is over in New York (and not walked); Tuesday noon in Shanghai
    field.tick()
    supervisor = field.phone("ny-supervisor")
    found = [f for f in supervisor.items("finding") if f["kind"] == "patrol.route_missed"]
    assert sorted((f["route_id"], f["day"]) for f in found) == [("ny-r1", "2026-11-23"), ("ny-r2", "2026-11-23")]
    response = supervisor.ctx.http.get(
        f"{field.url}/api/v1/log",
        params={"day": "2026-11-22"},
        headers={"Authorization": f"Bearer {supervisor.ctx.store.token}"},
    )
    assert response.status_code == 200, response.text
    log = response.json()["entries"]
    assert {e["route_id"] for e in log if e["type"] == "patrol_round"} == {"ny-r1", "ny-r2"}
    assert all(e["at"].endswith("-05:00") for e in log)  # times read on the property's clock
