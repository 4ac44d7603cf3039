"""Photos nobody took up: a quota on photos no record names, their removal after a grace period, and
half-written upload files removed on failure and swept at start."""

from __future__ import annotations

import dataclasses
import os
import time

import pytest
from fastapi.testclient import TestClient

from sync_server import photo_sweep
from sync_server.app import create_app
from sync_server.photo_store import photo_key, photo_store, thumb_key
from tests.conftest import bearer, login
from tests.photo_samples import small_jpeg
from tests.seaweed import STORES
from tests.sync_server.helpers import push_body
from tests.sync_server.test_photos_api import defect_with_photos, files_in, put, sha


@pytest.fixture
def settings(settings, photo_store_kw):
    return dataclasses.replace(settings, **photo_store_kw)  # the data directory unless a test asks for both


def _rows(server_db):
    return {(row["property_id"], row["sha256"]) for row in server_db.query("SELECT * FROM photos")}


@pytest.mark.parametrize("photo_store_kw", STORES, indirect=True)
def test_photos_no_record_names_are_refused_beyond_the_senders_quota(settings, server_db):
    photos = [small_jpeg(seed) for seed in range(20, 24)]
    quota = sum(len(p) for p in photos[:2])  # room for two such photos
    with TestClient(create_app(dataclasses.replace(settings, unreferenced_photo_quota=quota))) as client:
        token = login(client, "demo-specialist")
        assert [put(client, token, p).status_code for p in photos[:2]] == [201, 201]
        refused = put(client, token, photos[2])
        assert refused.status_code == 413
        assert refused.json()["code"] == "photo.quota_exceeded"
        assert refused.json()["detail"] == {"quota_bytes": quota, "held_bytes": quota}
        # a photo a stored record names is no leftover: it is taken whatever the quota
        record = defect_with_photos([sha(photos[3])])
        pushed = client.post(
            "/api/v1/sync/push", json=push_body("demo-specialist-phone", [record]), headers=bearer(token)
        )
        assert pushed.json()["results"][0]["status"] == "accepted"
        assert put(client, token, photos[3]).status_code == 201
        # the quota is each sender's own
        assert put(client, login(client, "demo-supervisor"), photos[2]).status_code == 201
    assert ("demo", sha(photos[2])) in _rows(server_db)


@pytest.mark.parametrize("photo_store_kw", STORES, indirect=True)
def test_photos_no_record_names_are_removed_after_the_grace_period(client, settings, server_db, clock):
    token = login(client, "demo-specialist")
    named, leftover, shared = small_jpeg(30), small_jpeg(31), small_jpeg(32)
    for photo in (named, leftover, shared):
        assert put(client, token, photo).status_code == 201
    record = defect_with_photos([sha(named)])
    client.post("/api/v1/sync/push", json=push_body("demo-specialist-phone", [record]), headers=bearer(token))
    other = login(client, "other-specialist")
    other_record = defect_with_photos([sha(shared)])
    other_record["body"]["place_id"] = "other-b1-u101"
    client.post("/api/v1/sync/push", json=push_body("other-specialist-phone", [other_record]), headers=bearer(other))
    assert put(client, other, shared).status_code == 201  # the other property names it: its file must stay

    clock.advance(days=6)
    assert photo_sweep.sweep(server_db, settings) == []  # still within the grace period
    clock.advance(days=2)
    assert photo_sweep.sweep(server_db, settings) == [sha(leftover)]
    assert _rows(server_db) == {("demo", sha(named)), ("other", sha(shared))}
    store = photo_store(settings)
    assert not store.exists(photo_key(sha(leftover))) and not store.exists(thumb_key(sha(leftover)))
    assert store.exists(photo_key(sha(shared))) and store.exists(photo_key(sha(named)))
    assert store.exists(thumb_key(sha(shared))) and store.exists(thumb_key(sha(named)))
    served = client.get(f"/api/v1/photos/{sha(leftover)}", headers=bearer(token))
    assert served.status_code == 404
    assert put(client, token, small_jpeg(31)).status_code == 201  # sent again, it is stored again


def test_leftovers_are_swept_when_the_server_starts(settings, server_db, clock):
    with TestClient(create_app(settings)) as client:
        token = login(client, "demo-specialist")
        assert put(client, token, small_jpeg(40)).status_code == 201
    photo_dir = settings.data_dir / "photos"
    stale = photo_dir / "ab" / ".incoming-dead.part"
    fresh = photo_dir / "ab" / ".incoming-writing.part"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"half a photo")
    fresh.write_bytes(b"being written by another worker")
    hours_ago = time.time() - 2 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    clock.advance(days=8)
    with TestClient(create_app(settings)):
        pass
    assert not stale.exists() and fresh.exists()
    assert _rows(server_db) == set()


def test_a_failed_write_leaves_no_part_file(client, settings, monkeypatch):
    token = login(client, "demo-specialist")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    client_no_raise = TestClient(client.app, raise_server_exceptions=False)
    response = put(client_no_raise, token, small_jpeg(50))
    assert response.status_code == 500
    assert [name for name in files_in(settings.data_dir / "photos") if name.endswith(".part")] == []
