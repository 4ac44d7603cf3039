"""The server database: opening a connection, applying every module's migrations, transactions.

All server SQL lives in this package, one module per area. Each module exposes
``MIGRATIONS: list[tuple[str, str]]`` (a unique name, an SQL script). To add an area, create
``sync_server/db/<area>.py`` with its ``MIGRATIONS`` and append ``"<area>"`` to ``MODULES`` below:
a module named here that does not exist yet is skipped, so the list may run ahead of the code.
Migrations are applied in ``MODULES`` order, then in list order within a module, each exactly once.
"""

from __future__ import annotations

import importlib
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

# Order matters: a module's tables may reference tables of the modules before it.
MODULES: tuple[str, ...] = (
    "accounts",
    "reference",
    "records",
    "feed",
    "orders",
    "findings",
    "photos",
    "admin",
    "stats",
    "leases",
)


def open_db(path: str | Path) -> sqlite_utils.Database:
    """A connection in WAL mode with foreign keys on, usable from the server's worker threads."""
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL: a power cut loses at most the last commit
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn, execute_plugins=False)


def _modules() -> list[tuple[str, list[tuple[str, str]]]]:
    found = []
    for name in MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise  # the module exists but one of its imports is missing: a real error
            continue
        found.append((name, list(getattr(module, "MIGRATIONS", []))))
    return found


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not applied yet; return the names applied now."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row["name"] for row in db.query("SELECT name FROM schema_migrations")}
    applied = []
    for module, migrations in _modules():
        for name, script in migrations:
            full = f"{module}.{name}"
            if full in done:
                continue
            with transaction(db):
                # executescript would commit first; run statement by statement inside our transaction
                for statement in _statements(script):
                    db.execute(statement)
                db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, datetime('now'))", [full])
            applied.append(full)
    return applied


def _statements(script: str) -> Iterator[str]:
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, taken with BEGIN IMMEDIATE so it never fails half way on a lock upgrade."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


@contextmanager
def savepoint(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A nested unit inside a transaction: rolled back alone when its block raises."""
    name = f"sp_{secrets.token_hex(6)}"
    db.conn.execute(f"SAVEPOINT {name}")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            db.conn.execute(f"RELEASE SAVEPOINT {name}")
        raise
    else:
        db.conn.execute(f"RELEASE SAVEPOINT {name}")
