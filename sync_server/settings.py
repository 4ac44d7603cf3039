"""Server settings: one frozen dataclass built by the CLI or by tests, with the clock injected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Argon2Params:
    """Password hashing cost; tests use cheap parameters, hashes keep their own for verification."""

    time_cost: int = 3
    memory_cost: int = 65536  # KiB
    parallelism: int = 4


CHEAP_ARGON2 = Argon2Params(time_cost=1, memory_cost=8, parallelism=1)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    tz_name: str = "Asia/Shanghai"
    token_ttl: timedelta = timedelta(days=30)
    max_batch_records: int = 500
    max_request_bytes: int = 4 * 1024 * 1024
    max_photo_bytes: int = 10 * 1024 * 1024  # one uploaded photo (sync_server.photos)
    max_photo_pixels: int = 40_000_000  # decoded size limit: refuses decompression bombs
    pull_default_limit: int = 200
    pull_max_limit: int = 10_000  # a first pull of a big property takes a handful of round trips
    rectification_hours: int = 24
    lockout_threshold: int = 5  # consecutive failed logins before the account is locked
    lockout_base: timedelta = timedelta(minutes=1)  # doubled on each further lock
    lockout_max: timedelta = timedelta(hours=1)
    findings_tick_seconds: float = 5  # how often the tick refreshes findings that are due; 0 turns it off
    argon2: Argon2Params = field(default_factory=Argon2Params)
    now: Callable[[], datetime] = utc_now

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "server.sqlite3"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)
