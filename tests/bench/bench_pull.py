"""Benchmark: pulling the same 100 new changes with 1,000,000 vs 10,000 rows of feed history.

A pull must cost what the changes cost, not what the history costs. History is built with direct SQL
into temporary databases; the pull goes through the real endpoint (TestClient). The last line prints
the ratio (time with the big history / time with the small one); near 1 is the goal.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from fastapi.testclient import TestClient  # noqa: E402

from sync_server.app import create_app  # noqa: E402
from sync_server.db import feed, open_db, transaction  # noqa: E402
from sync_server.settings import CHEAP_ARGON2, Settings  # noqa: E402
from tests.conftest import bearer, login, prepare_data_dir  # noqa: E402

CHANGES = 100
REPEATS = 200
# History spread like a real server's: the user's own scopes get a share, other users and properties the rest.
SCOPES = [
    "property:demo",
    "user:user-demo-specialist",
    "role:demo:specialist",
    "user:someone-else",
    "property:elsewhere",
    "role:demo:supervisor",
]


def build(directory: Path, history: int) -> Settings:
    settings = Settings(data_dir=directory, argon2=CHEAP_ARGON2)
    prepare_data_dir(settings, other_property=False)
    db = open_db(settings.db_path)
    with transaction(db):
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO feed (scope, kind, entity_id, deleted)"
            " SELECT CASE i % 6 " + " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(SCOPES)) + " END,"
            " 'record', 'history-' || i, 0 FROM n",
            [history],
        )
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO feed_data (kind, entity_id, data)"
            " SELECT 'record', 'history-' || i, '{\"n\":' || i || '}' FROM n",
            [history],
        )
        for n in range(CHANGES):
            feed.publish(db, scopes=[SCOPES[n % 3]], kind="record", entity_id=f"new-{n}", data={"n": n})
    db.close()
    return settings


def pull_time(settings: Settings) -> float:
    db = open_db(settings.db_path)
    since = feed.latest_seq(db) - CHANGES
    db.close()
    with TestClient(create_app(settings)) as client:
        headers = bearer(login(client, "demo-specialist"))
        url = f"/api/v1/sync/pull?since={since}&limit=1000"
        body = client.get(url, headers=headers).json()
        assert len(body["changes"]) == CHANGES and not body["has_more"], len(body["changes"])
        started = time.perf_counter()
        for _ in range(REPEATS):
            client.get(url, headers=headers)
        return (time.perf_counter() - started) / REPEATS


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        small = build(Path(tmp) / "small", 10_000)
        big = build(Path(tmp) / "big", 1_000_000)
        print(f"built histories in {time.perf_counter() - started:.1f} s")
        small_time = pull_time(small)
        big_time = pull_time(big)
    print(f"pull of {CHANGES} changes after 10,000 history rows: {small_time * 1000:.2f} ms")
    print(f"pull of {CHANGES} changes after 1,000,000 history rows: {big_time * 1000:.2f} ms")
    print(f"ratio big/small history: {big_time / small_time:.2f}")


if __name__ == "__main__":
    main()
