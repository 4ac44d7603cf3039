"""The photo store on both kinds (the data directory, a real SeaweedFS bucket): content-addressed, written only if
absent, nothing left by an interrupted upload, caching by ETag, a bucket's photos in backups, the CLI's options."""

from __future__ import annotations

import dataclasses
import hashlib
import socket
import tarfile
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from shared.errors import ValidationProblem
from sync_server import __main__ as cli
from sync_server.app import create_app
from sync_server.backup import backup
from sync_server.photo_s3 import S3Store
from sync_server.photo_store import LocalStore, photo_key, photo_store, thumb_key
from sync_server.restore import restore
from tests.conftest import bearer, login, run_async
from tests.photo_samples import small_jpeg
from tests.seaweed import STORES
from tests.sync_server.test_client_disconnect import put_scope
from tests.sync_server.test_photos_api import put, sha, stored

PHOTOS = "/api/v1/photos"


@pytest.fixture
def settings(settings, photo_store_kw):
    return dataclasses.replace(settings, **photo_store_kw)


@pytest.fixture
def s3_settings(settings, seaweed):
    return dataclasses.replace(settings, **seaweed.settings_kw(prefix=f"t-{uuid.uuid4().hex[:12]}"))


@pytest.mark.parametrize("photo_store_kw", STORES, indirect=True)
def test_a_key_put_twice_is_stored_once_and_never_overwritten(settings):
    store = photo_store(settings)
    key = photo_key(sha(b"first"))
    assert store.put_if_absent(key, b"first") is True
    assert store.put_if_absent(key, b"other bytes under the same key") is False
    assert store.get(key) == b"first" and store.exists(key)
    assert list(store.keys()) == [key]
    assert store.get(thumb_key(sha(b"first"))) is None and not store.exists(thumb_key(sha(b"first")))
    store.delete(key)
    store.delete(key)  # deleting what is not there is no error
    assert store.get(key) is None and list(store.keys()) == []


@pytest.mark.parametrize("photo_store_kw", STORES, indirect=True)
def test_one_photo_sent_to_two_properties_is_stored_once(client, settings, server_db):
    data = small_jpeg(70)
    assert put(client, login(client, "demo-specialist"), data).status_code == 201
    assert put(client, login(client, "other-specialist"), data).status_code == 201
    assert stored(settings) == [f"{sha(data)}.jpg", f"{sha(data)}.thumb.jpg"]
    assert server_db.execute("SELECT count(*) FROM photos").fetchone()[0] == 2  # each property's own row


@pytest.mark.parametrize("photo_store_kw", STORES, indirect=True)
def test_an_upload_cut_off_mid_way_leaves_nothing_in_the_store(app, client, settings, server_db):
    token = login(client, "demo-specialist")
    photo = small_jpeg(71)
    path = f"{PHOTOS}/{sha(photo)}"
    scope = put_scope(path, token, photo)
    arriving = [{"type": "http.request", "body": photo[: len(photo) // 2], "more_body": True}]

    async def receive():
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    async def send(message):
        pass

    run_async(app(scope, receive, send))
    assert stored(settings) == []
    assert server_db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0
    assert client.get(path, headers=bearer(token)).status_code == 404


def test_a_put_to_the_bucket_cut_off_on_the_wire_leaves_no_object(s3_settings):
    """What the S3 store relies on instead of temporary names: the server keeps no half-received object."""
    store = photo_store(s3_settings)
    assert isinstance(store, S3Store)
    cut, whole = photo_key(sha(b"cut")), photo_key(sha(b"whole"))
    body = small_jpeg(72)
    target = urlsplit(_presigned_put(store, cut))
    with socket.create_connection((target.hostname, target.port), timeout=10) as conn:
        head = (
            f"PUT {target.path}?{target.query} HTTP/1.1\r\nHost: {target.netloc}\r\n"
            f"Content-Length: {len(body)}\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        conn.sendall(head.encode() + body[: len(body) // 2])
    # The same PUT sent whole, after: stored (the cut one failed for being cut), and by then the cut one is done.
    sent = httpx.put(_presigned_put(store, whole), content=body, headers={"Content-Type": "image/jpeg"}, timeout=10)
    assert sent.status_code == 200
    assert list(store.keys()) == [whole] and store.get(whole) == body
    assert not store.exists(cut)


def _presigned_put(store: S3Store, key: str) -> str:
    params = {"Bucket": store.bucket, "Key": store.prefix + key, "ContentType": "image/jpeg"}
    url: str = store.client.generate_presigned_url("put_object", Params=params, ExpiresIn=60)
    return url


@pytest.mark.parametrize("photo_store_kw", STORES, indirect=True)
def test_a_photo_is_served_with_a_stable_etag_and_304_only_within_its_property(client, settings):
    token = login(client, "demo-specialist")
    data = small_jpeg(73)
    put(client, token, data)
    first = client.get(f"{PHOTOS}/{sha(data)}", headers=bearer(token))
    thumb = client.get(f"{PHOTOS}/{sha(data)}/thumbnail", headers=bearer(token))
    assert first.status_code == 200 and first.headers["etag"] == f'"{sha(data)}"'
    assert thumb.headers["etag"] == f'"{sha(data)}.thumb"' and thumb.content != first.content
    again = client.get(f"{PHOTOS}/{sha(data)}", headers={**bearer(token), "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and "immutable" in again.headers["cache-control"]
    stranger = login(client, "other-supervisor")  # knowing the ETag opens nothing
    refused = client.get(f"{PHOTOS}/{sha(data)}", headers={**bearer(stranger), "If-None-Match": f'"{sha(data)}"'})
    assert refused.status_code == 404 and refused.json()["code"] == "photo.not_found"


def test_a_bucket_store_reads_and_writes_the_bucket_not_the_disk(s3_settings, seaweed):
    with TestClient(create_app(s3_settings)) as client:
        token = login(client, "demo-specialist")
        data = small_jpeg(74)
        assert put(client, token, data).status_code == 201
        assert not (s3_settings.data_dir / "photos").exists()
        store = photo_store(s3_settings)
        listed = seaweed.client().list_objects_v2(Bucket=seaweed.bucket, Prefix=store.prefix)["Contents"]
        keys = [photo_key(sha(data)), thumb_key(sha(data))]
        assert sorted(item["Key"] for item in listed) == [store.prefix + key for key in keys]
        served = client.get(f"{PHOTOS}/{sha(data)}", headers=bearer(token))
        assert served.content == store.get(photo_key(sha(data)))
        store.delete(photo_key(sha(data)))  # the bucket, not a copy, is what is served
        assert client.get(f"{PHOTOS}/{sha(data)}", headers=bearer(token)).status_code == 404


def test_a_bucket_that_is_missing_is_refused_unless_the_server_may_create_it(s3_settings):
    name = f"made-{uuid.uuid4().hex[:8]}"
    missing = dataclasses.replace(s3_settings, photo_store_url=f"s3://{name}")
    with pytest.raises(ValidationProblem) as refused:
        photo_store(missing)
    assert refused.value.code == "settings.photo_bucket_missing" and name in refused.value.message
    made = photo_store(dataclasses.replace(missing, s3_create_bucket=True))
    assert made.put_if_absent(photo_key(sha(b"x")), b"x") and made.get(photo_key(sha(b"x"))) == b"x"


@pytest.mark.parametrize("url", ["ftp://bucket", "s3://", "bucket", "s3://bucket?x=1"])
def test_a_store_url_that_is_not_understood_is_refused(settings, url):
    with pytest.raises(ValidationProblem) as refused:
        photo_store(dataclasses.replace(settings, photo_store_url=url))
    assert refused.value.code == "settings.photo_store_invalid" and "s3://bucket" in refused.value.message


def test_serve_stops_at_once_when_the_photo_store_cannot_be_used(settings, seaweed, monkeypatch, capsys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "patrol-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    args = ["serve", "--data-dir", str(settings.data_dir), "--photo-store", f"s3://{seaweed.bucket}"]
    assert cli.main([*args, "--s3-endpoint-url", seaweed.endpoint_url]) == 1
    assert "photo store cannot be used" in capsys.readouterr().err
    assert cli.main(["serve", "--data-dir", str(settings.data_dir), "--photo-store", "/var/photos"]) == 1
    assert "s3://bucket" in capsys.readouterr().err


@pytest.mark.sqlite_only  # backup copies the SQLite file; PostgreSQL's is pg_dump
def test_a_backup_holds_a_buckets_photos_and_restores_them_to_files_or_a_bucket(
    s3_settings, seaweed, tmp_path, monkeypatch, capsys
):
    with TestClient(create_app(s3_settings)) as client:
        token = login(client, "demo-specialist")
        photos = [small_jpeg(75), small_jpeg(76)]
        for data in photos:
            assert put(client, token, data).status_code == 201
    store = photo_store(s3_settings)
    summary = backup(s3_settings.data_dir, tmp_path / "b.tar.gz", store=store)
    assert len(summary.manifest["photos"]) == 4
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        assert not [m.name for m in tar.getmembers() if m.name.startswith(".") or "/." in m.name]
    assert not list(tmp_path.glob(".b.tar.gz.*"))  # nothing fetched is left beside the archive

    restore(tmp_path / "b.tar.gz", tmp_path / "restored")
    restored = LocalStore(tmp_path / "restored" / "photos")
    assert sorted(restored.keys()) == sorted(store.keys())  # same layout: `aws s3 sync` puts them in a bucket
    for key in store.keys():
        assert restored.get(key) == store.get(key)

    for name, value in seaweed.env().items():  # the command line, with the keys from the environment
        monkeypatch.setenv(name, value)
    backed = ["--data-dir", str(s3_settings.data_dir), "--out", str(tmp_path / "cli.tar.gz")]
    assert cli.main(["backup", *backed, *seaweed.serve_args(store.prefix.strip("/"))]) == 0
    assert "2 photos (4 files)" in capsys.readouterr().out
    into = f"restored-{uuid.uuid4().hex[:8]}"
    target = ["--archive", str(tmp_path / "cli.tar.gz"), "--data-dir", str(tmp_path / "into-bucket")]
    assert cli.main(["restore", *target, *seaweed.serve_args(into)]) == 0
    again = photo_store(dataclasses.replace(s3_settings, photo_store_url=f"s3://{seaweed.bucket}/{into}"))
    assert sorted(again.keys()) == sorted(store.keys())
    assert all(again.get(key) == store.get(key) for key in store.keys())
    assert sorted(p.name for p in (tmp_path / "into-bucket").iterdir()) == ["server.sqlite3"]

    store.delete(photo_key(sha(photos[0])))
    with pytest.raises(ValidationProblem) as refused:
        backup(s3_settings.data_dir, tmp_path / "c.tar.gz", store=store)
    assert refused.value.code == "backup.photo_missing" and f"s3://{store.bucket}/" in refused.value.message


@pytest.mark.e2e
def test_the_served_cli_keeps_photos_in_the_bucket_its_options_name(live_server, seaweed, monkeypatch):
    prefix = f"cli-{uuid.uuid4().hex[:8]}"
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)  # keys from the environment, never on a command line
    server = live_server(args=seaweed.serve_args(prefix))
    token = login(server.url, "demo-specialist")
    data = small_jpeg(77)
    sent = httpx.put(
        f"{server.url}{PHOTOS}/{sha(data)}", content=data, headers={**bearer(token), "Content-Type": "image/jpeg"}
    )
    assert sent.status_code == 201, sent.text
    keys = [o["Key"] for o in seaweed.client().list_objects_v2(Bucket=seaweed.bucket, Prefix=prefix)["Contents"]]
    assert sorted(keys) == [f"{prefix}/{photo_key(sha(data))}", f"{prefix}/{thumb_key(sha(data))}"]
    served = httpx.get(f"{server.url}{PHOTOS}/{sha(data)}", headers=bearer(token))
    assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() != sha(data)  # re-encoded
    assert not (server.data_dir / "photos").exists()
