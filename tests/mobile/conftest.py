"""Phones (stores in tmp_path) logged in to the real app behind the shared ``client`` fixture (tests/conftest.py)."""

from __future__ import annotations

import pytest

from mobile.login import login
from mobile.store import open_store
from mobile.sync import SyncClient
from sync_server.demo import PASSWORD

SERVER_URL = "http://testserver"  # Starlette TestClient's base address


@pytest.fixture
def make_phone(tmp_path):
    stores = []

    def make(name: str = "phone"):
        store = open_store(tmp_path / "phones" / f"{name}.sqlite3")
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def phone(make_phone, client):
    """A specialist's phone, logged in."""
    store = make_phone()
    login(client, SERVER_URL, "demo-specialist", PASSWORD, store=store)
    return store


def quiet_client(http, store, **kwargs) -> SyncClient:
    """A SyncClient whose backoff costs no time; the delays it asked for are kept in ``.slept``."""
    slept: list[float] = []
    client = SyncClient(http, store, sleep=slept.append, **kwargs)
    client.slept = slept  # type: ignore[attr-defined]
    return client
