"""An order's history is stored step by step: a new step writes one row, and an upgrade moves old histories over."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sync_server import reconcile_window
from sync_server.db import migrate, work_orders
from tests.sync_server.test_reconcile import push_each
from tests.sync_server.test_reconcile_bounded import long_stream, start_of
from tests.work_order_records import Phone, leak


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor", "maintenance")}


def full_orders(supervisor: Phone, ids: list[str]) -> dict[str, dict]:
    return {oid: supervisor.get(f"/api/v1/orders/{oid}") for oid in ids}


def test_each_report_joining_a_long_open_order_writes_only_its_own_step(phones, clock, monkeypatch):
    written: list[tuple[int, int]] = []
    save = work_orders.save_order

    def spy(db, **kw):  # noqa: ANN001, ANN003
        first, steps = kw.get("events", (0, []))
        written.append((first, len(steps)))
        return save(db, **kw)

    monkeypatch.setattr(work_orders, "save_order", spy)
    start = clock.now() - timedelta(hours=10)
    first = phones["specialist"].send(leak(), start)
    for n in range(1, 80):
        phones["specialist" if n % 2 else "maintenance"].send(leak(), start + timedelta(minutes=n))
    assert written[0] == (0, 1)
    assert written[1:] == [(n, 1) for n in range(1, 80)]  # step n is written once, alone
    reconcile_window._CACHE.clear()  # the next report lands on another worker: it continues the saved replay
    phones["specialist"].send(leak(), start + timedelta(minutes=80))
    assert written[-1][0] >= reconcile_window.SAVE_EVERY  # the steps stored when the replay was saved stay
    order = phones["supervisor"].get(f"/api/v1/orders/wo-{first['id']}")
    assert len(order["history"]) == order["history_total"] == 81
    assert [e["action"] for e in order["history"]] == ["reported"] + ["reported_again"] * 80
    pulled = phones["supervisor"].pull()[("work_order", f"wo-{first['id']}")]
    assert pulled["history"] == order["history"][-20:] and pulled["history_total"] == 81


@pytest.mark.sqlite_only  # the older layout was SQLite's alone: PostgreSQL came with history rows
def test_an_upgrade_moves_histories_kept_inside_the_order_to_their_rows(phones, clock, server_db):
    records, _ = long_stream(phones, start_of(clock))
    push_each(phones, records)
    ids = [r["id"] for r in server_db.query("SELECT id FROM work_orders ORDER BY id")]
    before = full_orders(phones["supervisor"], ids)
    assert sum(len(o["history"]) for o in before.values()) > len(ids)
    # the layout before the upgrade: every step inside the order's data
    server_db.execute(
        "UPDATE work_orders SET data = json_set(json_remove(data, '$.history_total'), '$.history', json((SELECT"
        " json_group_array(json(s.data)) FROM (SELECT data FROM work_order_events e WHERE e.order_id = work_orders.id"
        " ORDER BY seq) s)))"
    )
    server_db.execute("DROP TABLE work_order_events")
    server_db.execute("DELETE FROM schema_migrations WHERE name = 'orders.0004_order_history_rows'")
    assert migrate(server_db) == ["orders.0004_order_history_rows"]
    assert full_orders(phones["supervisor"], ids) == before
