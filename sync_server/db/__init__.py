"""The server database: opening a connection, applying every module's migrations, transactions.

One data layer on two engines, through SQLAlchemy Core: ``sqlite:///<file>`` (the default, the file in the
data dir) and ``postgresql+psycopg://...``. Callers write one SQL text with ``?`` placeholders and call
``db.execute`` / ``db.executemany`` / ``db.query`` on the ``Database`` below; the few constructs that differ
between the engines live in ``dialect.py`` (PostgreSQL gets SQLite's ``json_extract``, ``json_each``,
``julianday`` and ``instr`` as SQL functions, so most statements need no branching).

All server SQL lives in this package, one module per area. Each module exposes
``MIGRATIONS: list[tuple[str, str]]`` (a unique name, an SQL script). To add an area, create
``sync_server/db/<area>.py`` with its ``MIGRATIONS`` and append ``"<area>"`` to ``MODULES`` below:
a module named here that does not exist yet is skipped, so the list may run ahead of the code.
Migrations are applied in ``MODULES`` order, then in list order within a module, each exactly once; on
PostgreSQL each script first passes through ``dialect.ddl`` (identity columns, BIGINT, no WITHOUT ROWID).

Transactions: the connection is in autocommit mode and ``transaction()`` opens one explicitly, with one
writer at a time on both engines, as the server's read-then-write steps expect. SQLite takes BEGIN IMMEDIATE
(the write lock up front, so a transaction never fails half way on a lock upgrade). PostgreSQL takes READ
COMMITTED and then a transaction-scoped advisory lock (the same for every writer, released at COMMIT or
ROLLBACK): each statement after it sees every commit of the writers before, so a read-then-write never loses
an update, and sequence numbers (the feed's) are handed out in commit order. Reads outside ``transaction()``
never wait; where a read must stay consistent across statements ``read_snapshot()`` takes REPEATABLE READ,
READ ONLY. A lock waited on for 5 s fails on both engines (answered 503 server.busy).

A PostgreSQL database must sort text like SQLite (bytewise): create it with ``--locale=C`` (``LC_COLLATE 'C'``),
or orders and cursors compare differently.
"""

from __future__ import annotations

import importlib
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from sync_server.db import dialect

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

Params = Sequence[Any]


class Cursor(Protocol):
    """What both drivers' cursors give (rows are tuples)."""

    rowcount: int
    description: Any

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Database:
    """One connection: ``execute`` returns the driver's cursor (rows as tuples), ``query`` yields dict rows.

    SQLAlchemy opens, pools and closes the connection; statements go straight to the driver's cursor, as a
    SQLAlchemy result would cost four times the statement itself on SQLite. Errors are the driver's own.
    The connection is taken from the pool at the first statement, not when a request starts: requests
    waiting for a thread hold none, so a burst of phones cannot empty PostgreSQL's pool.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect: str = engine.dialect.name  # "sqlite" or "postgresql"
        postgres = self.dialect == "postgresql"
        self._sql = _psycopg_sql if postgres else _same
        self._params = _without_bools if postgres else _same
        self._conn: Connection | None = None
        self._driver: Any = None

    @property
    def driver(self) -> Any:
        """The driver's connection (sqlite3 or psycopg), opened at first use."""
        if self._driver is None:
            self._conn = self.engine.connect()
            self._driver = self._conn.connection.dbapi_connection
        return self._driver

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        cursor = self.driver.cursor()
        cursor.execute(self._sql(sql), self._params(params))
        return cursor  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            params = self._params
            self.driver.cursor().executemany(self._sql(sql), [params(row) for row in rows])

    def query(self, sql: str, params: Params = ()) -> Iterator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    @property
    def in_transaction(self) -> bool:
        return dialect.in_transaction(self.driver)

    def release(self) -> None:
        """Give the connection back to the pool between statements (outside a transaction); the next takes one."""
        if self._conn is not None and not self.in_transaction:
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()  # an unfinished transaction is rolled back
            self._conn = self._driver = None


def _without_bools(params: Params) -> tuple[Any, ...]:
    # SQLite stores a bool as 0/1; PostgreSQL refuses a boolean for an integer column: send what SQLite stores
    return tuple(int(v) if isinstance(v, bool) else v for v in params)


def _same(value: Any) -> Any:
    return value


_PLACEHOLDER = re.compile(r"'[^']*'|\?|%")


@lru_cache(maxsize=4096)
def _psycopg_sql(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s``; a literal ``%`` doubled (inside quotes too, as psycopg wants)."""

    def swap(match: re.Match[str]) -> str:
        text = match.group()
        return "%s" if text == "?" else text.replace("%", "%%")

    return _PLACEHOLDER.sub(swap, sql)


_engines: dict[str, Engine] = {}


def database_url(url_or_path: str | Path) -> str:
    """A SQLAlchemy URL; a bare path means the SQLite file there."""
    text = str(url_or_path)
    return text if "://" in text else f"sqlite:///{Path(text)}"


def engine_for(url_or_path: str | Path) -> Engine:
    """One engine per URL for the process: PostgreSQL keeps a pool, SQLite opens its file per connection."""
    url = database_url(url_or_path)
    engine = _engines.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            # no pool, so no handle outlives its request (an open with its pragmas costs about 1.6 ms)
            engine = create_engine(
                url,
                poolclass=NullPool,
                isolation_level="AUTOCOMMIT",
                connect_args={"check_same_thread": False, "timeout": 5.0},
            )
            event.listen(engine, "connect", dialect.sqlite_connected)
        else:
            engine = create_engine(
                url, isolation_level="AUTOCOMMIT", connect_args=dialect.PG_CONNECT_ARGS, **dialect.PG_POOL
            )
        engine = _engines.setdefault(url, engine)
    return engine


def dispose(url_or_path: str | Path | None = None) -> None:
    """Close the pooled connections of one URL's engine (None: of every engine), e.g. before dropping it."""
    urls = list(_engines) if url_or_path is None else [database_url(url_or_path)]
    for url in urls:
        engine = _engines.pop(url, None)
        if engine is not None:
            engine.dispose()


def open_db(url_or_path: str | Path) -> Database:
    """A connection, usable from the server's worker threads (one thread at a time)."""
    return Database(engine_for(url_or_path))


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


def migrate(db: Database) -> list[str]:
    """Apply every migration not applied yet; return the names applied now."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row["name"] for row in db.query("SELECT name FROM schema_migrations")}
    applied = []
    for module, migrations in [("dialect", dialect.migrations(db.dialect)), *_modules()]:
        for name, script in migrations:
            full = f"{module}.{name}"
            if full in done:
                continue
            with transaction(db):
                # statement by statement inside our transaction (a script API would commit first)
                for statement in dialect.statements(script, db.dialect):
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    [full, datetime.now(UTC).isoformat(timespec="seconds")],
                )
            applied.append(full)
    return applied


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction: committed when the block ends, rolled back when it raises."""
    for statement in dialect.BEGIN_WRITE[db.dialect]:
        db.execute(statement)
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")


@contextmanager
def read_snapshot(db: Database) -> Iterator[Database]:
    """A read transaction: every query inside sees the same committed state, and no write lock is taken."""
    db.execute(dialect.BEGIN_READ[db.dialect])
    try:
        yield db
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")  # nothing was written: ending it only releases the snapshot


@contextmanager
def savepoint(db: Database) -> Iterator[Database]:
    """A nested unit inside a transaction: rolled back alone when its block raises."""
    name = f"sp_{secrets.token_hex(6)}"
    db.execute(f"SAVEPOINT {name}")
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.execute(f"ROLLBACK TO SAVEPOINT {name}")
            db.execute(f"RELEASE SAVEPOINT {name}")
        raise
    else:
        db.execute(f"RELEASE SAVEPOINT {name}")
