"""A backup taken while a phone keeps pushing restores into a server identical to the moment it was taken.

A real server receives records and photos from a background thread; ``python -m sync_server backup`` runs
as a separate process in the middle of it; ``restore`` builds a fresh data dir; a second server runs on it.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync_server.db import snapshot
from tests.conftest import ROOT, bearer, login
from tests.sync_server.backup_data import photo, photo_defect, pull_all, push, sha256_of, upload
from tests.sync_server.helpers import record_mix

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]  # the online backup of the SQLite file

DEVICE = "demo-specialist-phone"
ORPHAN_RECORDS = """
    SELECT r.id FROM records r LEFT JOIN recon_facts f ON f.id = r.id LEFT JOIN work_orders w ON w.stream = f.stream
    WHERE r.type IN ('defect_report', 'owner_complaint') AND w.id IS NULL"""
ORPHAN_ORDERS = """
    SELECT w.id FROM work_orders w
    WHERE NOT EXISTS (SELECT 1 FROM recon_facts f JOIN records r ON r.id = f.id WHERE f.stream = w.stream)"""
BATCH = 10


class Phone(threading.Thread):
    """Pushes batches of records, and now and then a photo with its defect, until told to stop."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.stop = threading.Event()
        self.acked: list[str] = []  # record ids in the order the server acknowledged them
        self.photos: dict[str, bytes] = {}
        self.failure: BaseException | None = None

    def run(self) -> None:
        stream = record_mix(5000)
        seq = taken = 0  # device_seq so far, and records taken from the stream (photo defects are extra)
        try:
            with httpx.Client(base_url=self.url, timeout=30) as http:
                while not self.stop.is_set():
                    batch = [{**r, "device_seq": seq + i + 1} for i, r in enumerate(stream[taken : taken + BATCH])]
                    seq, taken = seq + len(batch), taken + len(batch)
                    if len(self.photos) * 3 < seq // BATCH:  # a photo every third batch
                        sha256, data = photo(len(self.photos))
                        seq += 1
                        batch.append(photo_defect(seq, sha256))
                        upload(http, self.token, sha256, data)
                        self.photos[sha256] = data
                    self.acked += push(http, self.token, DEVICE, batch)
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.failure = exc


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sync_server", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the phone did not push enough in time"
        time.sleep(0.02)


def test_backup_during_pushes_restores_every_record_order_and_photo(live_server, tmp_path):
    server = live_server()
    token = login(server.url, "demo-specialist")
    phone = Phone(server.url, token)
    phone.start()
    # A long read on the server (a supervisor's report, say) keeps the WAL from being checkpointed into the
    # database file: a plain copy of that file would now miss every later commit, the online backup does not.
    long_read = sqlite3.connect(server.data_dir / "server.sqlite3", timeout=30)
    try:
        wait_for(lambda: len(phone.acked) >= BATCH or phone.failure is not None)
        long_read.execute("BEGIN")
        long_read.execute("SELECT COUNT(*) FROM records").fetchone()
        wait_for(lambda: len(phone.acked) >= 8 * BATCH and len(phone.photos) >= 2 or phone.failure is not None)
        acked_before = len(phone.acked)
        archive = tmp_path / "backups" / "patrol.tar.gz"
        made = run_cli("backup", "--data-dir", str(server.data_dir), "--out", str(archive))
        acked_after = len(phone.acked)
        wait_for(lambda: len(phone.acked) >= acked_after + 3 * BATCH or phone.failure is not None)
    finally:
        phone.stop.set()
        phone.join(timeout=30)
        long_read.close()
    assert phone.failure is None, phone.failure
    assert made.returncode == 0, made.stderr
    assert made.stdout.count("\n") == 1 and "records" in made.stdout and "MB" in made.stdout

    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    in_backup = manifest["tables"]["records"]["rows"]
    # The pushes really ran across the backup: the snapshot lies between what was acknowledged before the
    # backup started and after it ended (one batch may have been committed but not yet answered), and the
    # server went on storing records after it.
    assert acked_before < acked_after  # the phone was answered while the backup command ran
    assert acked_before <= in_backup <= acked_after + BATCH + 1
    source_db = server.data_dir / "server.sqlite3"
    assert rows(source_db, "SELECT COUNT(*) FROM records")[0][0] > in_backup

    restored_dir = tmp_path / "restored"
    done = run_cli("restore", "--archive", str(archive), "--data-dir", str(restored_dir))
    assert done.returncode == 0, done.stderr
    restored_db = restored_dir / "server.sqlite3"
    assert sha256_of(restored_db) == manifest["database"]["sha256"]
    assert snapshot.table_digests(restored_db) == manifest["tables"]  # every row of every table

    # One consistent moment: exactly the first N acknowledged records, each byte for byte as the server has it.
    restored_records = dict(rows(restored_db, "SELECT id, raw FROM records"))
    assert set(restored_records) == set(phone.acked[:in_backup])
    source_records = dict(rows(source_db, "SELECT id, raw FROM records"))
    assert all(source_records[rid] == raw for rid, raw in restored_records.items())
    # Every defect and complaint in it came with its work order (the same transaction), and no order without
    # a record: a copy torn between two commits would break one or the other.
    restored_orders = dict(rows(restored_db, "SELECT id, data FROM work_orders"))
    assert restored_orders and set(restored_orders) <= {oid for (oid,) in rows(source_db, "SELECT id FROM work_orders")}
    assert rows(restored_db, ORPHAN_RECORDS) == [] and rows(restored_db, ORPHAN_ORDERS) == []

    # Photos: every one the restored database lists is on disk with the manifest's hash, the source's bytes.
    listed = {entry["path"]: entry for entry in manifest["photos"]}
    on_disk = {p.relative_to(restored_dir).as_posix(): p for p in (restored_dir / "photos").rglob("*") if p.is_file()}
    assert set(on_disk) == set(listed)
    for name, path in on_disk.items():
        assert sha256_of(path) == listed[name]["sha256"] == sha256_of(server.data_dir / name)
        assert path.stat().st_size == listed[name]["size"]
    photo_rows = {sha for (sha,) in rows(restored_db, "SELECT sha256 FROM photos")}
    assert photo_rows and photo_rows <= set(phone.photos) and len(on_disk) == 2 * len(photo_rows)

    second = live_server(data_dir=restored_dir, demo=False)
    with httpx.Client(base_url=second.url, timeout=30) as http:
        token = login(second.url, "demo-specialist", device_id="restored-phone")
        pulled = {c["id"]: c["data"] for c in pull_all(http, token) if c["kind"] == "record"}
        assert set(pulled) == set(restored_records)
        assert all(json.loads(restored_records[rid])["body"] == data["body"] for rid, data in pulled.items())
        supervisor = login(second.url, "demo-supervisor", device_id="restored-desk")
        orders = {c["id"] for c in pull_all(http, supervisor) if c["kind"] == "work_order" and not c["deleted"]}
        assert orders == set(restored_orders)
        for sha256 in photo_rows:
            got = http.get(f"/api/v1/photos/{sha256}", headers=bearer(token))
            assert got.status_code == 200 and got.content == (server.data_dir / listed_path(sha256)).read_bytes()
    # Nothing the server does on start or on a pull touched what was restored.
    after = snapshot.table_digests(restored_db)
    assert {t: after[t] for t in ("records", "work_orders", "photos", "record_photos", "users")} == {
        t: manifest["tables"][t] for t in ("records", "work_orders", "photos", "record_photos", "users")
    }


def listed_path(sha256: str) -> str:
    return f"photos/{sha256[:2]}/{sha256}.jpg"
