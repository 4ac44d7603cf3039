"""Photos taken on other phones: fetch thumbnail and photo from the server on demand, off the UI thread, and keep them.

Where a photo is looked for, in order: the phone's own photos (``mobile.photos.photo_paths`` under the data
directory), then the server cache (the same layout under ``server-photos/``). A full photo whose bytes hash
to its name is kept with the phone's own photos; the server re-encodes what it receives (no metadata), so
its copy normally does not hash to the record's name and is kept in the server cache after it decodes as a
JPEG. Thumbnails are the server's own re-encoding and always go to the server cache.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from PIL import Image, UnidentifiedImageError

from mobile.photos import photo_paths
from mobile.sync import server_problem
from shared.errors import PatrolError

if TYPE_CHECKING:
    from mobile.store import Store

SERVER_CACHE_DIR = "server-photos"
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the server stores at most 1600-ish px JPEGs; anything far bigger is wrong
RETRY_SECONDS = 30.0  # a failed fetch is not tried again before this, so redraws never hammer the server
_SHA256 = re.compile(r"[0-9a-f]{64}")

# What a photo tile shows.
READY, LOADING, OFFLINE, NOT_ON_SERVER, FAILED = "ready", "loading", "offline", "not_on_server", "failed"


@dataclass(frozen=True)
class PhotoState:
    status: str
    path: Path | None = None
    code: str | None = None  # why it is not there (a server or transport problem code)
    message: str = ""  # the server's words, for codes the app has no sentence for
    detail: dict[str, Any] = field(default_factory=dict)


class PhotoUnavailable(PatrolError):
    """A photo could not be fetched: ``sync.offline``, ``photo.not_found``, ``auth.login_required``, ..."""


class PhotoCache:
    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        http: httpx.Client,
        store: Store,
        *,
        on_change: Callable[[], None] | None = None,
        workers: int = 2,
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.http, self.store = http, store
        self.on_change = on_change
        self.workers, self.retry_seconds, self.clock = workers, retry_seconds, clock
        self._lock = threading.Lock()
        self._loading: set[tuple[str, bool]] = set()
        self._failed: dict[tuple[str, bool], tuple[float, PhotoUnavailable]] = {}
        self._pool: ThreadPoolExecutor | None = None

    # ---- where a photo is ----------------------------------------------------------------
    def server_paths(self, sha256: str) -> tuple[Path, Path]:
        """Photo and thumbnail as fetched from the server (same fan-out as the phone's own photos)."""
        return photo_paths(self.data_dir / SERVER_CACHE_DIR, sha256)

    def thumbnail(self, sha256: str) -> Path | None:
        if not _SHA256.fullmatch(sha256):
            return None
        return _first_file(photo_paths(self.data_dir, sha256)[1], self.server_paths(sha256)[1])

    def photo(self, sha256: str) -> Path | None:
        if not _SHA256.fullmatch(sha256):
            return None
        return _first_file(photo_paths(self.data_dir, sha256)[0], self.server_paths(sha256)[0])

    # ---- fetching (blocking; the UI uses ``want``) ---------------------------------------
    def download_thumbnail(self, sha256: str) -> Path:
        data = self._get(sha256, "/thumbnail")
        path = self.server_paths(sha256)[1]
        _write_atomic(path, data)
        return path

    def download_photo(self, sha256: str) -> Path:
        data = self._get(sha256, "")
        if hashlib.sha256(data).hexdigest() == sha256:
            path = photo_paths(self.data_dir, sha256)[0]  # the very bytes the record names: as good as our own
        else:
            path = self.server_paths(sha256)[0]  # the server's clean re-encoding of them
        _write_atomic(path, data)
        return path

    def _get(self, sha256: str, suffix: str) -> bytes:
        if not _SHA256.fullmatch(sha256):
            raise PhotoUnavailable("photo.invalid_hash", "This photo reference is not a photo hash.")
        base, token = (self.store.server_url or "").rstrip("/"), self.store.token
        if not base or not token:
            raise PhotoUnavailable("sync.offline", "Not logged in to a server on this phone.")
        try:
            response = self.http.get(
                f"{base}/api/v1/photos/{sha256}{suffix}", headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.TransportError as exc:
            raise PhotoUnavailable(
                "sync.offline", "The server cannot be reached.", {"reason": str(exc)[:200]}
            ) from None
        if not response.is_success:
            login = "auth.login_required" if response.status_code == 401 else None
            raise PhotoUnavailable(**server_problem(response, login))
        data = response.content
        if len(data) > MAX_DOWNLOAD_BYTES:
            raise PhotoUnavailable("photo.too_large", "The server sent more than a photo can be.", {"size": len(data)})
        _check_jpeg(data)
        return data

    # ---- for the screens -----------------------------------------------------------------
    def want(self, sha256: str, *, full: bool = False) -> PhotoState:
        """What to show now; a photo not here is fetched in the background and ``on_change`` called when done."""
        path = self.photo(sha256) if full else self.thumbnail(sha256)
        if path is not None:
            return PhotoState(READY, path)
        if not _SHA256.fullmatch(sha256):
            return PhotoState(FAILED, code="photo.invalid_hash")
        key = (sha256, full)
        with self._lock:
            if key in self._loading:
                return PhotoState(LOADING)
            failed = self._failed.get(key)
            if failed is not None and self.clock() - failed[0] < self.retry_seconds:
                return _failed_state(failed[1])
            self._failed.pop(key, None)
            self._loading.add(key)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="photo-fetch")
            self._pool.submit(self._fetch, sha256, full)
        return PhotoState(LOADING)

    def _fetch(self, sha256: str, full: bool) -> None:
        key = (sha256, full)
        try:
            (self.download_photo if full else self.download_thumbnail)(sha256)
        except PhotoUnavailable as problem:
            with self._lock:
                self._failed[key] = (self.clock(), problem)
        except Exception as exc:  # noqa: BLE001 - a full disk or a broken file must show on the tile, not vanish
            with self._lock:
                self._failed[key] = (self.clock(), PhotoUnavailable("photo.fetch_failed", str(exc)[:200]))
        finally:
            with self._lock:
                self._loading.discard(key)
            if self.on_change is not None:
                self.on_change()

    def retry_failed(self) -> None:
        """Forget past failures (after a successful sync the server is back and may have the photo now)."""
        with self._lock:
            self._failed.clear()

    def wait(self) -> None:
        """Finish the fetches under way (tests, closing)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def close(self) -> None:
        self.wait()


def _failed_state(problem: PhotoUnavailable) -> PhotoState:
    if problem.code == "sync.offline":
        status = OFFLINE
    elif problem.code == "photo.not_found":
        status = NOT_ON_SERVER
    else:
        status = FAILED
    return PhotoState(status, code=problem.code, message=problem.message, detail=problem.detail)


def _first_file(*paths: Path) -> Path | None:
    return next((p for p in paths if p.is_file()), None)


def _check_jpeg(data: bytes) -> None:
    """Keep only what decodes as a JPEG: a captive portal's page or a cut download must not become a 'photo'."""
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG",)) as img:
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoUnavailable("photo.unreadable", "The server's copy of this photo could not be read.") from None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
