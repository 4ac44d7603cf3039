"""Sending photos from the phone to the real app: only missing ones, each once, surviving a cut connection."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from fastapi.testclient import TestClient

from mobile import photos
from mobile.login import login
from mobile.photo_sync import PhotoUploader
from mobile.recorder import save_record
from mobile.store import photos as photo_store
from mobile.sync import OFFLINE
from shared.errors import LimitProblem
from shared.model import DefectCategory, DefectReport, RecordType, Severity
from sync_server.app import create_app
from sync_server.demo import PASSWORD
from tests.mobile.conftest import SERVER_URL, quiet_client
from tests.photo_samples import CuttingTransport, big_photo, camera_jpeg, small_jpeg


def cut_after(client: TestClient, budget: int | None = None) -> tuple[httpx.Client, CuttingTransport]:
    transport = CuttingTransport(client._transport, budget=budget)
    return httpx.Client(transport=transport, base_url=SERVER_URL), transport


def report_defect(store, hashes: list[str]) -> dict:
    body = DefectReport(
        "demo-b1-u101", DefectCategory.CIVIL, Severity.LOW, "Cracked tile in the corridor", photos=hashes
    )
    return save_record(store, type=RecordType.DEFECT_REPORT, body=body)


def server_photos(server_db) -> list[str]:
    return sorted(row[0] for row in server_db.execute("SELECT sha256 FROM photos"))


def take(store, app_dir, seeds) -> list[photos.PhotoRef]:
    return [photos.ingest_photo(store, app_dir, small_jpeg(seed, (1024, 768))) for seed in seeds]


def test_a_cut_upload_resumes_and_every_photo_arrives_exactly_once(phone, client, server_db, tmp_path):
    app_dir = tmp_path / "app"
    taken = take(phone, app_dir, range(6))
    for pair in (taken[0:2], taken[2:4], taken[4:6]):
        report_defect(phone, [p.sha256 for p in pair])
    sizes = [p.size for p in taken]
    budget = sizes[0] + sizes[1] + sizes[2] // 2  # the connection dies half way through the third photo

    http, first = cut_after(client, budget)
    interrupted = quiet_client(http, phone, photo_uploader=PhotoUploader(app_dir)).run()
    assert interrupted.status == OFFLINE
    assert interrupted.accepted == 3  # records went first; they are safe on the server
    assert len(server_photos(server_db)) == 2
    assert phone.pending_counts()["photos"] == 4  # the two confirmed ones are not sent again

    steps = []
    http, second = cut_after(client)
    resumed = quiet_client(http, phone, photo_uploader=PhotoUploader(app_dir)).run(progress=lambda *s: steps.append(s))
    assert resumed.ok, resumed.error
    assert resumed.photos.sent == 4 and resumed.photos.already_there == 0

    assert server_photos(server_db) == sorted(p.sha256 for p in taken)
    arrived = first.arrived + second.arrived
    assert sorted(arrived) == sorted(p.sha256 for p in taken)  # each exactly once
    sent = first.photo_bytes + second.photo_bytes
    assert sent <= sum(sizes) + sizes[2]  # at most the one photo in flight was lost
    assert phone.pending_counts()["photos"] == 0

    photo_steps = [(done, total) for phase, done, total in steps if phase == "photos"]
    assert photo_steps[-1] == (sum(sizes[2:]), sum(sizes[2:]))
    assert [d for d, _ in photo_steps] == sorted(d for d, _ in photo_steps)
    assert len(photo_steps) > 8  # progress within photos, not just between them


def test_only_the_photos_the_server_lacks_are_sent(phone, make_phone, client, tmp_path):
    app_dir = tmp_path / "app"
    shared_photo, own = take(phone, app_dir, [10, 11])
    # The same user's second phone sends the same photo first (say, shared through the gallery).
    other_phone = make_phone("tablet")
    login(client, SERVER_URL, "demo-specialist", PASSWORD, store=other_phone)
    photos.ingest_photo(other_phone, tmp_path / "tablet", small_jpeg(10, (1024, 768)))
    report_defect(other_phone, [shared_photo.sha256])
    tablet = quiet_client(client, other_phone, photo_uploader=PhotoUploader(tmp_path / "tablet")).run()
    assert tablet.ok and tablet.photos.sent == 1, tablet

    report_defect(phone, [shared_photo.sha256, own.sha256])
    http, transport = cut_after(client)
    report = quiet_client(http, phone, photo_uploader=PhotoUploader(app_dir)).run()
    assert report.ok and report.photos.already_there == 1 and report.photos.sent == 1
    assert transport.arrived == [own.sha256] and transport.photo_bytes == own.size


def test_a_photo_the_server_reports_missing_is_sent_again(phone, client, server_db, tmp_path):
    app_dir = tmp_path / "app"
    (lost,) = take(phone, app_dir, [20])
    with phone.transaction() as db:
        photo_store.mark_uploaded(db, sha256=lost.sha256)  # the phone believes it was sent (server restored, say)
    report_defect(phone, [lost.sha256])
    uploader = PhotoUploader(app_dir)

    first = quiet_client(client, phone, photo_uploader=uploader).run()
    assert first.ok and first.photos.checked == 0  # nothing looked pending...
    assert phone.reference("photo_missing")[0]["missing"] == [lost.sha256]  # ...until the pull said so

    second = quiet_client(client, phone, photo_uploader=uploader).run()
    assert second.ok and second.photos.sent == 1
    assert server_photos(server_db) == [lost.sha256]
    assert phone.reference("photo_missing") == []


def test_a_photo_over_the_servers_limit_is_refused_on_the_phone_with_a_message(phone, settings, tmp_path):
    tight = create_app(dataclasses.replace(settings, max_photo_bytes=60_000))
    with TestClient(tight) as client:
        app_dir = tmp_path / "app"
        small = photos.ingest_photo(phone, app_dir, small_jpeg(30, (320, 240)))
        big = photos.ingest_photo(phone, app_dir, camera_jpeg(big_photo(1600, 1200)))  # taken before it knew
        assert small.size < 60_000 < big.size
        report_defect(phone, [small.sha256, big.sha256])
        http, transport = cut_after(client)
        report = quiet_client(http, phone, photo_uploader=PhotoUploader(app_dir)).run()
    assert report.ok and report.photos.sent == 1 and report.photos.refused == 1
    assert transport.arrived == [small.sha256] and transport.photo_bytes == small.size  # the big one never left
    with phone.reading() as db:
        (refused,) = photo_store.refused_photos(db)
        assert photo_store.max_photo_bytes(db, default=0) == 60_000
    assert refused["sha256"] == big.sha256 and refused["error_code"] == "photo.too_large"
    assert "larger than the server accepts" in refused["error_message"]
    assert phone.pending_counts()["photos"] == 0
    # The next photo that big is refused when it is taken, not at sync time.
    with pytest.raises(LimitProblem) as refused_now:
        photos.ingest_photo(phone, app_dir, camera_jpeg(big_photo(1600, 1000)))
    assert refused_now.value.code == "photo.too_large"


def test_the_first_sync_teaches_the_phone_the_servers_photo_limit(phone, client, settings):
    with phone.reading() as db:
        assert photo_store.max_photo_bytes(db, default=0) == 0
    assert quiet_client(client, phone, photo_uploader=PhotoUploader(settings.data_dir / "unused")).run().ok
    with phone.reading() as db:
        assert photo_store.max_photo_bytes(db, default=0) == settings.max_photo_bytes
