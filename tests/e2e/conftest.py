"""Phones for the end-to-end tests: a store logged in to a live server, its reference data pulled."""

from __future__ import annotations

import httpx
import pytest

from mobile.login import login
from mobile.store import open_store
from mobile.sync import SyncClient
from sync_server.db import open_db
from sync_server.demo import PASSWORD


def no_sleep(seconds: float) -> None:
    """Backoff in tests costs no time."""


@pytest.fixture
def make_phone(tmp_path):
    """``make_phone(server, username)``: a phone logged in on ``server`` that has pulled the feed once."""
    opened = []

    def make(server, username: str = "demo-specialist", name: str = "phone"):
        store = open_store(tmp_path / "phones" / f"{name}.sqlite3")
        opened.append(store)
        with httpx.Client(timeout=30) as http:
            login(http, server.url, username, PASSWORD, store=store, device_name=name)
            assert SyncClient(http, store, sleep=no_sleep).run().ok
        return store

    yield make
    for store in opened:
        store.close()


def server_records(server) -> dict[str, tuple[str, int]]:
    """What the server's database holds, on either engine: id -> (raw JSON, how many rows)."""
    db = open_db(server.db_url)
    try:
        rows = db.execute("SELECT id, min(raw), count(*) FROM records GROUP BY id").fetchall()
    finally:
        db.close()
    return {rid: (raw, n) for rid, raw, n in rows}
