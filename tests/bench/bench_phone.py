"""Benchmark: a phone with its own history (50,000 records, 5,000 cached work orders) stays quick.

The phone store is filled through the store's own functions (records made here, records pulled from the
server, the reference cache as a pull leaves it), then two things the user waits for are timed:

- Today's data: what the Today view reads and computes (``AppContext.today``), against the floor measured
  in the same run: bare indexed queries of the rows Today needs (the day's records by ``recorded_at``, the
  open work orders, the small reference kinds), decoded from JSON, with no logic at all.
- A form save: ``AppContext.save`` (validate, save with its outbox row, refresh the sync bar's counts).

Also printed: the orders list (``OrdersBoard.visible`` and the counts by state, as the orders tab reads them).
Median of several runs. The last line prints Today / floor (target <= 2) and the save time (target <= 10 ms).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time as timer
import warnings
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from mobile.context import AppContext  # noqa: E402
from mobile.state.orders import OPEN_STATES, OrdersBoard  # noqa: E402
from mobile.store import outbox, records, reference  # noqa: E402
from mobile.store.records import MAX_ZONE_OFFSET  # noqa: E402
from shared.model import (  # noqa: E402
    CheckpointResult,
    CheckpointVisit,
    DefectCategory,
    DefectReport,
    PresenceProof,
    Proof,
    RecordType,
    Severity,
)
from shared.wire import encode_record  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
RECORDS, LOCAL_SHARE, PENDING, ORDERS = 50_000, 0.4, 100, 5_000
DAYS = 120
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
RUNS, SAVES = 9, 30
USER = {"id": "u-super", "name": "Li Na", "role": "supervisor", "property_id": "p1"}
STATES = ["reported", "dispatched", "in_progress", "done", "rework", "closed", "closed", "closed", "closed", "closed"]


def sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def fill(ctx: AppContext) -> None:
    rng = random.Random(11)
    store = ctx.store
    store.set_login(server_url="http://server.invalid", token="t", user=USER)
    checkpoints = [
        {"id": f"cp{r}-{n}", "route_id": f"r{r}", "position": n, "scan_code": f"CP{r}{n}"}
        for r in range(20)
        for n in range(10)
    ]
    pulled: list[tuple[str, str, dict]] = [("property", "p1", {"name": "Tower", "tz": "Asia/Shanghai"})]
    pulled += [("route", f"r{r}", {"name": f"Route {r}", "weekdays": None}) for r in range(20)]
    pulled += [("checkpoint", c["id"], {k: v for k, v in c.items() if k != "id"}) for c in checkpoints]
    pulled += [
        (
            "permit",
            f"pm{n}",
            {"unit_id": f"u{n}", "contractor": "Wu", "starts_on": "2026-11-01", "ends_on": "2026-12-31"},
        )
        for n in range(30)
    ]
    pulled += [("place", f"u{n}", {"name": f"Unit {n}", "kind": "unit"}) for n in range(400)]
    for n in range(ORDERS):
        reported = NOW - timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        state = rng.choice(STATES)
        history = [
            {"at": (reported + timedelta(hours=h)).isoformat(), "action": a, "by": "u-maint", "note": "on the way " * 3}
            for h, a in enumerate(["report", "dispatch", "start", "complete", "visit", "close"][: rng.randrange(1, 7)])
        ]
        pulled.append(
            (
                "work_order",
                f"wo-{n}",
                {
                    "number": n + 1,
                    "kind": rng.choice(["repair", "repair", "complaint", "rectification"]),
                    "category": "water_leakage",
                    "severity": rng.choice(["low", "medium", "high", "urgent"]),
                    "state": state,
                    "place_id": f"u{rng.randrange(400)}",
                    "assignee_id": "u-maint",
                    "responsible_id": rng.choice(["u-spec", "u-super"]),
                    "reporter_ids": ["u-spec"],
                    "due_at": (reported + timedelta(hours=24)).isoformat(),
                    "history": history,
                    "deadlines": [{"name": "handling", "due_at": (reported + timedelta(hours=24)).isoformat()}],
                    "photos": [sha(rng) for _ in range(rng.randrange(3))],
                    "description": "Water drips from the ceiling of the bathroom, the owner says since Sunday.",
                },
            )
        )
    pulled += [
        (
            "return_visit_due",
            f"rv{n}",
            {"work_order_id": f"wo-{n}", "due_at": (NOW + timedelta(hours=n - 20)).isoformat()},
        )
        for n in range(40)
    ]
    pulled += [("finding", f"f{n}", {"kind": "patrol.missed", "day": "2026-11-22"}) for n in range(30)]
    with store.transaction() as db:
        for seq, (kind, item_id, data) in enumerate(pulled):
            reference.apply_change(db, kind=kind, id=item_id, data=data, deleted=False, seq=seq)
        local = int(RECORDS * LOCAL_SHARE)
        for n in range(RECORDS):
            at = (NOW - timedelta(seconds=rng.randrange(DAYS * 86400))).astimezone(TZ)
            photos = [sha(rng) for _ in range(rng.choice([0, 0, 1, 2]))]
            if n % 5 == 0:
                body = DefectReport(f"u{n % 400}", DefectCategory.WATER_LEAKAGE, Severity.HIGH, "Leak", photos=photos)
                rtype = RecordType.DEFECT_REPORT
            else:
                cp = checkpoints[n % len(checkpoints)]
                proof = Proof(PresenceProof.SCANNED, code=cp["scan_code"])
                body = CheckpointVisit(f"round-{n // 10}", cp["id"], CheckpointResult.OK, proof, photos=photos)
                rtype = RecordType.CHECKPOINT_VISIT
            payload = encode_record(
                id=f"rec-{n:06d}", type=rtype, device_seq=n + 1, recorded_at=at, body=body, author_id=USER["id"]
            )
            if n < local:
                records.insert_local(db, payload=payload)
                if n >= local - PENDING:
                    outbox.enqueue(db, record_id=payload["id"], device_seq=n + 1, payload=payload)
                else:
                    records.mark_synced(db, record_id=payload["id"], server_time=NOW.isoformat())
            else:
                records.apply_pulled(db, id=payload["id"], data={"record": payload}, deleted=False)
        db.execute("INSERT INTO sync_state (key, value) VALUES ('next_device_seq', ?)", [str(RECORDS + 1)])
    store.db.execute("ANALYZE")  # SQLite gathers statistics on a phone too; the plans must stay right with them
    store.db.conn.commit()


def today_data(ctx: AppContext, board: OrdersBoard) -> float:
    ctx.store.record_success(server_time=NOW.isoformat())  # as after a sync: nothing read before is reused
    started = timer.perf_counter()
    today = ctx.today(board)
    elapsed = timer.perf_counter() - started
    assert today.routes and today.overdue_orders and today.visits and today.permits, "Today came out empty"
    return elapsed


def floor(ctx: AppContext) -> float:
    """The rows Today needs, by bare indexed queries, decoded, with no logic."""
    db = ctx.store.db
    # The property day's records by the recorded_at index, with room for the offset any phone wrote them in.
    day = datetime.combine(NOW.astimezone(TZ).date(), time(0), TZ).astimezone(UTC)
    start = (day - MAX_ZONE_OFFSET).strftime("%Y-%m-%dT%H:%M:%S")
    end = (day + timedelta(days=1) + MAX_ZONE_OFFSET).strftime("%Y-%m-%dT%H:%M:%S") + "~"
    open_states = sorted([s.value for s in OPEN_STATES] + ["done"])
    marks = ",".join("?" * len(open_states))
    started = timer.perf_counter()
    rows = db.execute(
        "SELECT id, type, recorded_at, body FROM records WHERE recorded_at >= ? AND recorded_at < ?", [start, end]
    )
    found = [json.loads(body) for _, _, _, body in rows.fetchall()]
    orders = db.execute(
        f"SELECT data FROM reference WHERE kind = 'work_order' AND json_extract(data, '$.state') IN ({marks})",
        open_states,
    ).fetchall()
    decoded = [json.loads(d) for (d,) in orders]
    small = [
        json.loads(d)
        for kind in ("property", "route", "checkpoint", "permit", "return_visit_due", "finding")
        for (d,) in db.execute("SELECT data FROM reference WHERE kind = ?", [kind]).fetchall()
    ]
    elapsed = timer.perf_counter() - started
    assert found and decoded and small
    return elapsed


def orders_list(ctx: AppContext, board: OrdersBoard) -> float:
    ctx.store.record_success(server_time=NOW.isoformat())
    started = timer.perf_counter()
    board.visible()
    board.counts_by_state()
    return timer.perf_counter() - started


def form_save(ctx: AppContext, rng: random.Random) -> float:
    body = DefectReport(f"u{rng.randrange(400)}", DefectCategory.WATER_LEAKAGE, Severity.HIGH, "Leak", photos=[])
    started = timer.perf_counter()
    ctx.save(RecordType.DEFECT_REPORT, body)
    return timer.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ctx = AppContext(data_dir=Path(tmp), clock=lambda: NOW.astimezone(TZ))
        started = timer.perf_counter()
        fill(ctx)
        print(f"filled {RECORDS} records, {ORDERS} orders in {timer.perf_counter() - started:.1f} s")
        board = OrdersBoard(ref=ctx.ref, save=ctx.save, now=ctx.now, user=ctx.user)
        rng = random.Random(3)
        todays, floors, lists = [], [], []
        for _ in range(RUNS):
            floors.append(floor(ctx))
            todays.append(today_data(ctx, board))
            lists.append(orders_list(ctx, board))
        saves = [form_save(ctx, rng) for _ in range(SAVES)]
        ctx.close()
    today_s, floor_s = statistics.median(todays), statistics.median(floors)
    save_ms = statistics.median(saves) * 1000
    print(f"today data: median {today_s * 1000:.1f} ms; floor (bare indexed queries): {floor_s * 1000:.1f} ms")
    print(f"orders list: median {statistics.median(lists) * 1000:.1f} ms")
    print(f"form save: median {save_ms:.1f} ms, max {max(saves) * 1000:.1f} ms")
    print(f"today/floor ratio: {today_s / floor_s:.2f} (target <= 2); form save {save_ms:.1f} ms (target <= 10)")


if __name__ == "__main__":
    main()
