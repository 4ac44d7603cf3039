"""``Store``: the one object the app's views and the sync client use to read and change the phone's data."""

from __future__ import annotations

import importlib
import itertools
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from mobile.store import outbox, records, reference, state
from shared.wire import ACKNOWLEDGED, PushStatus

_savepoints = itertools.count(1)


class Store:
    """The phone's data. Safe to share between the UI thread and the sync thread."""

    def __init__(self, db: Database, *, path: Path | None = None) -> None:
        self.db = db
        self.path = path
        self._lock = threading.RLock()
        self.sync_lock = threading.Lock()  # held by a running SyncClient.run, so two runs never interleave
        with self.transaction():
            self.device_id = state.ensure_device_id(db)

    # ---- plumbing ------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One atomic unit of work; nested use becomes a savepoint of the outer transaction."""
        with self._lock:
            conn = self.db.conn
            if conn.in_transaction:
                name = f"sp{next(_savepoints)}"
                conn.execute(f"SAVEPOINT {name}")
                try:
                    yield self.db
                except BaseException:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                    raise
                conn.execute(f"RELEASE {name}")
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    @contextmanager
    def reading(self) -> Iterator[Database]:
        with self._lock:
            yield self.db

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()

    # ---- login ---------------------------------------------------------------------------
    @property
    def server_url(self) -> str | None:
        return self._get(state.SERVER_URL)

    @property
    def token(self) -> str | None:
        return self._get(state.TOKEN)

    @property
    def user(self) -> dict[str, Any] | None:
        return self._get(state.USER)

    @property
    def logged_in(self) -> bool:
        return self.token is not None and not self._get(state.LOGIN_REQUIRED, False)

    def set_login(self, *, server_url: str, token: str, user: dict[str, Any]) -> None:
        """Keep a successful login. Another user on this phone starts from an empty feed."""
        with self.transaction() as db:
            previous = state.get(db, key=state.USER)
            if previous is not None and previous.get("id") != user.get("id"):
                self.reset_feed()
            state.put(db, key=state.SERVER_URL, value=server_url)
            state.put(db, key=state.TOKEN, value=token)
            state.put(db, key=state.USER, value=user)
            state.put(db, key=state.LOGIN_REQUIRED, value=False)

    def logout(self) -> None:
        """Forget the token; the records, the outbox and the user's cached data stay on the phone."""
        with self.transaction() as db:
            state.put(db, key=state.TOKEN, value=None)

    def require_login(self, *, code: str, message: str) -> None:
        """The server refused the token: keep the reason (expired, revoked...) and wait for a new login."""
        with self.transaction() as db:
            state.put(db, key=state.LOGIN_REQUIRED, value=True)
            state.put(db, key=state.LAST_ERROR, value={"code": code, "message": message})

    def unsent_of(self, user_id: str) -> int:
        """Records made by this user still waiting to be sent (only their own login can send them)."""
        with self.reading() as db:
            return outbox.waiting_for(db, author_id=user_id)

    def login_state(self) -> dict[str, Any]:
        with self.reading() as db:
            return {
                "server_url": state.get(db, key=state.SERVER_URL),
                "token": state.get(db, key=state.TOKEN),
                "user": state.get(db, key=state.USER),
                "device_id": self.device_id,
                "login_required": bool(state.get(db, key=state.LOGIN_REQUIRED, default=False)),
            }

    # ---- sync status ---------------------------------------------------------------------
    @property
    def cursor(self) -> str | None:
        return self._get(state.CURSOR)

    @property
    def last_success(self) -> str | None:
        """server_time of the last complete sync (the server's clock, ISO 8601), or None."""
        return self._get(state.LAST_SUCCESS)

    @property
    def last_error(self) -> dict[str, str] | None:
        """{code, message} of the last failed sync; None once a sync succeeded."""
        return self._get(state.LAST_ERROR)

    @property
    def clock_offset(self) -> float | None:
        """Seconds to add to this phone's wall clock to get the server's, as of the last answer (None: never)."""
        value = self._get(state.CLOCK_OFFSET)
        return float(value) if isinstance(value, int | float) else None

    def set_clock_offset(self, seconds: float) -> None:
        with self.transaction() as db:
            state.put(db, key=state.CLOCK_OFFSET, value=seconds)

    def record_success(self, *, server_time: str | None) -> None:
        with self.transaction() as db:
            if server_time is not None:
                state.put(db, key=state.LAST_SUCCESS, value=server_time)
            state.put(db, key=state.LAST_ERROR, value=None)

    def record_error(self, *, code: str, message: str) -> None:
        with self.transaction() as db:
            state.put(db, key=state.LAST_ERROR, value={"code": code, "message": message})

    def pending_counts(self) -> dict[str, int]:
        """What still waits: records to send, records the server refused (held), photos to upload."""
        with self.reading() as db:
            counts = outbox.counts(db)
            result = {"records": counts["pending"], "held": counts["held"], "photos": 0}
            photos = _photos_module()
            if photos is not None and hasattr(photos, "pending_count"):
                result["photos"] = int(photos.pending_count(db))
            return result

    def sync_status(self) -> dict[str, Any]:
        """Everything a sync screen shows, in one read."""
        return {
            **self.login_state(),
            "token": None,
            "cursor": self.cursor,
            "last_success": self.last_success,
            "last_error": self.last_error,
            "pending": self.pending_counts(),
        }

    # ---- records -------------------------------------------------------------------------
    def records(
        self,
        *,
        origin: str | None = "local",
        status: str | None = None,
        type: str | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Records newest first; by default only those made on this phone. origin=None includes pulled ones."""
        with self.reading() as db:
            return records.list_records(db, origin=origin, status=status, type=type, limit=limit, offset=offset)

    def records_around(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Records made here or pulled whose time falls between two instants (a day's, for Today), newest first."""
        with self.reading() as db:
            return records.records_around(db, start=start, end=end)

    def get_record(self, record_id: str) -> dict[str, Any] | None:
        with self.reading() as db:
            return records.get_one(db, record_id=record_id)

    def record_counts(self) -> dict[str, int]:
        """Records made on this phone by sync status: pending, synced, rejected, conflict."""
        with self.reading() as db:
            return records.status_counts(db)

    def retry_held(self, record_ids: list[str] | None = None) -> int:
        """Send refused records again on the next sync (all of them, or the ones named)."""
        with self.transaction() as db:
            released = outbox.release_held(db, record_ids=record_ids)
            records.mark_pending(db, record_ids=released)
            return len(released)

    def discard_held(self, record_id: str) -> bool:
        """Stop trying to send a refused record; it stays listed with the server's message."""
        with self.transaction() as db:
            return outbox.discard_held(db, record_id=record_id)

    # ---- reference data ------------------------------------------------------------------
    def reference(self, kind: str) -> list[dict[str, Any]]:
        """Every cached item of a kind ('place', 'route', 'checkpoint', 'permit', 'work_order', ...)."""
        with self.reading() as db:
            return reference.list_kind(db, kind=kind)

    def reference_in_state(self, kind: str, states: list[str]) -> list[dict[str, Any]]:
        """The cached items of a kind in one of ``states`` (open work orders, say), without reading the rest."""
        with self.reading() as db:
            return reference.list_in_state(db, kind=kind, states=states)

    def changes(self) -> int:
        """A number that moves whenever anything in the store changed (for caches of what was read)."""
        return int(self.db.conn.total_changes)

    def get_reference(self, kind: str, id: str) -> dict[str, Any] | None:
        with self.reading() as db:
            return reference.get_one(db, kind=kind, id=id)

    def reference_kinds(self) -> dict[str, int]:
        with self.reading() as db:
            return reference.kinds(db)

    # ---- used by the sync client ---------------------------------------------------------
    def outbox_batch(self, limit: int) -> list[dict[str, Any]]:
        with self.transaction() as db:
            batch = outbox.next_batch(db, limit=limit)
            outbox.note_attempt(db, record_ids=[p["id"] for p in batch])
            return batch

    def apply_push_results(
        self, *, sent_ids: set[str], results: list[dict[str, Any]], server_time: str | None
    ) -> Counter[str]:
        """Settle one pushed batch atomically: acknowledged rows leave the outbox, refused ones are held."""
        tally: Counter[str] = Counter()
        with self.transaction() as db:
            for result in results:
                record_id, status = result.get("id"), result.get("status")
                if record_id not in sent_ids:
                    continue  # not ours to settle: never trust an id we did not send
                if status in ACKNOWLEDGED:
                    records.mark_synced(db, record_id=record_id, server_time=server_time)
                    outbox.acknowledge(db, record_id=record_id)
                elif status in (PushStatus.CONFLICT, PushStatus.REJECTED):
                    records.mark_refused(
                        db, record_id=record_id, status=status, code=result.get("code"), message=result.get("message")
                    )
                    outbox.hold(db, record_id=record_id)
                else:
                    continue  # an unknown status leaves the row to be sent again
                tally[status] += 1
        return tally

    def apply_pull_page(self, *, changes: list[dict[str, Any]], cursor: str | None) -> None:
        """Apply one page of the feed and move the cursor, together or not at all."""
        with self.transaction() as db:
            for change in changes:
                kind, item_id, deleted = change["kind"], str(change["id"]), bool(change.get("deleted"))
                if kind == "record":
                    records.apply_pulled(db, id=item_id, data=change.get("data"), deleted=deleted)
                else:
                    reference.apply_change(
                        db, kind=kind, id=item_id, data=change.get("data"), deleted=deleted, seq=change.get("seq")
                    )
            if cursor is not None:
                state.put(db, key=state.CURSOR, value=cursor)

    def reset_feed(self) -> None:
        """Forget the cursor and everything pulled, so the next pull starts from the beginning."""
        with self.transaction() as db:
            state.put(db, key=state.CURSOR, value=None)
            reference.clear(db)
            records.clear_pulled(db)

    def _get(self, key: str, default: Any = None) -> Any:
        with self.reading() as db:
            return state.get(db, key=key, default=default)


def _photos_module() -> Any:
    try:
        return importlib.import_module("mobile.store.photos")  # added by the photo pipeline
    except ModuleNotFoundError as missing:
        if missing.name != "mobile.store.photos":
            raise
        return None
