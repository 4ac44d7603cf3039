"""Benchmark: a field's records pushed through the real HTTP server vs bare SQLite+JSON inserts of the same records.

The field is ``tests.bench.field``: four specialists patrol and report defects and complaints in batches of 500,
the supervisor pulls and dispatches, maintenance pulls and completes, specialists pull and make the return visits
and reply to complaints; orders close (or go to rework and round again), as in a real property.
BENCH_RECORDS sets how many records are pushed in all (default 10,000; 100,000 for the long run).

The floor is measured in the same run: the same records, in the same batches, inserted as JSON into a plain
SQLite table. Also printed: the server's CPU per record of a specialist's batch at the start and after the
records stored by then (read from /proc of the server process around each push; target ≤ 1.5×).
The last line prints the ratio (server push time / floor time) and the CPU growth.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from tests.bench.driver import BATCH, Field, busy, refusals  # noqa: E402
from tests.bench.field import FieldPhone, field_property  # noqa: E402
from tests.conftest import LiveServer, free_port  # noqa: E402

RECORDS = int(os.environ.get("BENCH_RECORDS", "10000"))
SPECIALISTS = 4
EDGE = 3  # specialist batches compared at the start and at the end


def floor(batches: list[list[dict[str, object]]], path: Path) -> tuple[float, float]:
    """Seconds and CPU seconds of the bare inserts."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE records (id TEXT PRIMARY KEY, raw TEXT NOT NULL)")
    started, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        payload = json.dumps(batch)  # the client's encoding is part of both sides
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO records VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(r["id"], json.dumps(r)) for r in json.loads(payload)],
        )
        conn.execute("COMMIT")
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return elapsed, used


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "server"
        people = field_property(data_dir, specialists=SPECIALISTS, supervisors=1, maintenance=2)
        live = LiveServer(data_dir, free_port())
        live.start()
        try:
            field = Field(live, [FieldPhone(p, people) for p in people])
            field.run(RECORDS)
            supervisor = next(p for p in field.phones if p.person.role == "supervisor")
            field.http.pull(supervisor)
            orders = supervisor.orders
            field.http.close()
        finally:
            live.stop()
        # the floor is short, so a busy moment of a shared machine moves it a lot: the median of three
        floors = [floor(field.batches, Path(tmp) / f"floor{n}.sqlite3") for n in range(3)]
        base, base_cpu = statistics.median(f[0] for f in floors), statistics.median(f[1] for f in floors)
    served = sum(p[2] for p in field.pushes)
    served_cpu = sum(p[3] for p in field.pushes)
    stored = field.stored
    kinds = Counter(r["type"] for batch in field.batches for r in batch)
    states = Counter(o.get("state") for o in orders.values())
    biggest = max((len(json.dumps(o)) for o in orders.values()), default=0)
    full = [p for p in field.pushes if p[0] == "specialist" and p[1] == BATCH]
    first = statistics.median(p[3] / p[1] for p in full[:EDGE]) if full else float("nan")
    last = statistics.median(p[3] / p[1] for p in full[-EDGE:]) if full else float("nan")
    after = full[-EDGE][4] if len(full) >= EDGE else 0
    print(f"records: {stored} in {len(field.batches)} pushes (specialists' batches of {BATCH}, desk batches as owed)")
    print("record types: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print("orders by state (supervisor's pull): " + ", ".join(f"{k} {n}" for k, n in states.most_common()))
    print(f"largest order as pulled: {biggest:,} bytes of JSON")
    print(f"not accepted: {refusals(field.http.refused)}; busy answers waited out: {busy(field.http)}")
    print(f"floor (bare SQLite+JSON, median of 3): {base:.3f} s ({stored / base:,.0f}/s), CPU {base_cpu:.3f} s")
    print(
        f"server (HTTP, validate, store, feed, reconcile): {served:.3f} s ({stored / served:,.0f} records/s), "
        f"server CPU {served_cpu:.3f} s"
    )
    print(f"the phones' pulls between the pushes (not counted above): {field.pull_seconds:.1f} s")
    print(f"CPU ratio server/floor (steadier on a busy machine): {served_cpu / base_cpu:.1f}")
    print(f"server CPU per record of a specialist's batch: first {EDGE} batches {first * 1000:.2f} ms,")
    print(f"  last {EDGE} batches (after {after:,} records stored) {last * 1000:.2f} ms")
    print(
        f"ratio server/floor: {served / base:.1f} (target ≤ 4); "
        f"push CPU per batch after {after:,} stored / at start: {last / first:.2f} (target ≤ 1.5)"
    )


if __name__ == "__main__":
    main()
