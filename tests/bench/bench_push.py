"""Benchmark: 10,000 records pushed through the real HTTP server vs bare SQLite+JSON inserts of the same records.

The floor is measured in the same run: the same records, inserted as JSON into a plain SQLite table in
transactions of the same batch size. The last line prints the ratio (server time / floor time).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
import warnings
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from sync_server import push, reconcile  # noqa: E402
from sync_server.db import open_db  # noqa: E402
from sync_server.settings import CHEAP_ARGON2, Settings  # noqa: E402
from tests.conftest import LiveServer, bearer, free_port, login, prepare_data_dir  # noqa: E402
from tests.sync_server.helpers import push_body, record_mix  # noqa: E402

RECORDS = 10_000
BATCH = 500


def floor(records: list[dict[str, object]], directory: Path) -> float:
    conn = sqlite3.connect(directory / "floor.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE records (id TEXT PRIMARY KEY, raw TEXT NOT NULL)")
    started = time.perf_counter()
    for start in range(0, len(records), BATCH):
        payload = json.dumps(records[start : start + BATCH])  # the client's encoding is part of both sides
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO records VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(r["id"], json.dumps(r)) for r in json.loads(payload)],
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def server(records: list[dict[str, object]], directory: Path) -> float:
    data_dir = directory / "server"
    prepare_data_dir(Settings(data_dir=data_dir, argon2=CHEAP_ARGON2), other_property=False)
    live = LiveServer(data_dir, free_port())
    live.start()
    try:
        token = login(live.url, "demo-specialist")
        with httpx.Client(base_url=live.url, headers=bearer(token), timeout=600) as http:
            started = time.perf_counter()
            batch_times = []
            for start in range(0, len(records), BATCH):
                batch_started = time.perf_counter()
                body = push_body("demo-specialist-phone", records[start : start + BATCH])
                response = http.post("/api/v1/sync/push", json=body)
                response.raise_for_status()
                statuses = {r["status"] for r in response.json()["results"]}
                assert statuses == {"accepted"}, statuses
                batch_times.append(time.perf_counter() - batch_started)
            print(f"first batch {batch_times[0]:.3f} s, last batch {batch_times[-1]:.3f} s")
            return time.perf_counter() - started
    finally:
        live.stop()


def pipeline_without_reconcile(records: list[dict[str, object]], directory: Path) -> float:
    """In process, reconciliation switched off: what validation, storage and the feed cost alone."""
    settings = Settings(data_dir=directory / "bare", argon2=CHEAP_ARGON2)
    prepare_data_dir(settings, other_property=False)
    user = {
        "id": "user-demo-specialist",
        "username": "demo-specialist",
        "name": "Li Na",
        "role": "specialist",
        "property_id": "demo",
        "device_id": "demo-specialist-phone",
    }
    saved = reconcile.reconcile_record
    reconcile.reconcile_record = lambda db, **kw: None  # type: ignore[assignment]
    db = open_db(settings.db_path)
    try:
        started = time.perf_counter()
        for start in range(0, len(records), BATCH):
            push.push_batch(db, settings, user=user, body=push_body(user["device_id"], records[start : start + BATCH]))
        return time.perf_counter() - started
    finally:
        reconcile.reconcile_record = saved
        db.close()


def main() -> None:
    records = record_mix(RECORDS)
    with tempfile.TemporaryDirectory() as tmp:
        base = floor(records, Path(tmp))
        bare = pipeline_without_reconcile(records, Path(tmp))
        served = server(records, Path(tmp))
    print(f"records: {RECORDS} in batches of {BATCH}")
    print(f"floor (bare SQLite + JSON): {base:.3f} s ({RECORDS / base:,.0f} records/s)")
    print(f"push pipeline in process, reconciliation off: {bare:.3f} s ({RECORDS / bare:,.0f} records/s)")
    print(f"server (HTTP, validate, store, feed, reconcile): {served:.3f} s ({RECORDS / served:,.0f} records/s)")
    print(f"ratio server/floor: {served / base:.1f}")


if __name__ == "__main__":
    main()
