"""Shared fixtures: server settings on a temporary data dir with a fake clock, a TestClient, a live server.

The engine under test is chosen here, once: ``PATROL_TEST_DB=postgres`` puts every server the fixtures make
on a fresh database of a real PostgreSQL (``tests/pg.py``); otherwise each uses the SQLite file in its data dir.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync_server import schedule
from sync_server.app import create_app
from sync_server.db import Database, migrate, open_db
from sync_server.demo import PASSWORD, load_demo
from sync_server.settings import CHEAP_ARGON2, Settings
from tests.seaweed import photo_store_kw, seaweed  # noqa: F401  (fixtures: a real S3 server for the photo store)

ROOT = Path(__file__).resolve().parents[1]


class FakeClock:
    """A clock that moves only when told: ``clock.advance(hours=25)``."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, at: datetime) -> None:
        self.current = at


T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a thread of its own: the browser tests' Playwright keeps a loop running on this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))  # 09:30 in Shanghai, a Monday


ON_POSTGRES = os.environ.get("PATROL_TEST_DB", "sqlite") == "postgres"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the SQLite file of the data dir (backup, file CLIs, old layouts)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        skip = pytest.mark.skip(reason="the SQLite file of a data dir; the SQLite run covers it")
        for item in items:
            if item.get_closest_marker("sqlite_only"):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """The session's PostgreSQL cluster (only when the run is on PostgreSQL)."""
    from tests import pg

    if not pg.available():
        pytest.fail(f"PATROL_TEST_DB=postgres, but there is no PostgreSQL server in {pg.BIN}")
    cluster = pg.Cluster(free_port())
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def new_database_url(request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """Factory: a fresh database's URL on PostgreSQL (migrated unless told); "" (the data dir's file) on SQLite."""
    made: list[str] = []

    def new(*, migrated: bool = True) -> str:
        if not ON_POSTGRES:
            return ""
        made.append(request.getfixturevalue("postgres").new_database(migrated=migrated))
        return made[-1]

    yield new
    for url in made:
        request.getfixturevalue("postgres").drop_database(url)


@pytest.fixture
def settings(tmp_path: Path, clock: FakeClock, new_database_url: Callable[[], str]) -> Settings:
    """Settings on a fresh data dir (migrated, demo loaded) with cheap password hashing and the fake clock."""
    settings = Settings(
        data_dir=tmp_path / "server",
        argon2=CHEAP_ARGON2,
        now=clock.now,
        findings_tick_seconds=0,
        database_url=new_database_url(),
    )
    prepare_data_dir(settings)
    return settings


def prepare_data_dir(settings: Settings, *, other_property: bool = True) -> None:
    """Migrate and load the demo property, plus a second property 'other' (users other-*) for isolation tests."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_db(settings.db_url)
    try:
        migrate(db)
        load_demo(db, settings)
        if other_property:
            load_demo(db, settings, property_id="other", prefix="other")
    finally:
        db.close()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The server, after the first tick its lifespan runs at start (which starts the schedules today)."""
    app = create_app(settings)
    db = open_db(settings.db_url)
    try:
        schedule.tick(db, settings)
    finally:
        db.close()
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def server_db(settings: Settings) -> Iterator[Database]:
    """A connection to the server's database, for asserting what was (not) written."""
    db = open_db(settings.db_url)
    yield db
    db.close()


@pytest.fixture
def tick(settings: Settings) -> Iterator[Callable[[], dict[str, int]]]:
    """One tick of the server's findings clock (tests run the server with it off): what a pull no longer does."""
    db = open_db(settings.db_url)
    yield lambda: schedule.tick(db, settings)
    db.close()


def login(
    client_or_url: httpx.Client | str,
    username: str,
    *,
    password: str = PASSWORD,
    device_id: str | None = None,
    device_name: str = "test phone",
) -> str:
    """Log in and return the token (device_id defaults to '<username>-phone')."""
    body = {
        "username": username,
        "password": password,
        "device_id": device_id or f"{username}-phone",
        "device_name": device_name,
    }
    if isinstance(client_or_url, str):
        response = httpx.post(f"{client_or_url}/api/v1/auth/login", json=body, timeout=30)
    else:
        response = client_or_url.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A real ``python -m sync_server serve`` process on a loopback port."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    args: tuple[str, ...] = ()  # more `serve` options (limits, timeouts)
    database_url: str = ""  # "": the SQLite file in data_dir
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_url(self) -> str:
        """Its database, for ``open_db``: what a test reads to check what the server stored, on either engine."""
        return self.database_url or str(self.data_dir / "server.sqlite3")

    def start(self, timeout: float = 30.0) -> None:
        command = [
            sys.executable,
            "-m",
            "sync_server",
            "serve",
            "--data-dir",
            str(self.data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *(["--database-url", self.database_url] if self.database_url else []),
            *self.args,
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ.copy()
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, no clean shutdown."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), forced after 10 seconds."""
        self._signal(signal.SIGTERM, grace=10.0)

    def restart(self) -> None:
        self.stop()
        self.start()

    def _signal(self, sig: signal.Signals, grace: float = 5.0) -> None:
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def live_server(
    tmp_path_factory: pytest.TempPathFactory, new_database_url: Callable[[], str]
) -> Iterator[Callable[..., LiveServer]]:
    """Factory: ``server = live_server()`` starts a real server on a fresh demo data dir (and database).

    ``live_server(data_dir=path, demo=False, database_url=...)`` reuses them. Every server is killed at teardown.
    """
    started: list[LiveServer] = []

    def start(
        *,
        data_dir: Path | None = None,
        demo: bool = True,
        args: tuple[str, ...] = (),
        database_url: str | None = None,
        **settings_kw: Any,
    ) -> LiveServer:
        directory = data_dir or tmp_path_factory.mktemp("live-server")
        url = new_database_url() if database_url is None else database_url
        if demo:
            prepare_data_dir(Settings(data_dir=directory, argon2=CHEAP_ARGON2, database_url=url, **settings_kw))
        server = LiveServer(directory, free_port(), args=args, database_url=url)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.kill()
