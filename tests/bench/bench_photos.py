"""Benchmark: the phone's photo pipeline on 12 MP photos, and the bytes an interrupted photo sync costs.

1. Time per 12-megapixel camera JPEG through ``mobile.photos.process_photo`` (orientation, RGB, draft-mode
   decode, resize to 1600 px, metadata stripped, JPEG + thumbnail, SHA-256), against the floor measured in
   the same run: bare Pillow decode (full size), resize to 1600 px, JPEG encode. Median of several runs.
2. Photos of a few records sent through the real app, the connection cut half way through one photo,
   then resumed: photo bytes sent / photo bytes that had to arrive (1.0 = nothing wasted).

The last line prints both ratios.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import httpx
from PIL import Image

# Starlette's TestClient prefers httpx2; the product uses httpx (as pyproject's pytest settings note).
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
from fastapi.testclient import TestClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from mobile import photos  # noqa: E402
from mobile.login import login  # noqa: E402
from mobile.photo_sync import PhotoUploader  # noqa: E402
from mobile.recorder import save_record  # noqa: E402
from mobile.store import open_store  # noqa: E402
from mobile.sync import SyncClient  # noqa: E402
from shared.model import DefectCategory, DefectReport, RecordType, Severity  # noqa: E402
from sync_server.app import create_app  # noqa: E402
from sync_server.demo import PASSWORD  # noqa: E402
from sync_server.settings import CHEAP_ARGON2, Settings  # noqa: E402
from tests.conftest import prepare_data_dir  # noqa: E402
from tests.photo_samples import CuttingTransport, big_photo, camera_jpeg  # noqa: E402

RUNS = 5
UPLOAD_PHOTOS = 8
SERVER_URL = "http://testserver"


def bare_floor(source: bytes) -> bytes:
    img = Image.open(io.BytesIO(source))
    img = img.resize((1600, 1200), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=photos.DEFAULT_QUALITY)
    return out.getvalue()


def median_time(work, source: bytes) -> float:
    work(source)  # warm up: codecs loaded, caches filled
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work(source)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def pipeline_ratio() -> tuple[float, float, float]:
    source = camera_jpeg(big_photo(4000, 3000), orientation=6)
    floor = median_time(bare_floor, source)
    pipeline = median_time(photos.process_photo, source)
    return pipeline, floor, pipeline / floor


def upload_ratio(directory: Path) -> tuple[int, int, float]:
    settings = Settings(data_dir=directory / "server", argon2=CHEAP_ARGON2)
    prepare_data_dir(settings, other_property=False)
    store = open_store(directory / "phone.sqlite3")
    app_dir = directory / "app"
    try:
        with TestClient(create_app(settings)) as client:
            login(client, SERVER_URL, "demo-specialist", PASSWORD, store=store)
            taken = [
                photos.ingest_photo(store, app_dir, camera_jpeg(big_photo(3000 + 8 * i, 2000)))
                for i in range(UPLOAD_PHOTOS)
            ]
            for pair in range(0, UPLOAD_PHOTOS, 2):
                hashes = [p.sha256 for p in taken[pair : pair + 2]]
                body = DefectReport("demo-b1-u101", DefectCategory.CIVIL, Severity.LOW, "Crack", photos=hashes)
                save_record(store, type=RecordType.DEFECT_REPORT, body=body)
            sizes = [p.size for p in taken]
            half = UPLOAD_PHOTOS // 2
            sent = 0
            for budget in (sum(sizes[:half]) + sizes[half] // 2, None):  # cut in the middle, then resume
                transport = CuttingTransport(client._transport, budget=budget)
                http = httpx.Client(transport=transport, base_url=SERVER_URL)
                SyncClient(http, store, sleep=lambda _: None, photo_uploader=PhotoUploader(app_dir)).run()
                sent += transport.photo_bytes
            assert store.pending_counts()["photos"] == 0, "not every photo arrived"
    finally:
        store.close()
    return sent, sum(sizes), sent / sum(sizes)


def main() -> None:
    pipeline, floor, ratio = pipeline_ratio()
    print(f"12 MP photo: pipeline {pipeline * 1000:.0f} ms, bare decode-resize-encode floor {floor * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        sent, needed, bytes_ratio = upload_ratio(Path(tmp))
    print(f"interrupted sync of {UPLOAD_PHOTOS} photos: {sent} bytes sent for {needed} bytes of photos")
    print(f"ratios: pipeline/floor {ratio:.2f}  upload bytes sent/needed {bytes_ratio:.2f}")


if __name__ == "__main__":
    main()
