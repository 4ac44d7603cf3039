"""A leak reported by every phone in a tower: each more report costs what the first did, in the feed and for readers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from shared.model import WorkOrderAction
from sync_server.reconcile_write import HISTORY_SHOWN
from tests.work_order_records import Phone, action, leak

PLACE = "demo-garage"


@pytest.fixture
def phones(client):
    return {role: Phone(client, f"demo-{role}") for role in ("specialist", "supervisor", "site-supervisor")}


def feed_size(db, order_id: str) -> int:
    return int(db.execute("SELECT length(data) FROM feed_data WHERE entity_id = ?", [order_id]).fetchone()[0])


def test_more_reports_of_one_leak_keep_the_feed_entry_bounded_and_tell_earlier_reporters_only_of_moves(
    phones, clock, server_db
):
    at = clock.now()
    first = phones["site-supervisor"].send(leak(place_id=PLACE), at)
    order_id = f"wo-{first['id']}"
    assert order_id in phones["site-supervisor"].of_kind("work_order")
    for n in range(HISTORY_SHOWN):
        phones["specialist"].send(leak(place_id=PLACE), at + timedelta(minutes=n + 1))
    size_before = feed_size(server_db, order_id)
    earlier = phones["site-supervisor"].cursor
    for n in range(HISTORY_SHOWN, 40):
        phones["specialist"].send(leak(place_id=PLACE), at + timedelta(minutes=n + 1))

    desk = phones["supervisor"].of_kind("work_order")[order_id]
    assert desk["record_count"] == 41 and desk["history_total"] >= 41 and len(desk["history"]) == HISTORY_SHOWN
    assert desk["history"] == phones["supervisor"].get(f"/api/v1/orders/{order_id}")["history"][-HISTORY_SHOWN:]
    assert len(phones["supervisor"].get(f"/api/v1/orders/{order_id}")["record_ids"]) == 41  # the whole record
    assert feed_size(server_db, order_id) < size_before * 1.1  # bounded: not twice as long
    # the first reporter was not re-sent the order 35 times; it hears again when the order moves
    page = phones["site-supervisor"].get("/api/v1/sync/pull", since=earlier)
    assert [c for c in page["changes"] if c["kind"] == "work_order"] == []
    phones["supervisor"].send(
        action(order_id, WorkOrderAction.DISPATCH, assignee_id="user-demo-maintenance"), at + timedelta(hours=1)
    )
    told = phones["site-supervisor"].of_kind("work_order")[order_id]
    assert (told["state"], told["assignee_id"], told["record_count"]) == ("dispatched", "user-demo-maintenance", 42)
    assert json.dumps(told) == json.dumps(phones["supervisor"].of_kind("work_order")[order_id])
