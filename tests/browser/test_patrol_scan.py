"""Scanning a checkpoint's label with the camera, in Chromium whose fake camera films a printed QR code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import qrcode
import sqlite_utils
from PIL import Image

from sync_server.settings import Settings
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.phone import Phone
from tests.browser.test_field_flow import checkpoints_of_first_route, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(300)]


def label_video(path: Path, code: str) -> Path:
    """A one-frame Y4M video of a checkpoint label: Chromium loops it as the camera picture."""
    width, height = 640, 480
    label = qrcode.make(code, box_size=8, border=4).get_image().convert("L")
    frame = Image.new("L", (width, height), 255)
    frame.paste(label, ((width - label.width) // 2, (height - label.height) // 2))
    grey = bytes([128]) * (width // 2 * height // 2)  # no colour: both chroma planes neutral
    header = f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + frame.tobytes() + grey + grey)
    return path


def scanned_proofs(server_dir: Path) -> list[str]:
    """The codes of the scanned presence proofs the server received."""
    db = sqlite_utils.Database(Settings(data_dir=server_dir).db_path)
    try:
        bodies = [json.loads(row["raw"]).get("body", {}) for row in db.query("SELECT raw FROM records")]
    finally:
        db.close()
    proofs = [b["proof"] for b in bodies if isinstance(b.get("proof"), dict)]
    return [p["code"] for p in proofs if p.get("method") == "scanned"]


def test_the_camera_reads_the_label_and_only_this_checkpoints_code_is_taken(
    live_server, flet_app, chromium: Any, tmp_path: Path
) -> None:
    server = live_server()
    route_name, cps = checkpoints_of_first_route(server.url)
    first_code = cps[0]["scan_code"]
    video = label_video(tmp_path / "label.y4m", first_code)
    app = flet_app(server.url)
    # Its own browser: the fake camera's picture is fixed when Chromium starts.
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844}, permissions=["camera"])
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
        phone = Phone(page, app.url)
        phone.open()
        log_in(phone, "demo-specialist")
        phone.tap(route_name, exact=False)
        phone.see("Checkpoint 1 of")
        phone.tap("Scan code")
        phone.see("Point the camera at the checkpoint's code", timeout=60_000)
        phone.shot("patrol-scan-preview")
        phone.tap("Take picture")
        phone.see(f"Code scanned: {first_code}", timeout=60_000)
        phone.tap("All fine")
        phone.see("Checkpoint 2 of")
        # The same label again at the next checkpoint: refused at once, naming what was read.
        phone.tap("Scan code")
        phone.see("Point the camera at the checkpoint's code", timeout=60_000)
        phone.tap("Take picture")
        phone.see(f"The code read ({first_code}) is not this checkpoint's.", timeout=60_000)
        phone.shot("patrol-scan-wrong-label")
        phone.tap("Cancel")
        phone.see("Checkpoint 2 of")
        phone.tap("Sync")
        phone.see("All sent", timeout=60_000)
    finally:
        browser.close()
    assert scanned_proofs(server.data_dir) == [first_code]  # checkpoint 1's visit only, proven by its scanned code
