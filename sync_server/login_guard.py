"""Who may try a password now: locks per account *and* client, so an attacker slows the attacker, not the owner.

Following OWASP's authentication guidance, failed logins are counted under four keys at once:

    device   (account, device id)   5 failures lock this device out of this account (1 min, doubling, 1 h at most)
    address  (account, address)     the same per network address: a changing device id does not escape it
    spray    (any account, address) 20 failures lock the address out of every account (password spraying)
    account  (account)              never locks; from the 10th failure on, every try at the account waits a
                                    little longer (0.25 s more per failure, 3 s at most): a soft delay

A device that has logged in to the account before (the owner's phone) is held only by its own
``device`` lock: strangers hammering the account from elsewhere cannot lock its owner out, they
only slow every try down. Tries from one client at one account are checked one after another, so
parallel tries see the lock the earlier ones set instead of each getting a fresh password check:
in one worker they queue on a lock (``OneAtATime``), across workers the one at the head of each
worker's queue holds a lease in the database (``across_workers``). Tries from different clients
all count, atomically, in one write transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.concurrency import run_in_threadpool

from shared.errors import LimitProblem
from sync_server import hashing
from sync_server.db import Database, accounts, leases, transaction
from sync_server.settings import Settings


@dataclass(frozen=True)
class Client:
    device_id: str
    address: str


def _keys(username: str, client: Client) -> dict[str, accounts.ThrottleKey]:
    return {
        "device": ("device", username, client.device_id),
        "address": ("address", username, client.address),
        "spray": ("spray", "", client.address),
        "account": ("account", username, ""),
    }


def _holding(kind: str, known: bool) -> bool:
    """Whether a lock of this kind holds this client back: the owner's known device answers only to its own."""
    return kind == "device" or (not known and kind in ("address", "spray"))


def check(db: Database, settings: Settings, *, username: str, client: Client) -> float:
    """Raise ``auth.locked`` when a lock holds this client; else the seconds to wait before checking the password."""
    now = settings.now()
    keys = _keys(username, client)
    rows = accounts.throttle_rows(db, list(keys.values()))
    known = accounts.device_known(db, username=username, device_id=client.device_id)
    until = [
        datetime.fromisoformat(row["locked_until"])
        for kind, key in keys.items()
        if (row := rows.get(key)) and row["locked_until"] and _holding(kind, known)
    ]
    if until and max(until) > now:
        raise locked(max(until), now)
    account = rows.get(keys["account"])
    if account is None or now - datetime.fromisoformat(account["last_failure_at"]) > settings.failure_window:
        return 0.0
    beyond = int(account["failures"]) - settings.soft_delay_after + 1
    return float(min(settings.soft_delay_max, settings.soft_delay_step * max(0, beyond)))


def count_failure(db: Database, settings: Settings, *, username: str, client: Client) -> None:
    """Count a wrong password under every key; raise ``auth.locked`` when that locked this client out."""
    now = settings.now()
    thresholds = {
        "device": settings.lockout_threshold,
        "address": settings.lockout_threshold,
        "spray": settings.address_lock_threshold,
        "account": 0,
    }
    new_locks = []
    with transaction(db):
        known = accounts.device_known(db, username=username, device_id=client.device_id)
        for kind, key in _keys(username, client).items():
            until = accounts.count_failure(
                db,
                key,
                now=now,
                threshold=thresholds[kind],
                lock_for=lambda n: _lock_time(settings, n),
                window=settings.failure_window,
            )
            if until and _holding(kind, known):
                new_locks.append(until)
    if new_locks:
        raise locked(max(new_locks), now)


def clear(db: Database, *, username: str, client: Client) -> None:
    """The right password: this device's count at this account starts again, and the soft delay with it.

    The address's count stays: other devices at the same address (an attacker behind the owner's own
    network) are not vouched for by the owner's success; it runs out after ``failure_window``.
    """
    keys = _keys(username, client)
    accounts.clear_failures(db, [keys["device"], keys["account"]])


def _lock_time(settings: Settings, locks: int) -> timedelta:
    lock: timedelta = min(settings.lockout_base * 2 ** (locks - 1), settings.lockout_max)
    return lock


def locked(until: datetime, now: datetime) -> LimitProblem:
    retry_after = max(1, math.ceil((until - now).total_seconds()))
    return LimitProblem(
        "auth.locked",
        f"Too many wrong passwords: this account is locked. Try again in {retry_after} seconds"
        " or ask a supervisor to help.",
        {"retry_after": retry_after},
    )


class OneAtATime:
    """Per key, one holder at a time (on the event loop); a key's lock is dropped when nobody holds or waits."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: tuple[str, str]) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


LEASE_SECONDS = 30.0  # longer than any password check; a worker killed while holding it frees it after that
LEASE_WAIT = 10.0


@contextlib.asynccontextmanager
async def across_workers(db: Database, *, username: str, client: Client) -> AsyncIterator[None]:
    """Hold this client's turn at this account among all the server's workers; 429 when it does not come."""
    name, me = f"login:{username}:{client.address}", leases.holder()
    deadline = time.monotonic() + LEASE_WAIT
    while not await run_in_threadpool(leases.take, db, name=name, holder=me, now=time.time(), seconds=LEASE_SECONDS):
        if time.monotonic() > deadline:
            raise hashing.busy(1)
        await asyncio.sleep(0.05)
    try:
        yield
    finally:
        await run_in_threadpool(leases.release, db, name=name, holder=me)
