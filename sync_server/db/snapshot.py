"""Reading a server database for a backup: an online copy, its integrity, what each table holds, its photos.

Not a migration module (it owns no tables); ``sync_server.backup`` is its only user.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any


def copy_database(source: Path, target: Path) -> None:
    """Copy ``source`` to a new file ``target`` with SQLite's online backup API, while others may write to it.

    One backup step holds one read snapshot (WAL readers never block the server's writers), so the copy
    is the database exactly as of one commit. The copy leaves WAL mode: it is one self-contained file.
    """
    if not source.is_file():
        raise FileNotFoundError(source)
    # mode=ro: a backup must never write to the live database, not even a checkpoint.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.execute("PRAGMA busy_timeout = 30000")
        src.backup(dst)  # pages=-1: every page in one step, hence one consistent snapshot
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()


def integrity_problems(path: Path) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong in the database file at ``path``; empty when it is sound."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:  # not a database at all, or a header too damaged to start checking
        return [str(exc)]
    finally:
        conn.close()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def table_digests(path: Path) -> dict[str, dict[str, Any]]:
    """Per table: its row count and a SHA-256 of its rows in a fixed order, to compare two copies cell by cell."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        stats = {}
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            width = len(conn.execute(f"SELECT * FROM {quoted} LIMIT 0").description)
            order = ", ".join(str(i) for i in range(1, width + 1))  # every column: independent of rowids
            digest, rows = hashlib.sha256(), 0
            for row in conn.execute(f"SELECT * FROM {quoted} ORDER BY {order}"):
                digest.update(json.dumps(row, default=_cell, ensure_ascii=False).encode() + b"\n")
                rows += 1
            stats[name] = {"rows": rows, "sha256": digest.hexdigest()}
        return stats
    finally:
        conn.close()


def photo_hashes(path: Path) -> list[str]:
    """Every photo the database says the server holds (any property), once each: their files must exist."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'photos'").fetchone() is None:
            return []
        return [row[0] for row in conn.execute("SELECT DISTINCT sha256 FROM photos ORDER BY sha256")]
    finally:
        conn.close()


def _cell(value: object) -> str:
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    raise TypeError(type(value))
