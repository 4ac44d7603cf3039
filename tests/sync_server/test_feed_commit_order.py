"""The pull cursor never skips a change: feed order is commit order, with two writers (two workers) at once.

On PostgreSQL a sequence number is taken when a row is inserted, not when it commits: without the writers'
lock, a change that commits late under a lower number would sit behind a cursor that already passed it.
"""

from __future__ import annotations

import random
import threading
import time

from sync_server.db import feed, open_db, transaction

SCOPE = "role:demo:supervisor"


def publish(db, entity_id: str, *, before_commit: float = 0.0) -> None:
    with transaction(db):
        feed.publish(db, kind="finding", entity_id=entity_id, data={"id": entity_id}, scopes=[SCOPE])
        time.sleep(before_commit)  # the commit comes late


def pull(db, cursor: int) -> tuple[list[str], int]:
    changes, cursor, _ = feed.changes_since(db, scopes=[SCOPE], since=cursor, limit=10_000)
    return [c.id for c in changes], cursor


def test_a_change_that_commits_late_is_not_passed_by_a_cursor(settings):
    late, early, reader = (open_db(settings.db_url) for _ in range(3))
    try:
        _, cursor = pull(reader, 0)
        with transaction(late):
            feed.publish(late, kind="finding", entity_id="late", data={"id": "late"}, scopes=[SCOPE])
            second = threading.Thread(target=publish, args=(early, "early"))
            second.start()  # another worker writes meanwhile: it waits for the first commit
            time.sleep(0.3)
            seen, cursor_then = pull(reader, cursor)
            assert seen == [] and cursor_then == cursor  # nothing committed yet, so nothing passed
        second.join(10)
        seen, _ = pull(reader, cursor)
        assert seen == ["late", "early"]  # in the order they committed
    finally:
        for db in (late, early, reader):
            db.close()


def test_a_reader_pulling_while_two_writers_commit_at_random_sees_every_change(settings):
    writers = [open_db(settings.db_url) for _ in range(2)]
    reader = open_db(settings.db_url)
    made = [f"w{n}-{i}" for n in range(2) for i in range(40)]

    def write(n: int) -> None:
        rng = random.Random(n)
        for i in range(40):
            publish(writers[n], f"w{n}-{i}", before_commit=rng.uniform(0, 0.01))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    try:
        for thread in threads:
            thread.start()
        seen, cursor = [], 0
        while any(t.is_alive() for t in threads):
            got, cursor = pull(reader, cursor)
            seen += got
        got, cursor = pull(reader, cursor)
        seen += got
        assert sorted(seen) == sorted(made)  # each once, none skipped
    finally:
        for thread in threads:
            thread.join(10)
        for db in (*writers, reader):
            db.close()
