"""Patrol completion from rounds walked with the app: checkpoints visited / due, routes due on their weekdays."""

from __future__ import annotations

from tests.sync_server.app_patrol import walk
from tests.work_order_records import Phone


def test_patrol_completion_counts_each_due_checkpoint_once_on_the_days_that_are_over(client, clock, server_db):
    server_db.execute("UPDATE routes SET weekdays = 'mon' WHERE id = 'demo-r2'")  # r2 only on Mondays
    spec, sup = Phone(client, "demo-specialist"), Phone(client, "demo-supervisor")
    walk(spec, "demo-r1", [1, 2, 3, 4, 5, 6, 7], clock.now)  # Monday 23: all of r1
    clock.advance(hours=2)
    walk(spec, "demo-r1", [1, 2], clock.now)  # a second round visits nothing new
    clock.advance(hours=3)
    walk(spec, "demo-r2", [1, 2], clock.now)  # half of r2
    period = {"from": "2026-11-23", "to": "2026-11-24"}
    today = sup.get("/api/v1/stats", **period)["counts"]
    assert (today["checkpoints_due"], today["checkpoints_visited"]) == (0, 0)  # Monday is not over yet
    clock.advance(days=2)  # Wednesday: Monday and Tuesday are over; nobody walked on Tuesday
    found = sup.get("/api/v1/stats", **period)
    assert (found["counts"]["checkpoints_due"], found["counts"]["checkpoints_visited"]) == (7 * 2 + 4, 7 + 2)
    assert found["rates"]["patrol_completion"] == 9 / 18
    building = sup.get("/api/v1/stats", place_id="demo-b1", **period)["counts"]  # r1's three floors of building 1
    assert (building["checkpoints_due"], building["checkpoints_visited"]) == (6, 3)
    nobody = sup.get("/api/v1/stats", specialist_id="user-demo-maintenance", **period)
    assert (nobody["counts"]["checkpoints_due"], nobody["rates"]["patrol_completion"]) == (0, None)
