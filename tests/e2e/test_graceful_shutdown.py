"""SIGTERM under a stream of pushes: the server ends within 10 s, keeps all it answered, and the retries fill in."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest

from tests.conftest import bearer, login
from tests.e2e.conftest import server_records
from tests.sync_server.helpers import defect, push_body

pytestmark = pytest.mark.e2e
PHONES = 8
BATCH = 50


def test_sigterm_under_pushes_ends_in_10_s_and_loses_nothing(live_server):
    server = live_server()
    tokens = [login(server.url, "demo-specialist", device_id=f"phone-{n}") for n in range(PHONES)]
    answered: dict[str, str] = {}  # record id -> the status the phone was told
    batches: list[tuple[int, dict]] = []  # every batch sent, by phone: what the phones will send again
    lock = threading.Lock()
    stop = threading.Event()
    pushing = threading.Barrier(PHONES + 1)

    def phone(n: int) -> None:
        seq = 0
        with httpx.Client(base_url=server.url, headers=bearer(tokens[n]), timeout=30) as http:
            pushing.wait()
            while not stop.is_set():
                records = [defect(seq + k) for k in range(1, BATCH + 1)]
                seq += BATCH
                body = push_body(f"phone-{n}", records)
                with lock:
                    batches.append((n, body))
                try:
                    response = http.post("/api/v1/sync/push", json=body)
                except httpx.TransportError:
                    return  # cut off: the phone keeps these and sends them again later
                if response.status_code != 200:
                    assert response.status_code == 503, response.text  # refused while stopping: sent again
                    return
                with lock:
                    answered.update((r["id"], r["status"]) for r in response.json()["results"])

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(PHONES)]
    for thread in threads:
        thread.start()
    pushing.wait()
    time.sleep(2.0)  # pushes under way
    assert server.process is not None
    started = time.monotonic()
    os.killpg(server.process.pid, signal.SIGTERM)
    server.process.wait(timeout=30)
    took = time.monotonic() - started
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    server.process = None

    assert took <= 10, f"the server took {took:.1f} s to stop"
    stored = server_records(server)
    accepted = {rid for rid, status in answered.items() if status == "accepted"}
    assert accepted, "no push was answered before SIGTERM"
    assert accepted <= stored.keys()  # everything the phones were told is kept
    assert all(count == 1 for _, count in stored.values())  # and nothing twice

    server.start()  # the phones retry every batch they sent: what was cut off is stored now, once
    for n, body in batches:
        response = httpx.post(f"{server.url}/api/v1/sync/push", json=body, headers=bearer(tokens[n]), timeout=60)
        assert response.status_code == 200, response.text
        assert {r["status"] for r in response.json()["results"]} <= {"accepted", "duplicate"}
    after = server_records(server)
    sent = {record["id"] for _, body in batches for record in body["records"]}
    assert after.keys() == sent and all(count == 1 for _, count in after.values())
