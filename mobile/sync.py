"""The phone's sync client: push the outbox, pull the feed, survive bad networks, never run twice at once.

Logging in, which gives the client its token, is ``mobile.login``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import httpx

from mobile.store import Store
from shared.errors import PatrolError
from shared.wire import PROTOCOL_VERSION, PushStatus

Progress = Callable[[str, int, int | None], None]  # (phase, done, total); total None while unknown
PhotoUploader = Callable[["SyncClient", Progress | None], Any]

OK, ALREADY_RUNNING, LOGIN_REQUIRED, OFFLINE, ERROR = "ok", "already_running", "login_required", "offline", "error"
_MESSAGES = {
    OK: "Everything is synced.",
    ALREADY_RUNNING: "A sync is already running.",
    LOGIN_REQUIRED: "The server no longer accepts this login: log in again.",
    OFFLINE: "The server could not be reached; your records are safe on this phone and will be sent later.",
    ERROR: "The sync stopped; your records are safe on this phone.",
}
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# A request body damaged on the way (a cut connection, a meddling proxy) reads as malformed to the
# server: the payload is byte-identical on every try, so retrying within the attempt budget is harmless.
_DAMAGED_CODES = frozenset({"request.malformed_json", "request.invalid", "request.invalid_body"})


class SyncStopped(PatrolError):
    """Why a sync run had to stop; ``status`` is one of login_required, offline, error."""

    def __init__(self, status: str, code: str, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(code, message, detail)
        self.status = status


@dataclass
class SyncReport:
    status: str = OK
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    conflict: int = 0
    pulled: int = 0  # feed changes applied
    requests: int = 0  # HTTP requests made, retries included
    retries: int = 0
    server_time: str | None = None
    photos: Any = None  # whatever the photo uploader reported
    error: dict[str, str] | None = None  # {code, message} when status is not ok
    pending: dict[str, int] = field(default_factory=dict)  # store.pending_counts() after the run
    device_seq_gaps: list[list[int]] = field(default_factory=list)  # numbers of this phone the server never got

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def message(self) -> str:
        if self.error and self.status == ERROR:
            return f"{_MESSAGES[ERROR]} {self.error['message']}"
        return _MESSAGES.get(self.status, self.status)


class SyncClient:
    def __init__(
        self,
        http: httpx.Client,
        store: Store,
        *,
        batch_size: int = 100,
        pull_limit: int = 20_000,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        max_attempts: int = 6,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        photo_uploader: PhotoUploader | None = None,
        wall_clock: Callable[[], datetime] | None = None,
        on_server_time: Callable[[str], None] | None = None,
    ) -> None:
        self.http = http
        self.store = store
        self.batch_size = batch_size
        self.pull_limit = pull_limit
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.photo_uploader = photo_uploader  # called after the records are pushed, before the pull
        # Each push says this phone's clock at sending, so the server can measure it (shared.rules.clock_offset);
        # each answer's server_time goes to on_server_time (mobile.server_clock.ServerClock.observe).
        self.wall_clock = wall_clock or (lambda: datetime.now().astimezone())
        self.on_server_time = on_server_time
        self._report = SyncReport()

    def run(self, progress: Progress | None = None) -> SyncReport:
        """One full sync: push, photos, pull. Returns at once if another run holds the store."""
        if not self.store.sync_lock.acquire(blocking=False):
            return SyncReport(status=ALREADY_RUNNING, pending=self.store.pending_counts())
        try:
            report = self._report = SyncReport()
            try:
                if not self.store.logged_in:
                    raise SyncStopped(LOGIN_REQUIRED, "auth.login_required", _MESSAGES[LOGIN_REQUIRED])
                self._push(progress)
                if self.photo_uploader is not None:
                    report.photos = self.photo_uploader(self, progress)
                self._pull(progress)
            except SyncStopped as stop:
                report.status, report.error = stop.status, {"code": stop.code, "message": stop.message}
                if stop.status == LOGIN_REQUIRED:
                    if self.store.logged_in:  # keep the first reason (revoked, expired...) on later runs
                        self.store.require_login(code=stop.code, message=stop.message)
                else:
                    self.store.record_error(code=stop.code, message=stop.message)
            else:
                self.store.record_success(server_time=report.server_time)
            report.pending = self.store.pending_counts()
            return report
        finally:
            self.store.sync_lock.release()

    # ---- HTTP with retries ---------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send with the login token; retry transport errors and 5xx with capped, fully jittered backoff.

        Returns the first response that is not retryable (the caller reads 2xx/4xx); raises
        SyncStopped on 401 (login_required) or when every attempt failed (offline). Photo uploads use it too.
        """
        url = (self.store.server_url or "").rstrip("/") + path
        make_json = kwargs.pop("make_json", None)  # a body made anew for each attempt (its sent_at)
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self.store.token}"}
        problem, refused = "no attempt made", None
        for attempt in range(self.max_attempts):
            if attempt:
                self._report.retries += 1
                self.sleep(self._delay(attempt - 1))
            self._report.requests += 1
            if make_json is not None:
                kwargs["json"] = make_json()
            try:
                response = self.http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code == 401 or (
                response.status_code == 403 and _code(response, "") == "auth.device_mismatch"
            ):
                raise SyncStopped(LOGIN_REQUIRED, _code(response, "auth.login_required"), _MESSAGES[LOGIN_REQUIRED])
            if response.status_code in _RETRY_STATUSES or _damaged(response):
                problem = f"HTTP {response.status_code} {_code(response, '')}".strip()
                refused = response if response.is_client_error else None
                continue
            if response.is_success and "json" in response.headers.get("content-type", "") and not is_json(response):
                problem = "the server's answer was cut off"  # a 200 whose body did not survive the trip
                continue
            return response
        if refused is not None:
            return refused  # the server kept refusing what it read: let the caller show its words
        raise SyncStopped(OFFLINE, "sync.offline", _MESSAGES[OFFLINE], {"last_problem": problem})

    def _stamped(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "sent_at": self.wall_clock().isoformat()}

    def _saw_time(self, server_time: Any) -> None:
        if self.on_server_time is not None and isinstance(server_time, str):
            self.on_server_time(server_time)

    def _delay(self, failures: int) -> float:
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * 2**failures))

    # ---- push ----------------------------------------------------------------------------
    def _push(self, progress: Progress | None) -> None:
        report = self._report
        total = self.store.pending_counts()["records"]
        done, size = 0, self.batch_size
        while batch := self.store.outbox_batch(size):
            if progress:
                progress("push", done, total)
            body = {"device_id": self.store.device_id, "protocol": PROTOCOL_VERSION, "records": batch}
            response = self.request("POST", "/api/v1/sync/push", make_json=partial(self._stamped, body))
            if response.status_code == 413:
                if len(batch) > 1:
                    size = max(1, len(batch) // 2)  # the server's limit may be in bytes: halve until it fits
                    continue
                self._refuse_oversized(batch[0], response)
                continue
            data = _ok_json(response)
            report.server_time = data.get("server_time") or report.server_time
            self._saw_time(data.get("server_time"))
            tally = self.store.apply_push_results(
                sent_ids={p["id"] for p in batch}, results=data.get("results", []), server_time=report.server_time
            )
            for status, n in tally.items():
                setattr(report, str(status), getattr(report, str(status)) + n)
            done += sum(tally.values())
            report.device_seq_gaps = data.get("device_seq_gaps", report.device_seq_gaps)
            if sum(tally.values()) < len(batch):  # never loop on records the server keeps leaving out
                raise SyncStopped(ERROR, "sync.incomplete_results", "The server did not answer for every record sent.")
        if progress:
            progress("push", done, max(done, total))

    def _refuse_oversized(self, payload: dict[str, Any], response: httpx.Response) -> None:
        problem = server_problem(response, "sync.refused")
        self.store.apply_push_results(
            sent_ids={payload["id"]},
            results=[{"id": payload["id"], "status": PushStatus.REJECTED, **problem}],
            server_time=None,
        )
        self._report.rejected += 1

    # ---- pull ----------------------------------------------------------------------------
    def _pull(self, progress: Progress | None) -> None:
        report = self._report
        reset_done = False
        while True:
            params: dict[str, Any] = {"limit": self.pull_limit}
            cursor = self.store.cursor
            if cursor is not None:
                params["since"] = cursor
            response = self.request("GET", "/api/v1/sync/pull", params=params)
            reset = response.status_code == 400 and server_problem(response)["detail"].get("reset")
            if cursor is not None and reset and not reset_done:
                # The server lost its feed (restored from a backup?): start over and drop what may be stale.
                self.store.reset_feed()
                reset_done = True
                continue
            data = _ok_json(response)
            changes = data.get("changes", [])
            self.store.apply_pull_page(changes=changes, cursor=data.get("cursor"))
            report.pulled += len(changes)
            report.server_time = data.get("server_time") or report.server_time
            self._saw_time(data.get("server_time"))
            more = bool(data.get("has_more"))
            if progress:
                progress("pull", report.pulled, None if more else report.pulled)
            if not more:
                return
            if data.get("cursor") in (None, cursor):
                raise SyncStopped(ERROR, "sync.cursor_stuck", "The server's feed did not move on; try again later.")


def _damaged(response: httpx.Response) -> bool:
    return response.status_code in (400, 422) and _code(response, "request.malformed_json") in _DAMAGED_CODES


def is_json(response: httpx.Response) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True


def _ok_json(response: httpx.Response) -> dict[str, Any]:
    if not response.is_success:
        problem = server_problem(response, "sync.refused", f"The server refused the sync ({response.status_code}).")
        raise SyncStopped(ERROR, **problem)
    data = response.json()
    return data if isinstance(data, dict) else {}


def _code(response: httpx.Response, default: str) -> str:
    return str(server_problem(response, default, "")["code"])


def server_problem(response: httpx.Response, code: str | None = None, message: str | None = None) -> dict[str, Any]:
    """The server's {code, message, detail}; the given defaults (else the HTTP status) when the body is not one."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    status = response.status_code
    return {
        "code": str(data.get("code") or code or f"http.{status}"),
        "message": str(data.get("message") or message or f"The server answered {status}."),
        "detail": data.get("detail") if isinstance(data.get("detail"), dict) else {},
    }
