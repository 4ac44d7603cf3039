"""Photos over a real network to a real server process: a cut upload resumed, bad input refused, files safe."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from mobile import photos
from mobile.photo_sync import PhotoUploader
from mobile.recorder import save_record
from mobile.sync import OFFLINE, SyncClient
from shared.model import DefectCategory, DefectReport, RecordType, Severity
from sync_server.db import open_db
from tests.conftest import bearer, login
from tests.e2e.conftest import no_sleep
from tests.photo_samples import CuttingTransport, big_photo, camera_jpeg, png_bomb, text_named_jpg, truncated_jpeg

pytestmark = pytest.mark.e2e


def stored(server) -> list[str]:
    db = open_db(server.db_url)
    try:
        return sorted(row[0] for row in db.execute("SELECT sha256 FROM photos").fetchall())
    finally:
        db.close()


def photo_files(server) -> list[str]:
    directory = server.data_dir / "photos"
    return sorted(p.name for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def test_a_cut_upload_to_a_live_server_resumes_without_sending_anything_twice(live_server, make_phone, tmp_path):
    server = live_server()
    phone = make_phone(server)
    app_dir = tmp_path / "app"
    taken = [photos.ingest_photo(phone, app_dir, camera_jpeg(big_photo(2400 + 40 * i, 1800))) for i in range(4)]
    body = DefectReport("demo-b1-u101", DefectCategory.WATER_LEAKAGE, Severity.HIGH, "Leak", [p.sha256 for p in taken])
    save_record(phone, type=RecordType.DEFECT_REPORT, body=body)
    sizes = [p.size for p in taken]

    cut = CuttingTransport(httpx.HTTPTransport(), budget=sizes[0] + sizes[1] // 3)
    with httpx.Client(transport=cut, timeout=30) as http:
        report = SyncClient(http, phone, sleep=no_sleep, photo_uploader=PhotoUploader(app_dir)).run()
    assert report.status == OFFLINE and stored(server) == [taken[0].sha256]

    again = CuttingTransport(httpx.HTTPTransport())
    with httpx.Client(transport=again, timeout=30) as http:
        report = SyncClient(http, phone, sleep=no_sleep, photo_uploader=PhotoUploader(app_dir)).run()
    assert report.ok, report.error
    assert stored(server) == sorted(p.sha256 for p in taken)
    assert sorted(cut.arrived + again.arrived) == sorted(p.sha256 for p in taken)
    assert cut.photo_bytes + again.photo_bytes <= sum(sizes) + sizes[1]
    assert len(photo_files(server)) == 2 * len(taken)  # photo and thumbnail each, no leftovers
    assert phone.reference("photo_missing") == []  # the server withdrew its report once all had come


def test_bad_uploads_to_a_live_server_get_4xx_and_leave_no_file(live_server):
    server = live_server()
    token = login(server.url, "demo-specialist")
    stranger = login(server.url, "other-specialist")
    headers = {**bearer(token), "Content-Type": "image/jpeg"}
    good = camera_jpeg(big_photo(800, 600))
    cases = [
        (png_bomb(), None, 413, "photo.too_many_pixels"),
        (truncated_jpeg(), None, 422, "photo.unreadable"),
        (text_named_jpg(), None, 415, "photo.not_an_image"),
        (good, hashlib.sha256(b"not these bytes").hexdigest(), 422, "photo.hash_mismatch"),
        (bytes(50 * 1024 * 1024), None, 413, "photo.too_large"),
    ]
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for data, name, status, code in cases:
            name = name or hashlib.sha256(data).hexdigest()
            try:
                response = http.put(f"/api/v1/photos/{name}", content=data, headers=headers)
            except httpx.WriteError:
                pytest.fail(f"{code}: the server hung up instead of answering")
            assert response.status_code == status, (code, response.text)
            assert response.json()["code"] == code and response.json()["message"]
        assert photo_files(server) == [] and stored(server) == []

        name = hashlib.sha256(good).hexdigest()
        assert http.put(f"/api/v1/photos/{name}", content=good, headers=headers).status_code == 201
        refused = http.get(f"/api/v1/photos/{name}", headers=bearer(stranger))
        assert refused.status_code == 404 and refused.json()["code"] == "photo.not_found"
        assert http.get(f"/api/v1/photos/{name}", headers=bearer(token)).status_code == 200
    assert "Traceback" not in server.log_path.read_text()
