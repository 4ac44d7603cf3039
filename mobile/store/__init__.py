"""The phone's local SQLite store: open it, migrate it, and hand out the ``Store`` the app and sync client use.

All phone SQL lives in this package, one module per area; each module lists its ``MIGRATIONS``
(name, SQL script) and ``migrate`` applies every one once, in the order of ``MODULES``.
"""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path
from types import ModuleType

from sqlite_utils import Database

from mobile.store.api import Store

# Order matters: a module's tables may reference an earlier module's. Missing modules (built in
# parallel, e.g. photos) are skipped until they exist.
MODULES = ("state", "reference", "records", "outbox", "photos")

__all__ = ["MODULES", "Store", "migrate", "open_store", "store_modules"]


def open_store(path: str | Path) -> Store:
    """Open (creating if needed) the store at ``path`` with every migration applied."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # One connection shared by the UI and the sync thread; Store serialises use with its own lock.
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
    db = Database(conn, execute_plugins=False)
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = FULL")  # a record the user saw saved must survive a pulled battery
    migrate(db)
    return Store(db, path=Path(path))


def store_modules() -> list[ModuleType]:
    found = []
    for name in MODULES:
        try:
            found.append(importlib.import_module(f"mobile.store.{name}"))
        except ModuleNotFoundError as missing:
            if missing.name != f"mobile.store.{name}":
                raise  # the module exists but something it imports is broken: say so
    return found


def migrate(db: Database) -> list[str]:
    """Apply each module's migrations not applied yet, each in its own transaction; returns what ran."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(module TEXT NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')), "
        "PRIMARY KEY (module, name))"
    )
    db.conn.commit()
    applied = {(m, n) for m, n in db.execute("SELECT module, name FROM schema_migrations").fetchall()}
    ran = []
    for module in store_modules():
        short = module.__name__.rsplit(".", 1)[-1]
        for name, script in getattr(module, "MIGRATIONS", []):
            if (short, name) in applied:
                continue
            record = f"INSERT INTO schema_migrations (module, name) VALUES ({_quote(short)}, {_quote(name)});"
            # executescript runs outside Python's transaction handling, so BEGIN/COMMIT are ours.
            try:
                db.conn.executescript(f"BEGIN IMMEDIATE;\n{script}\n;{record}\nCOMMIT;")
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.rollback()
                raise
            ran.append(f"{short}.{name}")
    return ran


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
