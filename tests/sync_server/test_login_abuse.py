"""Logins under abuse: every wrong try counts, strangers cannot lock the owner out, a full hashing queue says so."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from sync_server import auth
from sync_server.app import create_app
from sync_server.hashing import HashPool
from tests.conftest import login, run_async

LOGIN = "/api/v1/auth/login"


def _try(client, username, password, device_id):
    return client.post(LOGIN, json={"username": username, "password": password, "device_id": device_id})


def _counts(server_db, kind, username):
    return {
        row["client"]: row["failures"]
        for row in server_db.query("SELECT * FROM login_throttle WHERE kind = ? AND username = ?", [kind, username])
    }


def _app_client(settings, address="testclient", **changes):
    return TestClient(create_app(dataclasses.replace(settings, **changes)), client=(address, 50000))


def _at_once(app, tries):
    """Send ``(address, username, password, device_id)`` tries concurrently on one event loop; their responses."""

    async def send(address, username, password, device_id):
        transport = httpx.ASGITransport(app, client=(address, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://server") as client:
            body = {"username": username, "password": password, "device_id": device_id}
            return await client.post(LOGIN, json=body)

    async def run():
        return await asyncio.gather(*(send(*attempt) for attempt in tries))

    return run_async(run())


def test_parallel_wrong_tries_from_many_clients_all_count(settings, server_db):
    """60 tries at once from 60 addresses: the account's counter says 60 (it said 3 when counts raced)."""
    app = create_app(dataclasses.replace(settings, hash_queue=100, soft_delay_after=1000))
    tries = [(f"10.0.0.{n}", "demo-specialist", f"guess-{n}", f"device-{n}") for n in range(60)]
    statuses = [response.status_code for response in _at_once(app, tries)]
    assert statuses == [401] * 60
    assert _counts(server_db, "account", "demo-specialist") == {"": 60}
    assert sorted(_counts(server_db, "address", "demo-specialist").values()) == [1] * 60


def test_parallel_tries_from_one_client_stop_at_the_lock(settings, server_db):
    """The same 60 tries from one phone: five passwords are checked, the rest meet the lock they set."""
    app = create_app(dataclasses.replace(settings, hash_queue=100))
    tries = [("10.0.0.1", "demo-specialist", f"guess-{n}", "attacker-phone") for n in range(60)]
    codes = [response.json()["code"] for response in _at_once(app, tries)]
    assert codes.count("auth.invalid_credentials") == 4
    assert codes.count("auth.locked") == 56
    assert _counts(server_db, "device", "demo-specialist") == {"attacker-phone": 5}


def test_an_attacker_on_other_devices_cannot_lock_the_owner_out(settings, clock):
    """From the owner's own network address even: the owner's phone logs in, strange devices stay locked."""
    client = _app_client(settings)
    login(client, "demo-specialist", device_id="owner-phone")  # the owner's phone is known from now on
    codes = [_try(client, "demo-specialist", f"guess-{n}", f"evil-{n}").json()["code"] for n in range(30)]
    assert codes[:4] == ["auth.invalid_credentials"] * 4
    assert set(codes[4:]) == {"auth.locked"}
    assert _try(client, "demo-specialist", "demo", "owner-phone").status_code == 200
    new_phone = _try(client, "demo-specialist", "demo", "brand-new-phone")
    assert new_phone.status_code == 429 and new_phone.json()["code"] == "auth.locked"  # the address is held
    clock.advance(seconds=61)
    assert _try(client, "demo-specialist", "demo", "brand-new-phone").status_code == 200


def test_attackers_from_many_addresses_slow_the_account_but_never_lock_the_owner(settings, clock):
    changed = dataclasses.replace(settings, soft_delay_after=10, soft_delay_step=0.01, soft_delay_max=0.05)
    app = create_app(changed)
    owner = TestClient(app, client=("192.168.1.20", 50000))
    login(owner, "demo-specialist", device_id="owner-phone")
    for n in range(40):  # a botnet: every try from another address and device
        stranger = TestClient(app, client=(f"203.0.113.{n}", 50000))
        assert _try(stranger, "demo-specialist", "guess", f"bot-{n}").status_code == 401
    started = time.monotonic()
    assert _try(owner, "demo-specialist", "demo", "owner-phone").status_code == 200
    assert time.monotonic() - started >= 0.05  # the soft delay applies to every try at the account


def test_a_spraying_address_is_locked_out_of_every_account(settings):
    client = _app_client(settings, address="198.51.100.7")
    codes = [_try(client, f"someone-{n}", "Password1!", f"spray-{n}").json()["code"] for n in range(20)]
    assert codes == ["auth.invalid_credentials"] * 19 + ["auth.locked"]
    assert _try(client, "demo-supervisor", "demo", "spray-x").json()["code"] == "auth.locked"
    elsewhere = _app_client(settings, address="198.51.100.8")
    assert _try(elsewhere, "demo-supervisor", "demo", "desk").status_code == 200


def test_an_administrators_reset_lifts_every_lock_of_the_account(settings, client, server_db):
    for n in range(5):
        _try(client, "demo-specialist", "wrong", f"evil-{n % 2}")
    assert _counts(server_db, "account", "demo-specialist")
    admin = login(client, "demo-admin")
    reset = client.post(
        "/api/v1/admin/users/user-demo-specialist/reset-password", json={}, headers={"Authorization": f"Bearer {admin}"}
    )
    assert reset.status_code == 200, reset.text
    assert _counts(server_db, "account", "demo-specialist") == {}


def test_a_full_hashing_queue_answers_429_with_retry_after(settings, monkeypatch):
    """One hashing thread, one waiting place: the third login at that moment is told when to come back."""
    release = threading.Event()
    real_verify = auth.verify_password

    def slow_verify(*args):
        release.wait(10)
        return real_verify(*args)

    monkeypatch.setattr(auth, "verify_password", slow_verify)
    app = create_app(dataclasses.replace(settings, hash_workers=1, hash_queue=1))
    clients = [TestClient(app, client=(f"10.1.0.{n}", 50000)) for n in range(3)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        waiting = [pool.submit(_try, clients[n], "demo-specialist", "demo", f"phone-{n}") for n in range(2)]
        deadline = time.monotonic() + 10
        while app.state.login_guard.pool.admitted < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        third = _try(clients[2], "demo-specialist", "demo", "phone-2")
        release.set()
        assert [f.result().status_code for f in waiting] == [200, 200]
    assert third.status_code == 429
    assert third.json()["code"] == "auth.busy"
    assert int(third.headers["Retry-After"]) >= 1 and third.json()["detail"]["retry_after"] >= 1
    assert _try(clients[2], "demo-specialist", "demo", "phone-2").status_code == 200  # room again


def test_the_pool_hashes_on_its_own_threads_and_says_how_long_to_wait():

    pool = HashPool(workers=1, queue=0)
    gate = threading.Event()

    async def scenario():
        first = asyncio.ensure_future(pool.run(gate.wait, 5))
        await asyncio.sleep(0.05)
        with pytest.raises(Exception) as refused:
            await pool.run(threading.current_thread)
        gate.set()
        assert await first is True
        return refused.value, await pool.run(threading.current_thread)

    refused, thread = run_async(scenario())
    pool.close()
    assert refused.code == "auth.busy" and refused.detail["retry_after"] >= 1
    assert thread.name.startswith("password-hash")


@pytest.mark.e2e
def test_health_answers_while_40_bogus_logins_run(live_server):
    """The real server with its real password hashing: /health answers while 40 logins for no one are checked."""
    server = live_server()
    answers: list[int] = []

    def bogus(n: int) -> None:
        body = {"username": f"nobody-{n}", "password": "correct horse battery", "device_id": f"bot-{n}"}
        answers.append(httpx.post(f"{server.url}{LOGIN}", json=body, timeout=60).status_code)

    threads = [threading.Thread(target=bogus, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    while not answers:  # the logins are being checked now
        time.sleep(0.005)
    pending_at_answers = []  # logins still unanswered when each /health answer came back
    while any(thread.is_alive() for thread in threads):
        health = httpx.get(f"{server.url}/api/v1/health", timeout=30)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        pending_at_answers.append(len(threads) - len(answers))
    for thread in threads:
        thread.join()
    # /health answered while logins were still being checked (one that waited for them all would not count)
    assert any(pending_at_answers), pending_at_answers
    assert set(answers) <= {401, 429} and answers.count(401) >= 1
