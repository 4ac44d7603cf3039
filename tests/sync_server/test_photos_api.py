"""Photo routes through the app: upload once, serve within the property, refuse bad input clearly, track missing."""

from __future__ import annotations

import dataclasses
import hashlib
import io

import pytest
from PIL import Image

from shared.model import DefectCategory, DefectReport, RecordType, Severity
from shared.wire import encode_record
from sync_server.photo_store import LocalStore, photo_store
from tests.conftest import bearer, login
from tests.photo_samples import big_photo, camera_jpeg, png_bomb, small_jpeg, text_named_jpg, truncated_jpeg
from tests.seaweed import STORES
from tests.sync_server.helpers import T0, new_id, push_body

PHOTOS = "/api/v1/photos"
pytestmark = pytest.mark.parametrize("photo_store_kw", STORES, indirect=True)  # the data directory and a bucket


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def token(client):
    return login(client, "demo-specialist")


@pytest.fixture
def settings(settings, photo_store_kw):
    return dataclasses.replace(settings, **photo_store_kw)


def files_in(directory) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def stored(settings) -> list[str]:
    """The names of what the photo store holds: every file in a directory (half-written ones too), a bucket's keys."""
    store = photo_store(settings)
    if isinstance(store, LocalStore):
        return files_in(store.root)
    return sorted(key.rsplit("/", 1)[-1] for key in store.keys())


def put(client, token, data: bytes, name: str | None = None, **kw):
    headers = {**bearer(token), "Content-Type": "image/jpeg"}
    return client.put(f"{PHOTOS}/{name or sha(data)}", content=data, headers=headers, **kw)


def test_a_photo_is_sent_once_and_served_to_its_property(client, token, settings):
    data = camera_jpeg(big_photo(1600, 1200))
    name = sha(data)
    assert client.head(f"{PHOTOS}/{name}", headers=bearer(token)).status_code == 404

    first = put(client, token, data)
    assert first.status_code == 201, first.text
    assert first.json() == {"sha256": name, "created": True, "width": 1600, "height": 1200}
    again = put(client, token, data)
    assert again.status_code == 200 and again.json()["created"] is False
    assert stored(settings) == [f"{name}.jpg", f"{name}.thumb.jpg"]

    assert client.head(f"{PHOTOS}/{name}", headers=bearer(token)).status_code == 200
    supervisor = login(client, "demo-supervisor")
    served = client.get(f"{PHOTOS}/{name}", headers=bearer(supervisor))
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.content != data and Image.open(io.BytesIO(served.content)).size == (1600, 1200)
    assert "immutable" in served.headers["cache-control"]
    thumb = client.get(f"{PHOTOS}/{name}/thumbnail", headers=bearer(supervisor))
    assert thumb.status_code == 200 and max(Image.open(io.BytesIO(thumb.content)).size) <= 320


def test_the_phone_learns_which_photos_are_missing_and_the_limits(client, token, settings):
    have, lack = small_jpeg(1), small_jpeg(2)
    put(client, token, have)
    response = client.post(
        f"{PHOTOS}/missing", json={"hashes": [sha(have), sha(lack), sha(lack)]}, headers=bearer(token)
    )
    assert response.status_code == 200
    assert response.json() == {
        "missing": [sha(lack)],
        "limits": {"max_photo_bytes": settings.max_photo_bytes, "max_photo_pixels": settings.max_photo_pixels},
    }
    other = login(client, "other-specialist")  # same bytes, other property: it has to be sent there too
    response = client.post(f"{PHOTOS}/missing", json={"hashes": [sha(have)]}, headers=bearer(other))
    assert response.json()["missing"] == [sha(have)]


def test_another_propertys_user_cannot_fetch_a_photo(client, token):
    data = small_jpeg(3)
    put(client, token, data)
    stranger = login(client, "other-supervisor")
    for path in (f"{PHOTOS}/{sha(data)}", f"{PHOTOS}/{sha(data)}/thumbnail"):
        response = client.get(path, headers=bearer(stranger))
        assert response.status_code == 404
        assert response.json()["code"] == "photo.not_found" and "property" in response.json()["message"]
    assert client.head(f"{PHOTOS}/{sha(data)}", headers=bearer(stranger)).status_code == 404
    assert client.get(f"{PHOTOS}/{sha(data)}").status_code == 401


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (png_bomb, 413, "photo.too_many_pixels"),
        (truncated_jpeg, 422, "photo.unreadable"),
        (text_named_jpg, 415, "photo.not_an_image"),
    ],
    ids=["decompression-bomb", "truncated-jpeg", "text-named-jpg"],
)
def test_bad_files_get_a_clear_4xx_and_nothing_is_written(client, token, settings, server_db, make, status, code):
    data = make()
    response = put(client, token, data)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and len(body["message"]) > 20
    assert stored(settings) == []
    assert server_db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


def test_a_hash_that_does_not_match_is_refused(client, token, settings):
    data = small_jpeg(4)
    response = put(client, token, data, name=sha(b"another photo"))
    assert response.status_code == 422
    assert response.json()["code"] == "photo.hash_mismatch" and "damaged" in response.json()["message"]
    assert stored(settings) == []


def test_a_name_that_is_not_a_hash_is_refused(client, token, settings):
    response = put(client, token, small_jpeg(5), name="..%2F..%2Fserver.sqlite3")
    assert response.status_code in (404, 422)
    response = put(client, token, small_jpeg(5), name="A" * 64)
    assert response.status_code == 422 and response.json()["code"] == "photo.invalid_hash"
    assert stored(settings) == []


def test_a_50_mb_body_is_refused_with_the_limit(client, token, settings):
    data = b"\xff\xd8\xff\xe0" + bytes(50 * 1024 * 1024)
    response = put(client, token, data)
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "photo.too_large" and body["detail"]["max_photo_bytes"] == settings.max_photo_bytes
    assert "MB" in body["message"]
    assert stored(settings) == []


def test_a_body_without_length_is_cut_off_at_the_limit(client, token, settings):
    sent = []

    def chunks():
        for _ in range(12):  # 12 MB, no Content-Length: the server must count as it reads
            sent.append(1)
            yield bytes(1024 * 1024)

    response = client.put(f"{PHOTOS}/{'0' * 64}", content=chunks(), headers=bearer(token))
    assert response.status_code == 413 and response.json()["code"] == "photo.too_large"
    assert stored(settings) == []


def defect_with_photos(hashes: list[str]) -> dict:
    body = DefectReport(
        "demo-b1-u101", DefectCategory.ELECTRICAL, Severity.MEDIUM, "Sparks at the socket", photos=hashes
    )
    return encode_record(id=new_id(), type=RecordType.DEFECT_REPORT, device_seq=1, recorded_at=T0, body=body)


def pull(client, token, since=None):
    params = {"since": since} if since else {}
    response = client.get("/api/v1/sync/pull", params=params, headers=bearer(token))
    assert response.status_code == 200
    return response.json()


def test_the_pull_names_a_records_missing_photos_until_they_arrive(client, token):
    sent_first, late = small_jpeg(6), small_jpeg(7)
    put(client, token, sent_first)
    record = defect_with_photos([sha(sent_first), sha(late)])
    pushed = client.post("/api/v1/sync/push", json=push_body("demo-specialist-phone", [record]), headers=bearer(token))
    assert pushed.json()["results"][0]["status"] == "accepted"

    page = pull(client, token)
    missing = [c for c in page["changes"] if c["kind"] == "photo_missing"]
    assert missing == [
        {
            "seq": missing[0]["seq"],
            "kind": "photo_missing",
            "id": record["id"],
            "data": {"record_id": record["id"], "missing": [sha(late)]},
            "deleted": False,
        }
    ]
    supervisor = login(client, "demo-supervisor")  # the author's phone is the one that can send it
    assert not [c for c in pull(client, supervisor)["changes"] if c["kind"] == "photo_missing"]

    assert put(client, token, late).status_code == 201
    later = pull(client, token, since=page["cursor"])
    settled = [c for c in later["changes"] if c["kind"] == "photo_missing"]
    assert len(settled) == 1 and settled[0]["deleted"] is True  # the phone stops offering to send it


def test_a_record_whose_photos_came_first_never_shows_as_missing(client, token):
    photo = small_jpeg(8)
    put(client, token, photo)
    record = defect_with_photos([sha(photo)])
    client.post("/api/v1/sync/push", json=push_body("demo-specialist-phone", [record]), headers=bearer(token))
    assert not [c for c in pull(client, token)["changes"] if c["kind"] == "photo_missing"]
