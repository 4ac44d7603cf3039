"""A phone that drops mid-upload is one info line in the log, not a server error with tracebacks."""

from __future__ import annotations

import logging
import socket
import time

import httpx
import pytest

from tests.conftest import login, run_async
from tests.photo_samples import small_jpeg
from tests.sync_server.test_photos_api import sha


def test_a_dropped_upload_is_logged_as_one_info_line(app, client, settings, caplog):
    token = login(client, "demo-specialist")
    photo = small_jpeg(60)
    scope = put_scope(f"/api/v1/photos/{sha(photo)}", token, photo)
    arriving = [
        {"type": "http.request", "body": photo[:1000], "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive():
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    async def send(message):
        pass

    with caplog.at_level(logging.INFO):
        run_async(app(scope, receive, send))
    records = [r for r in caplog.records if r.name.startswith("sync_server")]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.INFO, f"client 10.0.0.9 disconnected during PUT /api/v1/photos/{sha(photo)}")
    ]
    assert not any(r.exc_info for r in caplog.records)
    assert not list((settings.data_dir / "photos").rglob("*.part"))


@pytest.mark.e2e
def test_the_real_server_logs_no_traceback_for_a_dropped_upload(live_server):
    server = live_server()
    token = login(server.url, "demo-specialist")
    photo = small_jpeg(61)
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(
            f"PUT /api/v1/photos/{sha(photo)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: image/jpeg\r\nContent-Length: {len(photo)}\r\n\r\n".encode()
            + photo[:2000]
        )
        time.sleep(0.3)
        sock.close()
    time.sleep(0.5)
    assert httpx.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200
    log = server.log_path.read_text()
    assert "Traceback" not in log and "unexpected error" not in log, log[-2000:]


def put_scope(path: str, token: str, photo: bytes) -> dict:
    """The ASGI scope of a phone's photo upload, for tests that feed the body in pieces themselves."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"server"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"image/jpeg"),
            (b"content-length", str(len(photo)).encode()),
        ],
        "client": ("10.0.0.9", 40000),
        "server": ("server", 80),
    }
