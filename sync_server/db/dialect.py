"""What differs between SQLite and PostgreSQL, in one place; every other module writes one SQL text for both.

The server's SQL is written in SQLite's words. PostgreSQL is taught the few SQLite functions it uses
(``json_extract``, ``json_each``, ``json_array_length``, ``julianday``, ``instr``) as SQL functions created by
its first migration, so those statements run unchanged. Migration scripts pass through ``statements``: on
PostgreSQL an ``AUTOINCREMENT`` key becomes an identity column (like AUTOINCREMENT, it never hands out a
number twice), ``INTEGER`` becomes ``BIGINT`` (SQLite's integers are 64-bit), ``BLOB`` becomes ``BYTEA``,
``REAL`` becomes ``DOUBLE PRECISION``, ``WITHOUT ROWID`` goes, ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO
NOTHING``, and a statement marked ``-- sqlite only`` (moving data out of an older SQLite layout) is left out.
Statements that cannot be shared are the entries of the tables below.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg

# One writer at a time on both engines: the server's read-then-write steps (login counts, device progress,
# order numbers, findings marks) were made for it. PostgreSQL takes a transaction-scoped advisory lock right
# after BEGIN; under READ COMMITTED each later statement then sees every commit of the writers before.
WRITE_LOCK = 0x7061_7472  # "patr": the key of that advisory lock
BEGIN_WRITE = {
    "sqlite": ("BEGIN IMMEDIATE",),
    "postgresql": ("BEGIN ISOLATION LEVEL READ COMMITTED", f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"),
}
BEGIN_READ = {"sqlite": "BEGIN", "postgresql": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"}

# What a lock waited on too long raises (the message tells a lock from another operational error).
BUSY_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError, psycopg.OperationalError)
# A lock waited on for 5 s fails like SQLite's busy timeout (answered 503 server.busy); times read as UTC.
PG_CONNECT_ARGS = {"options": "-c lock_timeout=5000 -c TimeZone=UTC"}
# A request holds its connection for its whole run: room for each thread of the server's pool (anyio's 40)
# and the tick, so a burst waits for a thread, never for a connection. 5 stay open between bursts.
PG_POOL = {"pool_size": 5, "max_overflow": 45}

# The feed moves an entity to a fresh sequence number each time it is published in a scope. SQLite's
# OR REPLACE deletes the old row and inserts one with a new AUTOINCREMENT seq; PostgreSQL's proposed row
# (``excluded``) already holds the identity's next value.
FEED_PUBLISH = {
    "sqlite": "INSERT OR REPLACE INTO feed (scope, kind, entity_id, deleted) VALUES (?, ?, ?, ?)",
    "postgresql": "INSERT INTO feed (scope, kind, entity_id, deleted) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (scope, kind, entity_id) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted",
}
# The highest sequence ever handed out, even when that row was replaced since.
FEED_LATEST_SEQ = {
    "sqlite": "SELECT seq FROM sqlite_sequence WHERE name = 'feed'",
    "postgresql": "SELECT pg_sequence_last_value(pg_get_serial_sequence('feed', 'seq'))",
}


def json_subset(name: str, column: str, fields: Sequence[str], firsts: Sequence[str] = ()) -> str:
    """SQL for the JSON text of ``fields`` of the JSON object in ``column``, each list in ``firsts`` cut to its first
    item: the database extracts what is read, as an object's whole text can be megabytes."""
    if name == "postgresql":
        pairs = [f"'{f}', {column}::jsonb -> '{f}'" for f in fields]
        pairs += [f"'{f}', jsonb_build_array({column}::jsonb #>> '{{{f},0}}')" for f in firsts]
        return f"jsonb_build_object({', '.join(pairs)})::text"
    pairs = [f"'{f}', {column} -> '$.{f}'" for f in fields]
    pairs += [f"'{f}', json_array({column} ->> '$.{f}[0]')" for f in firsts]
    return f"json_object({', '.join(pairs)})"


def sqlite_connected(dbapi_connection: Any, _record: Any) -> None:
    """WAL mode with foreign keys on, waiting up to 5 s for another writer's lock."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL: a power cut loses at most the last commit
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def in_transaction(dbapi_connection: Any) -> bool:
    info = getattr(dbapi_connection, "info", None)  # psycopg
    if info is not None and hasattr(info, "transaction_status"):
        return bool(info.transaction_status != 0)  # 0: IDLE
    return bool(dbapi_connection.in_transaction)  # sqlite3


# SQLite's JSON path '$.a.b[0]' as a PostgreSQL text[] path {a,b,0}.
_PG_FUNCTIONS = r"""
CREATE FUNCTION sqlite_json_path(path text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN path = '$' THEN '{}'::text[]
        ELSE string_to_array(regexp_replace(substr(path, 3), '\[(\d+)\]', '.\1', 'g'), '.') END
$$;
CREATE FUNCTION json_extract(doc text, path text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT doc::jsonb #>> sqlite_json_path(path)
$$;
CREATE FUNCTION json_each(doc text, path text) RETURNS TABLE (value text) LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE jsonb_typeof(e) WHEN 'string' THEN e #>> '{}' ELSE e::text END
    FROM jsonb_array_elements(CASE jsonb_typeof(doc::jsonb #> sqlite_json_path(path))
        WHEN 'array' THEN doc::jsonb #> sqlite_json_path(path) ELSE '[]'::jsonb END) AS e
$$;
CREATE FUNCTION json_each(doc text) RETURNS TABLE (value text) LANGUAGE sql IMMUTABLE AS $$
    SELECT value FROM json_each(doc, '$')
$$;
CREATE FUNCTION json_array_length(doc text, path text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(doc::jsonb #> sqlite_json_path(path)) = 'array'
        THEN jsonb_array_length(doc::jsonb #> sqlite_json_path(path))
        WHEN doc::jsonb #> sqlite_json_path(path) IS NOT NULL THEN 0 END
$$;
CREATE FUNCTION julianday(at text) RETURNS double precision LANGUAGE sql STABLE AS $$
    SELECT extract(epoch FROM at::timestamptz)::double precision / 86400 + 2440587.5
$$;
CREATE FUNCTION instr(haystack text, needle text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT strpos(haystack, needle)
$$;
"""


def migrations(name: str) -> list[tuple[str, str]]:
    """The engine's own migrations, applied before every module's (recorded as ``dialect.<name>``)."""
    return [("0001_sqlite_functions", _PG_FUNCTIONS)] if name == "postgresql" else []


_DDL = [
    (re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\)\s*WITHOUT ROWID"), ")"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),  # PostgreSQL's REAL has 24 bits: seconds since 1970 need more
]
# A statement that starts so moves data out of an older SQLite layout: PostgreSQL never held data that way.
SQLITE_ONLY = "-- sqlite only"


def statements(script: str, name: str) -> Iterator[str]:
    """The statements of a migration script, each as the engine runs it."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield from _translate(pending.strip(), name)
            pending = ""
    yield from _translate(pending.strip(), name)


def _translate(statement: str, name: str) -> Iterator[str]:
    if not statement or (name == "postgresql" and statement.startswith(SQLITE_ONLY)):
        return
    if name != "postgresql":
        yield statement
        return
    for pattern, replacement in _DDL:
        statement = pattern.sub(replacement, statement)
    if statement.startswith("INSERT OR IGNORE INTO"):
        body = statement.removeprefix("INSERT OR IGNORE INTO").rstrip(";")
        statement = f"INSERT INTO{body} ON CONFLICT DO NOTHING"
    yield statement
