"""A bounded pool for password hashing: logins queue among themselves, never in front of pushes and pulls.

Argon2 is deliberately costly (CPU and memory). Run in the general thread pool, 40 logins at once took
every worker thread (pushes and pulls waited behind them) and 40 x the hash's memory. Here a few threads
hash, a bounded number of logins wait for them (as coroutines, holding no thread), and one more is
told to come back later (429 ``auth.busy`` with Retry-After) instead of growing the queue without end.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from shared.errors import LimitProblem

T = TypeVar("T")


def default_workers() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


class HashPool:
    def __init__(self, workers: int = 0, queue: int = 32) -> None:
        self.workers = workers or default_workers()
        self.limit = self.workers + queue  # hashing now plus waiting
        self.executor = ThreadPoolExecutor(self.workers, thread_name_prefix="password-hash")
        self.admitted = 0  # touched only on the event loop: no lock needed
        self.seconds = 0.05  # moving average of one hash, for Retry-After

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        if self.admitted >= self.limit:
            raise busy(self.retry_after())
        self.admitted += 1
        try:
            return await asyncio.wrap_future(self.executor.submit(self._timed, fn, *args))
        finally:
            self.admitted -= 1

    def _timed(self, fn: Callable[..., T], *args: object) -> T:
        started = time.monotonic()
        try:
            return fn(*args)
        finally:  # a racy float update from two threads loses one sample at worst
            self.seconds = 0.8 * self.seconds + 0.2 * (time.monotonic() - started)

    def retry_after(self) -> int:
        """Seconds until the queue has room again, roughly (at least one)."""
        return max(1, math.ceil(self.admitted * self.seconds / self.workers))

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def busy(retry_after: int) -> LimitProblem:
    return LimitProblem(
        "auth.busy",
        f"Many people are logging in right now. Try again in {retry_after} seconds.",
        {"retry_after": retry_after},
    )
