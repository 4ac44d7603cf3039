"""A real PostgreSQL 15 for the tests: a throwaway cluster in a temporary directory, one fresh database per test.

The server binaries come with the machine's image (Debian's ``/usr/lib/postgresql/15/bin``). PostgreSQL
refuses to run as root, so as root the cluster belongs to the ``postgres`` user. It listens on loopback
only, on a free port (never the default 5432), with its socket in its own directory, and runs without
fsync (a crash loses a test's data, nothing else). Each test's database is a copy of a migrated template:
``CREATE DATABASE ... TEMPLATE`` copies files, far faster than migrating again.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from sync_server.db import dispose, migrate, open_db

BIN = Path(os.environ.get("PATROL_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "patrol_template"


def available() -> bool:
    return (BIN / "initdb").exists() and (BIN / "pg_ctl").exists()


class Cluster:
    """``start()`` initialises and starts it; ``new_database()`` hands out a migrated, empty database's URL."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="patrol-pg-"))
        self.data = self.dir / "data"
        self._names = itertools.count(1)

    def _run(self, *command: str) -> None:
        if os.geteuid() == 0:  # initdb and the server refuse root
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, capture_output=True, cwd=self.dir)

    def start(self) -> None:
        if os.geteuid() == 0:
            os.chown(self.dir, pwd.getpwnam("postgres").pw_uid, -1)
        # C collation: text sorts bytewise, as in SQLite (orders, ids and cursors compare the same)
        self._run(
            str(BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options, "-w", "start")
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        url = self.url(TEMPLATE)
        db = open_db(url)
        try:
            migrate(db)
        finally:
            db.close()
            dispose(url)  # a template must have no connection while it is copied

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True)

    def new_database(self, *, migrated: bool = True) -> str:
        name = f"test_{next(self._names)}"
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if migrated else 'template0'}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        dispose(url)
        with self._admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def stop(self) -> None:
        dispose()
        try:
            self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
