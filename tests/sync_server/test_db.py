"""The database layer, on the engine of the run: migrations apply once, the feed compacts, transactions roll
back whole, one writer at a time, and the SQL written once reads and writes the same on both engines."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest

from sync_server.db import MODULES, accounts, feed, migrate, open_db, savepoint, transaction


@pytest.fixture
def url(tmp_path, new_database_url):
    """An empty database: a fresh PostgreSQL database on that run, else a new SQLite file."""
    return new_database_url(migrated=False) or str(tmp_path / "x.sqlite3")


@pytest.fixture
def db(url):
    db = open_db(url)
    migrate(db)
    yield db
    db.close()


def test_migrations_apply_once_and_are_recorded(url):
    db = open_db(url)
    applied = migrate(db)
    assert "accounts.0001_accounts" in applied and "feed.0001_feed" in applied
    assert migrate(db) == []
    assert {r["name"] for r in db.query("SELECT name FROM schema_migrations")} == set(applied)
    assert MODULES[0] == "accounts"
    if db.dialect == "sqlite":
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        # a database made by an earlier version has every name it will ever be asked for: nothing new runs
        assert not [name for name in applied if name.startswith("dialect.")]
    else:
        assert applied[0] == "dialect.0001_sqlite_functions"  # what the shared SQL calls exists before it runs
    db.close()


def test_a_failed_transaction_leaves_nothing_and_a_savepoint_undoes_only_its_part(db):
    with pytest.raises(RuntimeError), transaction(db):
        feed.publish(db, scopes=["s"], kind="k", entity_id="a", data={})
        raise RuntimeError("boom")
    with transaction(db):
        feed.publish(db, scopes=["s"], kind="k", entity_id="b", data={})
        with pytest.raises(RuntimeError), savepoint(db):
            feed.publish(db, scopes=["s"], kind="k", entity_id="c", data={})
            raise RuntimeError("boom")
    assert [r["entity_id"] for r in db.query("SELECT entity_id FROM feed")] == ["b"]
    assert not db.in_transaction


def test_the_feed_keeps_each_entity_once_and_dedupes_across_scopes(db):
    with transaction(db):
        feed.publish(db, scopes=["user:u1"], kind="record", entity_id="r1", data={"v": 1})
        feed.publish(db, scopes=["role:p:supervisor"], kind="record", entity_id="r1", data={"v": 1})
        feed.publish(db, scopes=["user:u1"], kind="record", entity_id="r2", data={"v": 1})
        feed.publish(db, scopes=["user:u1"], kind="record", entity_id="r1", data={"v": 2})
    user = {"id": "u1", "property_id": "p", "role": "supervisor"}
    changes, cursor, has_more = feed.changes_since(db, scopes=feed.scopes_for(user), since=0, limit=10)
    assert [(c.id, json.loads(c.data)) for c in changes] == [("r2", {"v": 1}), ("r1", {"v": 2})]
    assert cursor == feed.latest_seq(db) and has_more is False
    assert db.execute("SELECT COUNT(*) FROM feed").fetchone()[0] == 3
    assert db.execute("SELECT COUNT(*) FROM feed_data").fetchone()[0] == 2  # each state stored once


def test_a_sequence_number_is_never_handed_out_twice_even_after_the_top_row_moved(db):
    """A phone's cursor says "everything up to here": a reused number would hide the change that took it."""
    with transaction(db):
        feed.publish(db, scopes=["s"], kind="k", entity_id="a", data={"v": 1})
        feed.publish(db, scopes=["s"], kind="k", entity_id="b", data={"v": 1})
    top = feed.latest_seq(db)
    with transaction(db):
        feed.publish(db, scopes=["s"], kind="k", entity_id="b", data={"v": 2})  # the top row is replaced
    again = feed.latest_seq(db)
    assert again > top
    changes, cursor, _ = feed.changes_since(db, scopes=["s"], since=top, limit=10)
    assert [(c.id, c.seq) for c in changes] == [("b", again)] and cursor == again


def test_the_primary_key_decides_whether_an_insert_stored_a_row(db):
    """What tells accepted from duplicate: the row count of the insert itself, on both engines."""
    made = datetime(2026, 11, 23, tzinfo=UTC)
    user = dict(username="zhao", name="Zhao", role="specialist", property_id="p", password_hash="h", created_at=made)
    with transaction(db):
        assert accounts.insert_user(db, id="u1", **user) is True
        assert accounts.insert_user(db, id="u1", **user) is False
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1


def test_question_marks_are_parameters_and_quoted_text_is_left_alone(db):
    """One placeholder style for both drivers: a ? or % inside a quoted literal is text, not a parameter."""
    row = db.execute("SELECT '50% done?', ?, ? || '%'", ["a", "b"]).fetchone()
    assert tuple(row) == ("50% done?", "a", "b%")
    db.execute("CREATE TABLE flags (id TEXT PRIMARY KEY, flag INTEGER NOT NULL)")
    db.execute("INSERT INTO flags (id, flag) VALUES (?, ?)", ["x", True])  # stored as SQLite stores it: 1
    assert list(db.query("SELECT id, flag FROM flags")) == [{"id": "x", "flag": 1}]


def test_the_sqlite_json_and_time_functions_read_the_same_on_both_engines(db):
    doc = json.dumps({"a": {"b": ["x", {"c": 2}]}, "list": [1, 2, 3], "at": "2026-11-23T09:30:00+08:00"})
    row = db.execute(
        "SELECT json_extract(?, '$.a.b[0]'), json_array_length(?, '$.list'), julianday(json_extract(?, '$.at')),"
        " instr('patrol', 'tro')",
        [doc, doc, doc],
    ).fetchone()
    assert (row[0], row[1], row[3]) == ("x", 3, 3)
    assert row[2] == pytest.approx(2461367.5625)  # 01:30 UTC on 23 November 2026
    values = [r["value"] for r in db.query("SELECT value FROM json_each(?, '$.a.b')", [doc])]
    assert values[0] == "x" and json.loads(values[1]) == {"c": 2}


def test_a_second_writer_waits_for_the_first_to_commit_and_then_sees_its_write(db, url):
    """One writer at a time on both engines: a read-then-write step never works from a stale read."""
    db.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    db.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
    other = open_db(url)
    seen: list[int] = []
    done = threading.Event()

    def increment() -> None:
        with transaction(other):
            n = other.execute("SELECT n FROM counter WHERE id = 1").fetchone()[0]
            seen.append(n)
            other.execute("UPDATE counter SET n = ? WHERE id = 1", [n + 1])
        done.set()

    try:
        with transaction(db):
            n = db.execute("SELECT n FROM counter WHERE id = 1").fetchone()[0]
            second = threading.Thread(target=increment)
            second.start()
            assert not done.wait(0.5)  # held off while the first writer is in its transaction
            db.execute("UPDATE counter SET n = ? WHERE id = 1", [n + 1])
        second.join(10)
        assert seen == [1] and db.execute("SELECT n FROM counter").fetchone()[0] == 2
    finally:
        other.close()
