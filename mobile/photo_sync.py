"""Sending the phone's photos: ask the server which it lacks, send only those, one at a time, with progress.

Each photo is marked sent the moment the server confirms it, so a cut connection costs at most the
photo in flight; the next sync asks again and never sends a confirmed photo twice.

Plugged into the sync client: ``SyncClient(http, store, photo_uploader=PhotoUploader(data_dir))``; it is
called as ``uploader(client, progress)`` after the records are pushed and reports
``progress("photos", bytes_done, bytes_total)``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobile.store import photos as photo_store
from mobile.sync import ERROR, SyncStopped

if TYPE_CHECKING:
    from mobile.sync import Progress, SyncClient

CHUNK_BYTES = 64 * 1024
QUERY_BATCH = 200
# Refusals about the photo itself: sending it again as it is cannot help.
_FINAL_CODES = frozenset({"photo.too_large", "photo.too_many_pixels", "photo.not_an_image", "photo.unreadable"})


@dataclass
class PhotoUploadReport:
    checked: int = 0  # photos asked about
    already_there: int = 0  # the server had them (sent earlier, or by another phone)
    sent: int = 0
    refused: int = 0
    bytes_sent: int = 0  # body bytes of the photos the server confirmed in this run
    bytes_total: int = 0  # of the photos that had to be sent


class PhotoUploader:
    def __init__(self, data_dir: str | os.PathLike[str], *, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.data_dir = Path(data_dir)
        self.chunk_bytes = chunk_bytes

    def __call__(self, client: SyncClient, progress: Progress | None = None) -> PhotoUploadReport:
        store, report = client.store, PhotoUploadReport()
        with store.reading() as db:
            candidates = {row["sha256"]: row for row in photo_store.to_upload(db)}
            limits_known = photo_store.max_photo_bytes(db, default=0) > 0
        if not candidates:
            if not limits_known:
                self._ask_missing(client, [])  # learn the server's limits, so capture can refuse oversize photos
            return report
        report.checked = len(candidates)
        missing = self._ask_missing(client, list(candidates))
        with store.transaction() as db:
            for sha256 in candidates.keys() - set(missing):
                photo_store.mark_uploaded(db, sha256=sha256)
                report.already_there += 1
            max_bytes = photo_store.max_photo_bytes(db, default=2**63)
        todo = [candidates[h] for h in missing if h in candidates]
        report.bytes_total = sum(row["size"] for row in todo)
        done = 0
        if progress:
            progress("photos", 0, report.bytes_total)
        for row in todo:
            data = self._read(client, row)
            if data is None:
                report.refused += 1
            elif len(data) > max_bytes:
                self._refuse(client, row["sha256"], _too_large(len(data), max_bytes))
                report.refused += 1
            else:
                ticks = _Ticker(progress, done, report.bytes_total)
                outcome = self._send(client, row["sha256"], data, ticks)
                if outcome == "sent":
                    report.sent += 1
                    report.bytes_sent += len(data)
                elif outcome == "refused":
                    report.refused += 1
            done += row["size"]
            if progress:
                progress("photos", done, report.bytes_total)
        return report

    def _ask_missing(self, client: SyncClient, hashes: list[str]) -> list[str]:
        missing: list[str] = []
        for start in range(0, max(len(hashes), 1), QUERY_BATCH):
            batch = hashes[start : start + QUERY_BATCH]
            response = client.request("POST", "/api/v1/photos/missing", json={"hashes": batch})
            data = _json(response)
            if not response.is_success or not isinstance(data.get("missing"), list):
                fallback = f"The server could not say which photos it needs ({response.status_code})."
                raise SyncStopped(
                    ERROR, str(data.get("code") or "photo.query_failed"), str(data.get("message") or fallback)
                )
            missing.extend(h for h in data["missing"] if isinstance(h, str))
            if isinstance(data.get("limits"), dict):
                with client.store.transaction() as db:
                    photo_store.set_limits(db, limits=data["limits"])
        return missing

    def _read(self, client: SyncClient, row: dict[str, Any]) -> bytes | None:
        """The photo's bytes if the file is still whole; a lost or damaged file is refused here, not sent."""
        try:
            data = (self.data_dir / row["path"]).read_bytes()
        except OSError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != row["sha256"]:
            self._refuse(
                client,
                row["sha256"],
                {
                    "code": "photo.damaged_on_phone",
                    "message": "This photo's file is missing or damaged on the phone and cannot be sent.",
                },
            )
            return None
        return data

    def _send(self, client: SyncClient, sha256: str, data: bytes, on_bytes: Callable[[int], None]) -> str:
        response = client.request(
            "PUT",
            f"/api/v1/photos/{sha256}",
            content=_Chunks(data, self.chunk_bytes, on_bytes),
            # An explicit length: the server refuses an oversized photo before reading it, and no chunked encoding.
            headers={"Content-Type": "image/jpeg", "Content-Length": str(len(data))},
        )
        if response.is_success:
            with client.store.transaction() as db:
                photo_store.mark_uploaded(db, sha256=sha256)
            return "sent"
        problem = _json(response)
        code = str(problem.get("code") or f"http.{response.status_code}")
        if code in _FINAL_CODES:
            self._refuse(client, sha256, {"code": code, "message": str(problem.get("message") or code)})
            return "refused"
        if code == "photo.hash_mismatch":
            return "retry"  # the file here is whole (checked before sending): damaged on the way, send next time
        raise SyncStopped(
            ERROR, code, str(problem.get("message") or f"The server refused a photo ({response.status_code}).")
        )

    def _refuse(self, client: SyncClient, sha256: str, problem: dict[str, str]) -> None:
        with client.store.transaction() as db:
            photo_store.mark_refused(db, sha256=sha256, code=problem["code"], message=problem["message"])


class _Chunks:
    """The body of one upload, re-iterable so a retry sends it again from the start; reports bytes as they go."""

    def __init__(self, data: bytes, size: int, on_bytes: Callable[[int], None]) -> None:
        self.data, self.size, self.on_bytes = data, size, on_bytes

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), self.size):
            chunk = self.data[start : start + self.size]
            yield chunk
            self.on_bytes(start + len(chunk))


class _Ticker:
    """Bytes of the photo in flight, reported on top of the photos done before it."""

    def __init__(self, progress: Progress | None, base: int, total: int) -> None:
        self.progress, self.base, self.total = progress, base, total

    def __call__(self, sent: int) -> None:
        if self.progress:
            self.progress("photos", min(self.base + sent, self.total), self.total)


def _too_large(size: int, max_bytes: int) -> dict[str, str]:
    return {
        "code": "photo.too_large",
        "message": f"This photo ({size / 2**20:.1f} MB) is larger than the server accepts "
        f"({max_bytes / 2**20:.1f} MB).",
    }


def _json(response: Any) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
