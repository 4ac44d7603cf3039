"""Data for the backup tests: one phone's pushes (records, photos) and pulls over any httpx client.

A Starlette TestClient is an httpx.Client, so the same helpers drive an in-process app and a live server.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import httpx

from shared.model import DefectCategory, DefectReport, RecordType, Severity
from shared.wire import encode_record
from tests.conftest import bearer
from tests.photo_samples import big_photo, camera_jpeg
from tests.sync_server.helpers import T0, new_id, push_body


def push(http: httpx.Client, token: str, device_id: str, records: list[dict[str, Any]]) -> list[str]:
    """Push ``records``; every one must be accepted. Returns their ids."""
    response = http.post("/api/v1/sync/push", json=push_body(device_id, records), headers=bearer(token))
    assert response.status_code == 200, response.text
    statuses = [result["status"] for result in response.json()["results"]]
    assert statuses == ["accepted"] * len(records), response.text
    return [record["id"] for record in records]


def photo(n: int) -> tuple[str, bytes]:
    """A small camera JPEG, different for each ``n``, and its SHA-256 (its name)."""
    data = camera_jpeg(big_photo(320 + 8 * (n % 50), 240 + 8 * (n // 50)))
    return hashlib.sha256(data).hexdigest(), data


def upload(http: httpx.Client, token: str, sha256: str, data: bytes) -> None:
    headers = {**bearer(token), "Content-Type": "image/jpeg"}
    response = http.put(f"/api/v1/photos/{sha256}", content=data, headers=headers)
    assert response.status_code == 201, response.text


def photo_defect(seq: int, sha256: str) -> dict[str, Any]:
    body = DefectReport("demo-b1-u101", DefectCategory.WATER_LEAKAGE, Severity.HIGH, f"Leak {seq}", [sha256])
    return encode_record(id=new_id(), type=RecordType.DEFECT_REPORT, device_seq=seq, recorded_at=T0, body=body)


def pull_all(http: httpx.Client, token: str) -> list[dict[str, Any]]:
    """Every change the user sees, pulled page by page from the start."""
    changes: list[dict[str, Any]] = []
    cursor = ""
    while True:
        response = http.get("/api/v1/sync/pull", params={"since": cursor, "limit": 1000}, headers=bearer(token))
        assert response.status_code == 200, response.text
        page = response.json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes


def members(archive: Path) -> list[tuple[str, bytes]]:
    with tarfile.open(archive, "r:gz") as tar:
        return [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]


def write_archive(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def manifest_of(entries: list[tuple[str, bytes]]) -> dict[str, Any]:
    return json.loads(dict(entries)["manifest.json"])


def with_manifest(entries: list[tuple[str, bytes]], manifest: dict[str, Any]) -> list[tuple[str, bytes]]:
    body = json.dumps(manifest).encode()
    return [(name, body if name == "manifest.json" else data) for name, data in entries]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
