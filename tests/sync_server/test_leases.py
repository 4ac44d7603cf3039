"""Leases: one worker at a time ticks the findings and checks one client's password for one account."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from sync_server import app as server_app
from sync_server import login_guard
from sync_server.app import create_app
from sync_server.db import leases
from sync_server.demo import PASSWORD


def test_a_lease_has_one_holder_until_it_runs_out_or_is_released(server_db):
    now = 1_000.0
    assert leases.take(server_db, name="job", holder="a", now=now, seconds=30)
    assert not leases.take(server_db, name="job", holder="b", now=now + 10, seconds=30)
    assert leases.take(server_db, name="job", holder="a", now=now + 20, seconds=30)  # renewed until 1050
    assert not leases.take(server_db, name="job", holder="b", now=now + 40, seconds=30)
    assert leases.take(server_db, name="job", holder="b", now=now + 51, seconds=30)  # a stopped renewing
    leases.release(server_db, name="job", holder="a")  # not a's any more: nothing happens
    assert not leases.take(server_db, name="job", holder="a", now=now + 52, seconds=30)
    leases.release(server_db, name="job", holder="b")
    assert leases.take(server_db, name="job", holder="a", now=now + 53, seconds=30)


def test_only_the_worker_holding_the_tick_lease_ticks(settings, server_db, monkeypatch):
    ticks: list[str] = []
    monkeypatch.setattr(server_app.schedule, "tick", lambda db, settings: ticks.append(leases.holder()))
    assert leases.take(server_db, name="findings_tick", holder="other-worker:1", now=time.time(), seconds=30)
    server_app.refresh_all(settings)
    assert ticks == []  # another worker ticks
    server_db.execute("UPDATE leases SET until = ? WHERE name = 'findings_tick'", [time.time() - 1])
    server_app.refresh_all(settings)  # that worker stopped: this one takes over
    server_app.refresh_all(settings)
    assert ticks == [leases.holder(), leases.holder()]


def test_a_login_waits_for_the_same_clients_try_on_another_worker(settings, server_db, monkeypatch):
    body = {"username": "demo-specialist", "password": PASSWORD, "device_id": "phone-1"}
    with TestClient(create_app(settings)) as http:
        name = "login:demo-specialist:testclient"  # the account and the test client's address
        assert leases.take(server_db, name=name, holder="other-worker:1", now=time.time(), seconds=30)
        monkeypatch.setattr(login_guard, "LEASE_WAIT", 0.3)
        busy = http.post("/api/v1/auth/login", json=body)
        assert busy.status_code == 429 and busy.json()["code"] == "auth.busy"
        leases.release(server_db, name=name, holder="other-worker:1")
        assert http.post("/api/v1/auth/login", json=body).status_code == 200
        assert server_db.execute("SELECT count(*) FROM leases WHERE name = ?", [name]).fetchone()[0] == 0
