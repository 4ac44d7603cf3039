"""The one app context the views share: store, sync client, settings, translator, clock and record saving."""

from __future__ import annotations

import json
import os
import threading
import time as monotonic_time
from collections.abc import Callable, Collection
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from mobile import recorder
from mobile.login import login as sync_login
from mobile.photo_cache import PhotoCache
from mobile.photos import ORPHAN_GRACE, cleanup_photos
from mobile.server_clock import ServerClock
from mobile.state.orders import OrdersBoard
from mobile.state.ports import RefData
from mobile.state.sync_status import SyncStatus
from mobile.state.today import Today, build_today
from mobile.store import Store, open_store
from mobile.sync import SyncClient
from shared import rules
from shared.errors import PatrolError
from shared.i18n import DEFAULT_LOCALE, LOCALES, Translator, normalize_locale
from shared.model import RecordType

DEFAULT_TZ = "UTC"


def default_data_dir() -> Path:
    """Packaged apps get FLET_APP_STORAGE_DATA; the web build and development fall back to a local folder."""
    env = os.environ.get("FLET_APP_STORAGE_DATA")
    return Path(env) if env else Path.home() / ".patrol-app"


class StoreRef(RefData):
    """RefData over the store's reference cache.

    A screen asks for the same kind several times while it builds (orders for the list, the counts,
    each row's place): what was read is kept until the store changes, so each is decoded once.
    The items are shared between those reads: screens only read them.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._seen: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        self._seen_at = -1

    def _cached(self, key: tuple[Any, ...], read: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        changes = self.store.changes()
        if changes != self._seen_at:
            self._seen, self._seen_at = {}, changes
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = read()
        return list(found)

    def items(self, kind: str) -> list[dict[str, Any]]:
        return self._cached((kind,), lambda: self.store.reference(kind))

    def items_in_state(self, kind: str, states: Collection[str]) -> list[dict[str, Any]]:
        wanted = sorted(states)
        return self._cached((kind, *wanted), lambda: self.store.reference_in_state(kind, wanted))

    def item(self, kind: str, id: str) -> dict[str, Any] | None:
        return self.store.get_reference(kind, id)


class AppContext:
    def __init__(
        self,
        *,
        data_dir: Path,
        server_url: str | None = None,
        http: httpx.Client | None = None,
        clock: Callable[[], datetime] = recorder.local_now,
        monotonic: Callable[[], float] = monotonic_time.monotonic,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = open_store(self.data_dir / "patrol.sqlite")
        self.ref = StoreRef(self.store)
        self.http = http or httpx.Client(timeout=httpx.Timeout(20.0, connect=5.0))
        self.clock = clock  # the phone's wall clock: records say when by it, nothing is decided by it
        self.server_clock = ServerClock(self.store, wall=clock, monotonic=monotonic)
        self.settings_path = self.data_dir / "settings.json"
        self.settings: dict[str, Any] = self._load_settings()
        self.default_server = server_url or ""
        self.tr = Translator(self.settings.get("locale", DEFAULT_LOCALE), self.tz)
        self.sync_client = SyncClient(
            self.http,
            self.store,
            photo_uploader=_photo_uploader(self.data_dir),
            max_attempts=3,
            wall_clock=clock,
            on_server_time=self.server_clock.observe,
        )
        self.status = SyncStatus()
        self.photos = PhotoCache(self.data_dir, self.http, self.store, on_change=self._notify)
        self.listeners: list[Callable[[], None]] = []  # called (from any thread) when data or status changed
        self._sync_thread: threading.Thread | None = None
        self._again = False
        self.clean_photos()
        self.refresh_status()

    def clean_photos(self) -> list[str]:
        """Forget photos taken for forms never saved, once a day old (at start and after each sync)."""
        return cleanup_photos(self.store, self.data_dir, grace=ORPHAN_GRACE)

    # ---- settings ------------------------------------------------------------------------
    def _load_settings(self) -> dict[str, Any]:
        try:
            data = json.loads(self.settings_path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save_settings(self) -> None:
        tmp = self.settings_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.settings), encoding="utf-8")
        tmp.replace(self.settings_path)

    @property
    def locale_chosen(self) -> bool:
        return "locale" in self.settings

    def set_locale(self, locale: str) -> None:
        locale = locale if locale in LOCALES else normalize_locale(locale)
        self.settings["locale"] = locale
        self._save_settings()
        self.tr = Translator(locale, self.tz)

    @property
    def tz(self) -> ZoneInfo:
        props = self.ref.items("property")
        name = str(props[0].get("tz", DEFAULT_TZ)) if props else DEFAULT_TZ
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError):
            return ZoneInfo(DEFAULT_TZ)

    # ---- who is here ---------------------------------------------------------------------
    @property
    def user(self) -> dict[str, Any]:
        return self.store.user or {}

    @property
    def ready(self) -> bool:
        """Logged in once on this phone: the app opens offline straight to Today."""
        return self.store.user is not None and self.store.token is not None

    def login(self, server_url: str, username: str, password: str) -> dict[str, Any]:
        try:
            return sync_login(self.http, server_url, username, password, store=self.store)
        except PatrolError as e:
            if e.code == "sync.offline":
                raise ConnectionError(e.message) from None
            raise

    def logout(self) -> None:
        self.store.logout()

    # ---- making records ------------------------------------------------------------------
    def save(self, type: RecordType, body: Any, *, supersedes: str | None = None) -> str:
        saved = recorder.save_record(self.store, type=type, body=body, supersedes=supersedes, clock=self.clock)
        self.refresh_status()
        return str(saved["id"])

    def ingest_photo(self, data: bytes) -> str:
        from mobile.photos import ingest_photo

        ref = ingest_photo(self.store, self.data_dir, data)
        self.refresh_status()
        return ref.sha256

    def now(self) -> datetime:
        """The server's time as this phone knows it: what "today" and "overdue" are decided by."""
        return self.server_clock.now()

    def today(self, board: OrdersBoard) -> Today:
        """The Today screen's content for this user: it needs only the day's records, read by their index."""
        now, tz = self.now(), self.tz
        return build_today(ref=self.ref, records=self.day_records(now), user=self.user, now=now, tz=tz, board=board)

    def day_records(self, now: datetime) -> list[dict[str, Any]]:
        """Records of the property's day around ``now``, made here or pulled, newest first."""
        tz = self.tz
        start = datetime.combine(rules.local_day(now, tz), time(0), tz)
        end = rules.day_ends_at(start.date(), tz)
        # Records made here carry this phone's clock: read around the day widened by its offset, then shift.
        shift = abs(self.server_clock.offset())
        found = self.server_clock.on_server_clock(self.store.records_around(start - shift, end + shift))
        return [r for r in found if (at := _parse(r["recorded_at"])) is not None and start <= at < end]

    def records(self) -> list[dict[str, Any]]:
        """Records made here and pulled from the server, newest first, on the server's clock."""
        return self.server_clock.on_server_clock(self.store.records(origin=None, limit=2000))

    # ---- sync ----------------------------------------------------------------------------
    def refresh_status(self) -> None:
        self.tr.tz = self.tz  # the property's zone arrives with the first pull
        counts = self.store.pending_counts()
        self.status.pending = counts.get("records", 0)
        self.status.pending_photos = counts.get("photos", 0)
        last = self.store.last_success
        self.status.last_success = _parse(last)
        err = self.store.last_error
        self.status.last_error = err.get("message") if err else None
        self.status.last_error_code = err.get("code") if err else None
        self.status.problems = sorted(
            (r for status in ("rejected", "conflict") for r in self.store.records(origin="local", status=status)),
            key=lambda r: (r["recorded_at"], r["id"]),
            reverse=True,
        )[:200]

    def _notify(self) -> None:
        for listener in list(self.listeners):
            try:
                listener()
            except Exception:  # noqa: BLE001 - a closed page must not stop the sync thread
                pass

    def sync_now(self) -> bool:
        """Start a sync in the background; if one is running, run once more after it (False then)."""
        if self._sync_thread is not None and self._sync_thread.is_alive():
            # The running one may be an automatic try that started before the network came back.
            self._again = True
            return False
        self.status.running, self.status.done, self.status.total = True, 0, 0
        self._notify()
        self._sync_thread = threading.Thread(target=self._run_sync, name="patrol-sync", daemon=True)
        self._sync_thread.start()
        return True

    def _progress(self, phase: str, done: int, total: int | None) -> None:
        self.status.done, self.status.total = done, total or 0
        self._notify()

    def _run_sync(self) -> None:
        try:
            self._again = True
            while self._again:
                self._again = False
                self.sync_client.run(self._progress)
            self.clean_photos()
        except Exception as e:  # noqa: BLE001 - whatever happens, the user sees it in the bar
            self.store.record_error(code="sync.crashed", message=str(e))
        finally:
            self.status.running = False
            self.refresh_status()
            if self.status.last_error is None:
                self.photos.retry_failed()  # the server answers again: photos that failed may come now
            self._notify()

    def wait_sync(self, timeout: float = 60) -> None:
        if self._sync_thread is not None:
            self._sync_thread.join(timeout)

    def close(self) -> None:
        self.wait_sync(5)
        self.photos.close()
        self.http.close()
        self.store.close()


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _photo_uploader(data_dir: Path) -> Any:
    """Photos travel after the records, before the pull (mobile.photo_sync, built in parallel)."""
    try:
        from mobile.photo_sync import PhotoUploader
    except ImportError:
        return None
    return PhotoUploader(data_dir)
