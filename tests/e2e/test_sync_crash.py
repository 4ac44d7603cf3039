"""SIGKILL the server in the middle of a large push, restart it, sync again: nothing is lost or doubled."""

from __future__ import annotations

import random
import threading
import time

import httpx
import pytest

from mobile.sync import SyncClient
from tests.e2e.conftest import no_sleep, server_records
from tests.mobile.factory import FixedClock, record_mix
from tests.mobile.faults import FaultyTransport

pytestmark = pytest.mark.e2e
BATCH = 240


def test_killing_the_server_during_a_push_loses_nothing_and_doubles_nothing(live_server, make_phone):
    server = live_server()
    phone = make_phone(server)
    rng, clock = random.Random(11), FixedClock()
    made = record_mix(phone, BATCH, rng=rng, clock=clock)
    push_started = threading.Event()

    def note(request: httpx.Request) -> None:
        if request.url.path.endswith("/sync/push"):
            push_started.set()

    with httpx.Client(transport=FaultyTransport(httpx.HTTPTransport(), before=note), timeout=30) as http:
        sync = SyncClient(http, phone, batch_size=500, max_attempts=2, sleep=no_sleep)
        # One undisturbed sync of the same size tells how long a push takes on this machine, so the
        # kills below land while sending, storing or answering (a scale for delays, not an assertion).
        began = time.perf_counter()
        assert sync.run().ok
        span = time.perf_counter() - began
        interrupted = 0
        for _ in range(4):
            made += record_mix(phone, BATCH, rng=rng, clock=clock)
            push_started.clear()
            outcome: list = []
            pushing = threading.Thread(target=lambda out=outcome: out.append(sync.run()))
            pushing.start()
            assert push_started.wait(timeout=30)
            time.sleep(rng.uniform(0.0, span))
            server.kill()
            pushing.join(timeout=60)
            interrupted += not outcome[0].ok
            server.start()
            for _attempt in range(5):
                if sync.run().ok and not phone.pending_counts()["records"]:
                    break
            assert phone.pending_counts()["records"] == phone.pending_counts()["held"] == 0

    assert interrupted >= 1  # at least one kill really landed in the middle of a sync
    held = server_records(server)
    assert set(held) == {r["id"] for r in made} and all(n == 1 for _, n in held.values())
    assert phone.record_counts() == {"pending": 0, "synced": len(made), "rejected": 0, "conflict": 0}
