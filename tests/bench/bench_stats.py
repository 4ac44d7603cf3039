"""Benchmark: the month figures of a property with 100,000 records in its history.

The history (a year: 50,000 work orders with their deadlines and history, 30,000 checkpoint visits and 20,000
return visits) is written straight into the tables in the shape reconciliation stores, then
``sync_server.stats.figures_for`` computes one month, against the floor measured in the same run: a bare SQL
aggregate of the same counts (orders by kind, visits, checkpoints) over the same month. Median of several
runs; peak Python memory of one figures run via tracemalloc. The last line prints the ratio.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# tests.conftest imports Starlette's TestClient, which prefers httpx2 (as pyproject's pytest settings note).
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sync_server import stats  # noqa: E402
from sync_server.db import open_db, transaction  # noqa: E402
from sync_server.settings import CHEAP_ARGON2, Settings  # noqa: E402
from tests.conftest import prepare_data_dir  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
ORDERS, CHECKPOINT_VISITS, RETURN_VISITS = 50_000, 30_000, 20_000
FIRST_DAY = date(2025, 12, 1)
MONTH = (date(2026, 10, 1), date(2026, 10, 31))
RUNS = 5
CATEGORIES = ["water_leakage", "electrical", "civil", "cleaning", "elevator", "other"]
CAUSES = ["people", "machines", "materials", "methods", "environment", None]


def iso(at: datetime) -> str:
    return at.astimezone(TZ).isoformat()


def utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def fill(db) -> None:
    rng = random.Random(7)
    days = 365
    orders, facts, visited = [], [], []
    for n in range(ORDERS):
        at = datetime.combine(FIRST_DAY, datetime.min.time(), TZ) + timedelta(minutes=rng.randrange(days * 24 * 60))
        kind = rng.choice(["repair"] * 6 + ["complaint", "rework", "rectification"])
        met = at + timedelta(hours=rng.choice([2, 5, 30])) if rng.random() < 0.9 else None
        deadlines = [
            {
                "name": "handling",
                "due_at": iso(at + timedelta(days=1)),
                "met_at": iso(met) if met else None,
                "missed_at": None,
                "assignee_id": None,
            }
        ]
        history = [{"at": iso(at), "action": "reported", "record_id": f"r{n}", "verdict": None}]
        oid = f"wo-r{n}"
        if met and n < RETURN_VISITS * 2 and n % 2 == 0:
            seen = met + timedelta(days=rng.choice([1, 2, 5]))
            verdict = rng.choice(["fixed_satisfied"] * 8 + ["not_fixed", "dissatisfied"])
            deadlines.append(
                {
                    "name": "return_visit",
                    "due_at": iso(met + timedelta(days=3)),
                    "met_at": iso(seen),
                    "missed_at": None,
                    "assignee_id": "user-demo-specialist",
                }
            )
            history.append({"at": iso(seen), "action": "return_visit_ok", "record_id": f"v{n}", "verdict": verdict})
            facts.append((f"v{n}", "return_visit", seen, {"work_order_id": oid}, None, None))
        data = {
            "id": oid,
            "kind": kind,
            "category": rng.choice(CATEGORIES),
            "cause": rng.choice(CAUSES),
            "reported_at": iso(at),
            "reporter_ids": ["user-demo-specialist"],
            "deadlines": deadlines,
            "history": history,
            "state": "closed",
            "property_id": "demo",
        }
        orders.append(
            (
                oid,
                "demo",
                f"WO-{n:06d}",
                oid,
                kind,
                "closed",
                "demo-b1-u101",
                None,
                "user-demo-specialist",
                utc(at),
                None,
                json.dumps(data, separators=(",", ":")),
                "[]",
                "[]",
            )
        )
    for n in range(CHECKPOINT_VISITS):
        at = datetime.combine(FIRST_DAY, datetime.min.time(), TZ) + timedelta(minutes=rng.randrange(days * 24 * 60))
        visited.append((f"c{n}", "checkpoint_visit", at, {"result": "ok"}, "demo-r1", f"demo-r1-cp{rng.randrange(7)}"))
    rows = [
        (
            i,
            "demo",
            t,
            "user-demo-specialist",
            "specialist",
            utc(at),
            at.astimezone(TZ).date().isoformat(),
            route,
            cp,
            json.dumps(body),
        )
        for i, t, at, body, route, cp in facts + visited
    ]
    with transaction(db):
        db.executemany(
            "INSERT INTO work_orders (id, property_id, number, stream, kind, state, place_id,"
            " assignee_id, responsible_id, reported_at, due_at, data, scopes, visit_scopes)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            orders,
        )
        db.executemany(
            "INSERT INTO recon_facts (id, property_id, type, author_id, author_role, effective_at,"
            " local_day, route_id, checkpoint_id, body) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        db.execute("ANALYZE")


def bare(db) -> tuple:
    """The same counts, plainly: orders by kind, return visits, checkpoints visited in the month."""
    start = utc(datetime.combine(MONTH[0], datetime.min.time(), TZ))
    end = utc(datetime.combine(MONTH[1] + timedelta(days=1), datetime.min.time(), TZ))
    kinds = db.execute(
        "SELECT kind, COUNT(*) FROM work_orders WHERE property_id = 'demo' AND reported_at >= ?"
        " AND reported_at < ? GROUP BY kind",
        [start, end],
    ).fetchall()
    facts = db.execute(
        "SELECT type, COUNT(*) FROM recon_facts WHERE property_id = 'demo' AND local_day BETWEEN ? AND ? GROUP BY type",
        [MONTH[0].isoformat(), MONTH[1].isoformat()],
    ).fetchall()
    return sorted(kinds), sorted(facts)


def median(work) -> float:
    work()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), argon2=CHEAP_ARGON2, now=lambda: datetime(2026, 11, 30, tzinfo=UTC))
        prepare_data_dir(settings, other_property=False)
        db = open_db(settings.db_path)
        fill(db)
        result = stats.figures_for(db, settings, "demo", *MONTH)
        kinds, facts = bare(db)
        assert result["counts"]["orders_opened"] == sum(n for _, n in kinds)
        assert result["counts"]["return_visits"] == dict(facts).get("return_visit", 0)
        tracemalloc.start()
        stats.figures_for(db, settings, "demo", *MONTH)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        figures_s = median(lambda: stats.figures_for(db, settings, "demo", *MONTH))
        bare_s = median(lambda: bare(db))
        db.close()
    print(
        f"history: {ORDERS + CHECKPOINT_VISITS + RETURN_VISITS} records; month: {result['counts']['orders_opened']}"
        f" orders, {result['counts']['return_visits']} return visits"
    )
    print(f"figures peak Python memory: {peak / 1e6:.2f} MB")
    print(
        f"month figures {figures_s * 1000:.1f} ms, bare SQL aggregate {bare_s * 1000:.1f} ms,"
        f" ratio {figures_s / bare_s:.1f}x"
    )


if __name__ == "__main__":
    main()
