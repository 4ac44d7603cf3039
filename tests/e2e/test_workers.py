"""Several workers behind one port: phones sync through a hostile network while workers are killed (kill -9).

The supervisor process starts another worker for each one killed; whichever worker takes a push, every
record is stored once, every photo arrives in the bucket (a real SeaweedFS), and the orders are what the
records make.
"""

from __future__ import annotations

import io
import os
import random
import signal
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from mobile import photos
from mobile.photo_sync import PhotoUploader
from mobile.recorder import save_record
from mobile.sync import SyncClient
from shared.ids import uuid7
from shared.model import DefectCategory, DefectReport, RecordType, Severity
from shared.wire import encode_record
from sync_server.photo_store import photo_key
from tests.conftest import bearer, login
from tests.e2e.conftest import no_sleep, server_records
from tests.mobile.factory import defect, record_mix
from tests.mobile.faults import FaultyTransport
from tests.photo_samples import big_photo, camera_jpeg

pytestmark = pytest.mark.e2e
WORKERS = 2


def workers_of(server) -> list[int]:
    """The supervisor's live children (a killed one stays listed, as a zombie, until it is reaped)."""
    pid = server.process.pid
    children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if _state(c) not in ("Z", "X", None)]


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return None


def wait_for_workers(server, count: int, timeout: float = 30.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(found := workers_of(server)) == count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{count} workers expected, found {workers_of(server)}")


def test_killed_workers_lose_nothing_and_double_nothing(live_server, make_phone, tmp_path, seaweed, monkeypatch):
    prefix = f"workers-{uuid.uuid4().hex[:8]}"
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)  # the bucket's keys, from the environment as in production
    server = live_server(args=("--workers", str(WORKERS), *seaweed.serve_args(prefix)))
    first = wait_for_workers(server, WORKERS)
    phones = [make_phone(server, "demo-specialist", "a"), make_phone(server, "demo-site-supervisor", "b")]
    made, taken = [], []
    for n, phone in enumerate(phones):
        made += record_mix(phone, 400, rng=random.Random(n))
        for i in range(2):  # defects with real photos, made by the app's own photo pipeline
            shot = photos.ingest_photo(phone, tmp_path / f"app{n}", camera_jpeg(big_photo(1200 + 40 * i + n, 900)))
            body = DefectReport("demo-b1-u101", DefectCategory.CIVIL, Severity.LOW, "Crack", [shot.sha256])
            made.append(save_record(phone, type=RecordType.DEFECT_REPORT, body=body))
            taken.append(shot.sha256)

    failures: list[BaseException] = []

    def sync(n: int) -> None:
        transport = FaultyTransport(httpx.HTTPTransport(), rate=0.3, rng=random.Random(100 + n))
        try:
            with httpx.Client(transport=transport, timeout=30) as http:
                client = SyncClient(
                    http, phones[n], batch_size=20, sleep=no_sleep, photo_uploader=PhotoUploader(tmp_path / f"app{n}")
                )
                for _ in range(200):
                    report = client.run()
                    if (
                        report.ok
                        and not phones[n].pending_counts()["records"]
                        and not phones[n].pending_counts()["photos"]
                    ):
                        return
                    time.sleep(0.02)
                raise AssertionError(f"phone {n} did not finish: {report.error}")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=sync, args=(n,)) for n in range(len(phones))]
    for thread in threads:
        thread.start()
    rng, killed = random.Random(7), []
    while len(killed) < 3 and any(t.is_alive() for t in threads):
        time.sleep(rng.uniform(0.1, 0.5))
        victim = rng.choice(wait_for_workers(server, WORKERS))
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
    assert len(killed) == 3  # all three while the phones were still syncing
    for thread in threads:
        thread.join(timeout=240)
    assert not failures, failures

    now = wait_for_workers(server, WORKERS)  # each killed worker was replaced
    assert not set(now) & set(killed) and set(killed) & set(first)
    held = server_records(server)
    assert set(held) == {r["id"] for r in made} and all(n == 1 for _, n in held.values())
    for phone in phones:
        assert phone.record_counts()["pending"] == phone.record_counts()["rejected"] == 0
    with httpx.Client(base_url=server.url, timeout=30) as http:
        headers = bearer(login(http, "demo-supervisor"))
        bucket = seaweed.client()
        for sha256 in taken:
            got = http.get(f"/api/v1/photos/{sha256}", headers=headers)
            assert got.status_code == 200, sha256
            assert Image.open(io.BytesIO(got.content)).size[0] >= 1200  # the photo itself, re-encoded whole
            kept = bucket.get_object(Bucket=seaweed.bucket, Key=f"{prefix}/{photo_key(sha256)}")["Body"].read()
            assert kept == got.content  # what the bucket holds is what the server serves
        assert not (server.data_dir / "photos").exists()
        orders = http.get("/api/v1/orders", headers=headers, params={"limit": 2000}).json()["orders"]
    defects = [r for r in made if r["type"] == "defect_report" and not r["body"].get("fixed_on_spot")]
    opened = {rid for o in orders for rid in o["record_ids"]}
    assert {r["id"] for r in defects} <= opened  # every defect reached an order, whichever worker took it

    supervisor, workers = server.process.pid, wait_for_workers(server, WORKERS)
    began = time.monotonic()
    os.kill(supervisor, signal.SIGTERM)  # the supervisor alone: it stops its workers
    server.process.wait(timeout=15)
    assert time.monotonic() - began < 10
    assert all(_state(pid) is None for pid in workers)  # no worker left behind


def test_the_same_batch_arriving_at_every_worker_at_once_is_stored_once(live_server):
    server = live_server(args=("--workers", str(WORKERS)))
    wait_for_workers(server, WORKERS)
    token = login(server.url, "demo-specialist", device_id="twice-phone")
    places = ["demo-lobby", "demo-garage", "demo-b1-u101", "demo-b1-u102"]
    when = datetime.now(UTC) - timedelta(hours=1)
    records = [
        encode_record(
            id=uuid7(1_790_000_000_000 + n),
            type=RecordType.DEFECT_REPORT,
            device_seq=n + 1,
            recorded_at=when,
            body=defect(places[n % len(places)]),
        )
        for n in range(40)
    ]
    start, answers = threading.Barrier(8), []

    def push() -> None:
        with httpx.Client(base_url=server.url, headers=bearer(token), timeout=60) as http:
            start.wait()
            response = http.post("/api/v1/sync/push", json={"device_id": "twice-phone", "records": records})
            answers.append(response)

    threads = [threading.Thread(target=push) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [a.status_code for a in answers] == [200] * 8
    for record in records:
        statuses = sorted(r["status"] for a in answers for r in a.json()["results"] if r["id"] == record["id"])
        assert statuses == ["accepted"] + ["duplicate"] * 7
    held = server_records(server)
    assert set(held) == {r["id"] for r in records} and all(n == 1 for _, n in held.values())
    with httpx.Client(base_url=server.url, timeout=30) as http:
        orders = http.get("/api/v1/orders", headers=bearer(login(http, "demo-supervisor"))).json()["orders"]
    linked = [rid for o in orders for rid in o["record_ids"]]
    assert sorted(linked) == sorted(r["id"] for r in records)  # each defect in one order, none twice
