"""Reconciliation's cost is bounded: a new record of a long stream does not re-read the stream's closed orders.

The replay is watched through what it takes (``Replay.take``) and what it reads back from the
database (``reconcile_reads.fact_of``); the outcome is checked against the same records pushed in
another order, and with the saved replays dropped before every push (as after an upgrade of the rules).
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import closing
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from shared.model import WorkOrderAction
from shared.reconcile_rules import Replay
from sync_server import reconcile_reads, reconcile_window
from sync_server.app import create_app
from sync_server.db import open_db
from sync_server.settings import CHEAP_ARGON2, Settings
from tests.conftest import prepare_data_dir
from tests.sync_server.test_reconcile import dump, push_each
from tests.work_order_records import Phone, action, causal_order, leak, visit

TZ = ZoneInfo("Asia/Shanghai")
MAINTENANCE = "user-demo-maintenance"
EPISODES = 12
W = WorkOrderAction


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor", "maintenance")}


class Spy:
    """Which facts the replays take, and which stored facts reconciliation reads back."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.taken: list[str] = []
        self.read: list[str] = []
        take, read = Replay.take, reconcile_reads.fact_of

        def spy_take(replay: Replay, fact):  # noqa: ANN001
            self.taken.append(fact.id)
            return take(replay, fact)

        def spy_read(row):  # noqa: ANN001
            self.read.append(row["id"])
            return read(row)

        monkeypatch.setattr(Replay, "take", spy_take)
        monkeypatch.setattr(reconcile_reads, "fact_of", spy_read)

    def reset(self) -> None:
        self.taken.clear()
        self.read.clear()


def long_stream(phones, start: datetime) -> tuple[list[tuple[str, dict]], list[list[str]]]:
    """Twelve days of the same leak in the same unit, each order closed the same day (the third after a
    failed return visit and a rework, and signed off later; the eighth dispatched by a clock running
    behind): the records of each day in time order, and each day's ids."""
    spec, sup, mnt = phones["specialist"], phones["supervisor"], phones["maintenance"]
    records: list[tuple[str, dict]] = []
    days: list[list[str]] = []
    for day in range(EPISODES):
        t = start + timedelta(days=day)
        d = spec.record(leak(), t)
        oid = f"wo-{d['id']}"
        steps = [("specialist", d)]
        if day == 2:
            failed = spec.record(visit(oid, satisfied=False, comment="still damp"), t + timedelta(hours=4))
            rid = f"wo-{failed['id']}"
            steps += [
                ("supervisor", sup.record(action(oid, W.DISPATCH, assignee_id=MAINTENANCE), t + timedelta(hours=1))),
                ("maintenance", mnt.record(action(oid, W.COMPLETE), t + timedelta(hours=2))),
                ("specialist", failed),
                ("supervisor", sup.record(action(rid, W.DISPATCH, assignee_id=MAINTENANCE), t + timedelta(hours=5))),
                ("maintenance", mnt.record(action(rid, W.COMPLETE), t + timedelta(hours=6))),
                ("specialist", spec.record(visit(rid), t + timedelta(hours=7))),
            ]
        elif day == 7:  # the supervisor's clock is behind: the dispatch sorts before the report it dispatches
            steps += [
                ("supervisor", sup.record(action(oid, W.DISPATCH, assignee_id=MAINTENANCE), t - timedelta(minutes=9))),
                ("supervisor", sup.record(action(oid, W.CLOSE), t + timedelta(hours=1))),
            ]
        else:
            steps.append(("supervisor", sup.record(action(oid, W.CLOSE), t + timedelta(hours=1))))
        if day == 9:
            first_closed = days[2][0]
            steps.append(("supervisor", sup.record(action(f"wo-{first_closed}", W.SIGN_OFF), t + timedelta(hours=2))))
        records += steps
        days.append([raw["id"] for _, raw in steps])
    return records, days


def start_of(clock) -> datetime:
    return clock.now().astimezone(TZ) - timedelta(days=EPISODES + 2)


def forget_saved_replays(db) -> None:
    db.execute("DELETE FROM recon_streams")


def states(db) -> dict[str, str]:
    return {r["id"]: r["state"] for r in db.query("SELECT id, state FROM work_orders")}


def test_the_next_record_of_a_long_stream_reads_none_of_its_closed_orders(
    phones, clock, server_db, monkeypatch, settings
):
    records, days = long_stream(phones, start_of(clock))
    push_each(phones, records)
    spy = Spy(monkeypatch)
    d = phones["specialist"].send(leak(), clock.now().astimezone(TZ) - timedelta(hours=1))
    assert (spy.taken, spy.read) == ([d["id"]], [])  # fed to the stream's running replay, nothing re-read

    monkeypatch.setattr(reconcile_window, "_CACHE", OrderedDict())  # another worker: the replay is in the database
    with TestClient(create_app(settings)) as restarted:
        spy.reset()
        phones["specialist"].http = restarted
        report = phones["specialist"].send(leak(), clock.now().astimezone(TZ) - timedelta(minutes=50))
        assert spy.taken[-1] == report["id"]
        assert len(spy.taken) <= reconcile_window.SAVE_EVERY + 1  # what came since the state was saved, no more
        assert set(spy.read) <= set(spy.taken)

    forget_saved_replays(server_db)  # as after an upgrade of the rules: the stream replays from its latest rest point
    spy.reset()
    oid = f"wo-{d['id']}"
    dispatch = phones["supervisor"].send(action(oid, W.DISPATCH, assignee_id=MAINTENANCE), clock.now())
    assert spy.taken == [d["id"], report["id"], dispatch["id"]]  # from the rest point, not the stream's start
    assert set(spy.read) <= {d["id"], report["id"], dispatch["id"]}
    found = states(server_db)
    assert found[oid] == "dispatched"
    assert sorted(s for k, s in found.items() if k != oid) == ["closed"] * EPISODES + ["signed_off"]


@pytest.mark.parametrize("restarted", [False, True])
def test_signing_off_a_long_closed_order_replays_only_that_orders_episode(
    phones, clock, server_db, monkeypatch, restarted
):
    records, days = long_stream(phones, start_of(clock))
    push_each(phones, records)
    if restarted:
        forget_saved_replays(server_db)
    spy = Spy(monkeypatch)
    first = days[0][0]
    sign_off = phones["supervisor"].send(action(f"wo-{first}", W.SIGN_OFF), clock.now())
    assert set(spy.taken) == {*days[0], sign_off["id"]}
    assert set(spy.read) <= {*days[0], sign_off["id"]}
    assert states(server_db)[f"wo-{first}"] == "signed_off"


def test_a_late_report_replays_from_the_rest_point_before_it_and_ends_as_if_in_order(
    phones, clock, server_db, monkeypatch, tmp_path, new_database_url
):
    records, days = long_stream(phones, start_of(clock))
    late_day = 7
    late_at = start_of(clock) + timedelta(days=late_day, minutes=20)  # that day's order was still open then
    late = ("specialist", phones["specialist"].record(leak(photos=["f" * 64]), late_at))
    push_each(phones, records)
    spy = Spy(monkeypatch)
    push_each(phones, [late])
    since_rest = {i for day in days[late_day:] for i in day} | {late[1]["id"]}
    assert set(spy.taken) <= since_rest  # nothing of the six days before the rest point it sorts after
    assert set(spy.read) <= since_rest
    joined = server_db.execute("SELECT data FROM work_orders WHERE id = ?", [f"wo-{days[late_day][0]}"]).fetchone()
    assert late[1]["id"] in joined[0]

    by_time = [*records, late]
    in_order = causal_order(by_time, rank=lambda r: (r[1]["recorded_at"], r[1]["id"]))
    backwards = causal_order(by_time, rank=lambda r: -by_time.index(r))
    cases = (
        ("in_order", in_order, None),
        ("backwards_forgetting", backwards, "saved"),
        ("each_on_another_worker", in_order, "cache"),
    )
    for name, arrival, forget in cases:
        other = Settings(data_dir=tmp_path / name, argon2=CHEAP_ARGON2, now=clock.now, database_url=new_database_url())
        prepare_data_dir(other)
        with TestClient(create_app(other)) as second:
            again = {who: Phone(second, f"demo-{who}") for who in phones}
            for record in arrival:
                if forget == "saved":
                    with closing(open_db(other.db_url)) as db:
                        forget_saved_replays(db)
                elif forget == "cache":
                    reconcile_window._CACHE.clear()
                push_each(again, [record])
            db = open_db(other.db_url)
            try:
                assert dump(db) == dump(server_db), name
            finally:
                db.close()
