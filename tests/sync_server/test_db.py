"""The database layer: migrations apply once, the feed compacts, and transactions roll back whole."""

from __future__ import annotations

import json

import pytest

from sync_server.db import MODULES, feed, migrate, open_db, savepoint, transaction


def test_migrations_apply_once_and_are_recorded(tmp_path):
    db = open_db(tmp_path / "x.sqlite3")
    applied = migrate(db)
    assert "accounts.0001_accounts" in applied and "feed.0001_feed" in applied
    assert migrate(db) == []
    assert {r["name"] for r in db.query("SELECT name FROM schema_migrations")} == set(applied)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert MODULES[0] == "accounts"
    db.close()


def test_a_failed_transaction_leaves_nothing_and_a_savepoint_undoes_only_its_part(tmp_path):
    db = open_db(tmp_path / "x.sqlite3")
    migrate(db)
    with pytest.raises(RuntimeError), transaction(db):
        feed.publish(db, scopes=["s"], kind="k", entity_id="a", data={})
        raise RuntimeError("boom")
    with transaction(db):
        feed.publish(db, scopes=["s"], kind="k", entity_id="b", data={})
        with pytest.raises(RuntimeError), savepoint(db):
            feed.publish(db, scopes=["s"], kind="k", entity_id="c", data={})
            raise RuntimeError("boom")
    assert [r["entity_id"] for r in db.query("SELECT entity_id FROM feed")] == ["b"]
    db.close()


def test_the_feed_keeps_each_entity_once_and_dedupes_across_scopes(tmp_path):
    db = open_db(tmp_path / "x.sqlite3")
    migrate(db)
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
    db.close()
