"""Server settings: one frozen dataclass built by the CLI or by tests, with the clock injected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Argon2Params:
    """Password hashing cost; tests use cheap parameters, hashes keep their own for verification."""

    # OWASP's argon2id choice of 19 MiB, 2 passes, 1 lane (see the README's operator part): ~20 ms of one core,
    # so a bounded pool of hashing threads keeps both memory (19 MiB each) and CPU in hand under a login storm.
    time_cost: int = 2
    memory_cost: int = 19456  # KiB
    parallelism: int = 1


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
    pull_max_limit: int = 20_000  # a first pull of a big property takes a handful of round trips (up to ~15 MB each)
    rectification_hours: int = 24
    lockout_threshold: int = 5  # consecutive failed logins before the account is locked
    lockout_base: timedelta = timedelta(minutes=1)  # doubled on each further lock
    lockout_max: timedelta = timedelta(hours=1)
    findings_tick_seconds: float = 5  # how often the tick refreshes findings that are due; 0 turns it off
    argon2: Argon2Params = field(default_factory=Argon2Params)
    now: Callable[[], datetime] = utc_now
    # Login under abuse (sync_server.login_guard, sync_server.hashing):
    hash_workers: int = 0  # threads hashing passwords; 0: half the cores, at least one (the rest serve sync)
    hash_queue: int = 32  # logins waiting for a hashing thread; one more is answered 429 auth.busy
    address_lock_threshold: int = 20  # failed logins from one address, any accounts, before it is locked
    soft_delay_after: int = 10  # failed logins of one account, from anywhere, before each try is slowed
    soft_delay_step: float = 0.25  # seconds added per failure beyond that
    soft_delay_max: float = 3.0
    failure_window: timedelta = timedelta(hours=24)  # a failure count with no new failure for this long restarts
    # Request limits (sync_server.limits, sync_server.serving):
    max_login_body_bytes: int = 16 * 1024
    max_json_body_bytes: int = 64 * 1024  # every other endpoint without a limit of its own (desk, admin, review)
    head_timeout: float = 10.0  # seconds to send the request line and headers
    max_head_bytes: int = 32 * 1024
    body_read_timeout: float = 15.0  # seconds without a byte of the body
    body_total_timeout: float = 120.0  # a whole body (a 1 MB photo at 8 KB/s)
    max_connections: int = 2048  # beyond: 503 server.busy (the open-files limit is raised to fit at start)
    keep_alive_timeout: float = 5.0
    shutdown_timeout: float = 5.0  # SIGTERM: requests still running after this are cut (their transaction rolls back)
    # Photos no record references (sync_server.photo_sweep):
    unreferenced_photo_quota: int = 50 * 1024 * 1024  # bytes received per user
    unreferenced_photo_grace: timedelta = timedelta(days=7)
    # Where photo bytes are kept (sync_server.photo_store): None, the data dir's photos/; or "s3://bucket[/prefix]".
    photo_store_url: str | None = None
    s3_endpoint_url: str | None = None  # None: AWS itself; e.g. http://127.0.0.1:8333 for SeaweedFS
    s3_region: str | None = None  # None: us-east-1
    s3_access_key: str | None = None  # None (the CLI's way): boto3 reads AWS_ACCESS_KEY_ID, ~/.aws, an instance role
    s3_secret_key: str | None = field(default=None, repr=False)  # kept out of logs and tracebacks
    s3_create_bucket: bool = False  # make the bucket at start when missing: development; operators make their own
    # The database (sync_server.db): a SQLAlchemy URL such as postgresql+psycopg://user@host/patrol; empty: the
    # SQLite file in the data dir.
    database_url: str = ""

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "server.sqlite3"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.db_path}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)


def add_data_arguments(parser: Any) -> None:
    """``--data-dir`` and ``--database-url``: where a command finds the server's data."""
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--database-url",
        default="",
        help="postgresql+psycopg://user:password@host/database (default: server.sqlite3 in --data-dir)",
    )


def has_database(settings: Settings) -> bool:
    """Whether there is a database to read: a URL is taken as given, the SQLite file must exist."""
    return bool(settings.database_url) or settings.db_path.exists()
