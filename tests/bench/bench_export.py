"""Benchmark: the XLSX export of 100,000 records against a bare SQL read of the same rows written with csv.

100,000 defect reports of one month are stored straight into the records table of a demo data dir. Then, in
the same run:

1. the floor: the same rows read with one plain SQL query (the export's own columns) and written with the
   csv module, no names, no translation, no dates;
2. ``sync_server.exports.write(..., "records", "xlsx", ...)``: names for ids, enums in the reader's words,
   real date cells, xlsxwriter in constant_memory mode;
3. peak Python memory of the export (tracemalloc) at 10,000 and at 100,000 rows: flat means the same.

The last line prints the time ratio (export / floor) and the peak memory at both sizes.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
import tracemalloc
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# tests.conftest imports Starlette's TestClient, which prefers httpx2; the product uses httpx.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from shared.i18n import Translator  # noqa: E402
from sync_server import exports  # noqa: E402
from sync_server.db import exports as export_rows  # noqa: E402
from sync_server.db import open_db, transaction  # noqa: E402
from sync_server.settings import CHEAP_ARGON2, Settings  # noqa: E402
from tests.conftest import prepare_data_dir  # noqa: E402

RECORDS = 100_000
SMALL = 10_000
TZ = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 31)
PLACES = [f"demo-b{b}-u{f}0{u}" for b in (1, 2) for f in (1, 2, 3) for u in (1, 2)]
CATEGORIES = ["water_leakage", "electrical", "civil", "elevator", "cleaning"]


def seed(db, count: int, property_id: str = "demo") -> None:
    start = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)  # 1 October 00:00 in Shanghai
    step = (31 * 24 * 3600) / count

    def rows():
        for n in range(count):
            at = (start + timedelta(seconds=n * step)).isoformat()
            body = {
                "place_id": PLACES[n % len(PLACES)],
                "category": CATEGORIES[n % len(CATEGORIES)],
                "severity": "medium",
                "description": f"defect number {n}: water stains on the ceiling near the window",
                "photos": [],
            }
            raw = {"id": f"bench-{n:07d}", "type": "defect_report", "body": body}
            yield (
                f"bench-{n:07d}",
                "defect_report",
                property_id,
                "user-demo-specialist",
                "bench-phone",
                n,
                at,
                at,
                at,
                None,
                None,
                json.dumps(raw),
                f"{n:064x}",
            )

    with transaction(db):
        db.executemany(
            "INSERT INTO records (id, type, property_id, author_id, device_id, device_seq, recorded_at, received_at,"
            " effective_at, clock_flag, supersedes, raw, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows(),
        )


def floor(db, out: Path) -> int:
    start, end = exports.period_bounds(FIRST, LAST, Translator("en", TZ))
    count = 0
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        for row in export_rows.bare_records(db, property_id="demo", start=start, end=end):
            writer.writerow(row)
            count += 1
    return count


def export(db, out: Path, lang: str = "zh-Hans") -> int:
    return exports.write(
        db, "records", "xlsx", out, property_id="demo", first=FIRST, last=LAST, tr=Translator(lang, TZ)
    )


def timed(work, *args) -> tuple[float, int]:
    began = time.perf_counter()
    count = work(*args)
    return time.perf_counter() - began, count


def peak_mb(work, *args) -> float:
    tracemalloc.start()
    try:
        work(*args)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        small_settings = Settings(data_dir=base / "small", argon2=CHEAP_ARGON2, findings_tick_seconds=0)
        settings = Settings(data_dir=base / "big", argon2=CHEAP_ARGON2, findings_tick_seconds=0)
        for s, count in ((small_settings, SMALL), (settings, RECORDS)):
            prepare_data_dir(s, other_property=False)
            db = open_db(s.db_path)
            seed(db, count)
            db.close()
        db = open_db(settings.db_path)
        timed(floor, db, base / "warm.csv")  # warm up: pages cached for both
        floor_s, floor_rows = timed(floor, db, base / "floor.csv")
        export_s, export_rows_ = timed(export, db, base / "export.xlsx")
        assert floor_rows == export_rows_ == RECORDS, (floor_rows, export_rows_)
        big_peak = peak_mb(export, db, base / "peak.xlsx")
        db.close()
        small_db = open_db(small_settings.db_path)
        small_peak = peak_mb(export, small_db, base / "small.xlsx")
        small_db.close()
        size = (base / "export.xlsx").stat().st_size / 1e6
        print(f"floor: bare SQL + csv of {floor_rows} rows: {floor_s:.2f} s")
        print(f"export: XLSX (constant_memory) of {export_rows_} rows: {export_s:.2f} s, {size:.1f} MB file")
        print(f"peak Python memory of the export: {small_peak:.1f} MB at {SMALL} rows, {big_peak:.1f} MB at {RECORDS}")
        print(
            f"ratio export/floor = {export_s / floor_s:.2f} at {RECORDS} records; "
            f"peak memory {small_peak:.1f} MB at {SMALL} vs {big_peak:.1f} MB at {RECORDS}"
        )


if __name__ == "__main__":
    main()
