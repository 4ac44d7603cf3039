"""Leases: what one process at a time may do among the server's workers (the findings tick, a login check).

A lease is a row naming its holder and until when it holds. Taking it is one conditional upsert,
the same SQL on SQLite and PostgreSQL: it succeeds when nobody holds the lease, when the holder's
time ran out (a worker killed while holding it), or when the caller holds it already (renewal).
Times are seconds of the wall clock, since leases are about processes, not about the field's days.
"""

from __future__ import annotations

import os
import socket

from sync_server.db import Database, transaction

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_leases",
        """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            until REAL NOT NULL
        );
        """,
    ),
]


def take(db: Database, *, name: str, holder: str, now: float, seconds: float) -> bool:
    """Take or renew the lease ``name`` for ``seconds``; False when another holder has it."""
    with transaction(db):
        row = db.execute(
            "INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until"
            " WHERE leases.until < ? OR leases.holder = excluded.holder RETURNING holder",
            [name, holder, now + seconds, now],
        ).fetchone()
    return row is not None


def release(db: Database, *, name: str, holder: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])


def holder() -> str:
    """This worker process (forked workers share their parent's module state, not its pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"
