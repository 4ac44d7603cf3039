"""200 records made offline reach the server exactly once through a network that fails hundreds of times."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from mobile.sync import SyncClient
from tests.e2e.conftest import no_sleep, server_records
from tests.mobile.factory import record_mix
from tests.mobile.faults import ALL, FaultyTransport

pytestmark = pytest.mark.e2e


def test_records_made_offline_survive_a_hostile_network_and_reach_the_server_once(live_server, make_phone):
    server = live_server()
    phone = make_phone(server, "demo-site-supervisor")  # the role that makes every kind of record
    made = record_mix(phone, 200, rng=random.Random(42))
    assert {r["type"] for r in made} == {
        "patrol_round",
        "checkpoint_visit",
        "decoration_check",
        "defect_report",
        "owner_complaint",
    }

    transport = FaultyTransport(httpx.HTTPTransport(), rate=0.8, rng=random.Random(2026))
    with httpx.Client(transport=transport, timeout=30) as http:
        sync = SyncClient(http, phone, batch_size=2, pull_limit=10, sleep=no_sleep, rng=random.Random(3))
        reports = []
        while len(reports) < 100 and not (reports and reports[-1].ok and not phone.pending_counts()["records"]):
            reports.append(sync.run())
    assert reports[-1].ok, reports[-1].error
    assert transport.total_faults >= 200 and set(transport.faults) == set(ALL), transport.faults
    assert any(not r.ok for r in reports)  # some runs gave up on the network and the next one carried on

    # the server holds every record exactly once, with the body the phone made
    held = server_records(server)
    assert set(held) == {r["id"] for r in made}
    assert all(n == 1 for _, n in held.values())
    assert all(json.loads(held[r["id"]][0])["body"] == r["body"] for r in made)
    # and the phone knows every one was acknowledged
    assert phone.record_counts() == {"pending": 0, "synced": 200, "rejected": 0, "conflict": 0}
    assert phone.pending_counts()["held"] == 0 and phone.last_error is None and phone.last_success

    # a second phone of the same user, and the supervisor's, pull them all
    for username, name in (("demo-site-supervisor", "spare"), ("demo-supervisor", "office")):
        other = make_phone(server, username, name)
        seen = {r["id"]: r for r in other.records(origin="server")}
        assert {r["id"] for r in made} <= set(seen), username
        assert all(seen[r["id"]]["body"] == r["body"] for r in made)
        assert other.pending_counts()["records"] == 0
