"""Photos from other phones: fetched from the real server app, kept on the phone, shown offline as not downloaded."""

from __future__ import annotations

import hashlib
import io
import threading

import httpx
import pytest
from PIL import Image

from mobile import photos
from mobile.login import login
from mobile.photo_cache import LOADING, NOT_ON_SERVER, OFFLINE, READY, SERVER_CACHE_DIR, PhotoCache, PhotoUnavailable
from mobile.photo_sync import PhotoUploader
from mobile.recorder import save_record
from shared.model import DefectCategory, DefectReport, RecordType, Severity
from sync_server.demo import PASSWORD
from tests.mobile.conftest import SERVER_URL, quiet_client
from tests.photo_samples import camera_jpeg, halves, small_jpeg


class Counting(httpx.BaseTransport):
    """The real app behind a switch: counts the requests, and fails like a dead network while ``offline``."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.offline, self.paths = inner, False, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if self.offline:
            raise httpx.ConnectError("injected: no network", request=request)
        response = self.inner.handle_request(request)
        response.read()
        return response


@pytest.fixture
def sent_photo(phone, client, tmp_path):
    """A photo the specialist took (a rotated camera JPEG with GPS), reported in a defect and synced."""
    ref = photos.ingest_photo(phone, tmp_path / "specialist", camera_jpeg(halves(1200, 800), orientation=6))
    body = DefectReport("demo-b1-u101", DefectCategory.CIVIL, Severity.LOW, "Cracked tile", photos=[ref.sha256])
    save_record(phone, type=RecordType.DEFECT_REPORT, body=body)
    report = quiet_client(client, phone, photo_uploader=PhotoUploader(tmp_path / "specialist")).run()
    assert report.ok and report.photos.sent == 1, report
    return ref


def supervisor(make_phone, client, tmp_path, username="demo-supervisor"):
    store = make_phone(username)
    login(client, SERVER_URL, username, PASSWORD, store=store)
    transport = Counting(client._transport)
    http = httpx.Client(transport=transport, base_url=SERVER_URL)
    return PhotoCache(tmp_path / username, http, store), transport


def test_the_supervisor_gets_thumbnail_and_photo_of_a_defect_from_the_server(sent_photo, make_phone, client, tmp_path):
    cache, transport = supervisor(make_phone, client, tmp_path)
    sha = sent_photo.sha256
    assert cache.thumbnail(sha) is None and cache.photo(sha) is None

    thumb = cache.download_thumbnail(sha)
    assert thumb.is_relative_to(tmp_path / "demo-supervisor" / SERVER_CACHE_DIR)
    with Image.open(thumb) as img:
        assert img.format == "JPEG" and max(img.size) <= 320
        assert img.size[1] > img.size[0]  # upright: the camera's orientation tag was applied before it was sent
    assert cache.thumbnail(sha) == thumb

    full = cache.download_photo(sha)
    data = full.read_bytes()
    # The server re-encodes what it receives, so its copy cannot be checked against the record's hash:
    # it is kept in the server cache, never among the phone's own (hash-named, verified) photos.
    assert hashlib.sha256(data).hexdigest() != sha
    assert full.is_relative_to(tmp_path / "demo-supervisor" / SERVER_CACHE_DIR)
    assert not photos.photo_paths(tmp_path / "demo-supervisor", sha)[0].exists()
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (sent_photo.width, sent_photo.height)
        assert not img.getexif().get_ifd(0x8825)  # no GPS position on the way back either
    assert cache.photo(sha) == full

    asked = len(transport.paths)
    assert cache.want(sha).status == READY and cache.want(sha, full=True).status == READY
    assert len(transport.paths) == asked  # kept: no second download


def test_want_fetches_in_the_background_once_and_tells_the_screen(sent_photo, make_phone, client, tmp_path):
    cache, transport = supervisor(make_phone, client, tmp_path)
    changed = threading.Event()
    cache.on_change = changed.set
    first = cache.want(sent_photo.sha256)
    assert first.status == LOADING and first.path is None
    cache.wait()
    assert changed.is_set()
    state = cache.want(sent_photo.sha256)
    assert state.status == READY and state.path == cache.thumbnail(sent_photo.sha256)
    assert transport.paths == [f"/api/v1/photos/{sent_photo.sha256}/thumbnail"]


def test_offline_the_tile_says_not_downloaded_and_tries_again_later(sent_photo, make_phone, client, tmp_path):
    now = [0.0]
    cache, transport = supervisor(make_phone, client, tmp_path)
    cache.clock = lambda: now[0]
    transport.offline = True
    assert cache.want(sent_photo.sha256).status == LOADING
    cache.wait()
    state = cache.want(sent_photo.sha256)
    assert state.status == OFFLINE and state.code == "sync.offline"
    assert len(transport.paths) == 1  # redraws while offline do not ask again at once

    transport.offline = False
    now[0] += 5
    assert cache.want(sent_photo.sha256).status == OFFLINE  # still within the wait
    cache.retry_failed()  # a sync succeeded: the server is back
    assert cache.want(sent_photo.sha256).status == LOADING
    cache.wait()
    assert cache.want(sent_photo.sha256).status == READY


def test_a_photo_of_another_property_is_not_there_and_nothing_is_written(sent_photo, make_phone, client, tmp_path):
    cache, _ = supervisor(make_phone, client, tmp_path, username="other-supervisor")
    with pytest.raises(PhotoUnavailable) as caught:
        cache.download_thumbnail(sent_photo.sha256)
    assert caught.value.code == "photo.not_found"
    cache.want(sent_photo.sha256)
    cache.wait()
    assert cache.want(sent_photo.sha256).status == NOT_ON_SERVER
    assert not (tmp_path / "other-supervisor").exists() or not any((tmp_path / "other-supervisor").rglob("*.jpg"))


def test_own_photos_show_without_asking_the_server(phone, client, tmp_path):
    ref = photos.ingest_photo(phone, tmp_path / "own", small_jpeg(3))
    transport = Counting(client._transport)
    cache = PhotoCache(tmp_path / "own", httpx.Client(transport=transport, base_url=SERVER_URL), phone)
    assert cache.want(ref.sha256) == cache.want(ref.sha256)
    assert cache.want(ref.sha256).path == ref.thumb_path and cache.want(ref.sha256, full=True).path == ref.path
    assert cache.want("../../etc/passwd").status == "failed"
    assert transport.paths == []


def serving(body: bytes) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)))


def test_a_full_photo_whose_bytes_match_its_name_is_kept_with_the_phones_own(phone, tmp_path):
    original = small_jpeg(7)
    sha = hashlib.sha256(original).hexdigest()
    path = PhotoCache(tmp_path, serving(original), phone).download_photo(sha)
    assert path == photos.photo_paths(tmp_path, sha)[0] and path.read_bytes() == original


def test_what_is_not_a_jpeg_is_never_kept(phone, tmp_path):
    page = b"<html>Log in to the hotel wifi</html>"
    sha = hashlib.sha256(small_jpeg(8)).hexdigest()
    cache = PhotoCache(tmp_path, serving(page), phone)
    for fetch in (cache.download_thumbnail, cache.download_photo):
        with pytest.raises(PhotoUnavailable) as caught:
            fetch(sha)
        assert caught.value.code == "photo.unreadable"
    assert not any(tmp_path.rglob("*.jpg"))


def test_the_app_fetches_for_its_screens_and_retries_after_a_sync(sent_photo, tmp_path, client) -> None:
    from mobile.context import AppContext

    transport = Counting(client._transport)
    ctx = AppContext(data_dir=tmp_path / "tablet", http=httpx.Client(transport=transport, base_url=SERVER_URL))
    try:
        ctx.login(SERVER_URL, "demo-supervisor", PASSWORD)
        redraws = threading.Event()
        ctx.listeners.append(redraws.set)
        transport.offline = True
        ctx.photos.want(sent_photo.sha256)
        ctx.photos.wait()
        assert redraws.is_set() and ctx.photos.want(sent_photo.sha256).status == OFFLINE
        transport.offline = False
        ctx.sync_now()
        ctx.wait_sync()  # a successful sync: the server is back, so the photo is asked for again
        assert ctx.photos.want(sent_photo.sha256).status == LOADING
        ctx.photos.wait()
        assert ctx.photos.want(sent_photo.sha256).status == READY
    finally:
        ctx.close()


def test_tiles_say_what_is_missing_and_why_in_the_users_language() -> None:
    from mobile.photo_cache import FAILED, PhotoState
    from mobile.state.photo_tiles import gallery_notes, tile_label
    from shared.i18n import Translator

    hans = Translator("zh-Hans")
    states = [PhotoState(READY), PhotoState(OFFLINE, code="sync.offline"), PhotoState(OFFLINE, code="sync.offline")]
    assert tile_label(hans, states[0], 1) == "照片 1"
    assert tile_label(hans, states[1], 2) == "照片尚未下载（离线）"
    assert gallery_notes(hans, states) == ["2 张照片尚未下载（离线），连上服务器后会自动加载。"]
    broken = PhotoState(FAILED, code="photo.unreadable", message="The server's copy could not be read.")
    assert gallery_notes(hans, [broken]) == ["无法显示照片：照片已损坏，无法读取。请重新拍摄。"]
    assert gallery_notes(hans, [PhotoState(READY), PhotoState(LOADING)]) == []


def test_the_order_screen_shows_the_defects_photo_or_says_it_is_not_downloaded(sent_photo, tmp_path, client) -> None:
    from types import SimpleNamespace

    import flet as ft

    from mobile.context import AppContext
    from mobile.state.orders import OrdersBoard
    from mobile.views.orders import OrderDetailView
    from tests.mobile.test_views_build_state import texts

    transport = Counting(client._transport)
    ctx = AppContext(data_dir=tmp_path / "tablet", http=httpx.Client(transport=transport, base_url=SERVER_URL))
    try:
        ctx.login(SERVER_URL, "demo-supervisor", PASSWORD)
        ctx.sync_now()
        ctx.wait_sync()
        order = next(o for o in ctx.ref.items("work_order") if sent_photo.sha256 in o.get("photos", []))
        board = OrdersBoard(ref=ctx.ref, save=ctx.save, now=ctx.now, user=ctx.user)
        shell = SimpleNamespace(ctx=ctx, board=board, tab="review", page=None, screen=None)
        view = OrderDetailView(shell, order["id"])  # type: ignore[arg-type]

        transport.offline = True
        view.build()
        ctx.photos.wait()
        shown = texts(view.build())
        assert "1 photo not downloaded yet (offline); it loads by itself when the server is reachable." in shown

        transport.offline = False
        ctx.photos.retry_failed()
        view.build()
        ctx.photos.wait()
        built = view.build()
        images = [c for c in _walk(built) if isinstance(c, ft.Image)]
        assert [i.semantics_label for i in images] == ["Photo 1"]
        assert not any("not downloaded" in s for s in texts(built))
    finally:
        ctx.close()


def _walk(control):
    yield control
    for name in ("content", "controls"):
        child = getattr(control, name, None)
        for c in child if isinstance(child, list) else [child]:
            if c is not None and hasattr(c, "__dict__") and not isinstance(c, str):
                yield from _walk(c)
