"""Benchmark: one leak reported 1,000 times (same place, same category, by 50 specialists), pushed one by one.

Every report joins the one open order (a tower's burst pipe reported by every phone in it). Each report is its own
push to a real server, as a phone syncs right after saving; the push time is taken on the client. The thousandth
report must cost what the first did. BENCH_HOT_REPORTS changes the count (default 1,000).
The last line prints the median of the last 20 push times over the median of the first 20 (target ≤ 1.5).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from tests.bench.driver import Http, busy, refusals  # noqa: E402
from tests.bench.field import FieldPhone, field_property, leak_report  # noqa: E402
from tests.conftest import LiveServer, free_port  # noqa: E402

REPORTS = int(os.environ.get("BENCH_HOT_REPORTS", "1000"))
SPECIALISTS = 50
EDGE = 20
PLACE = "demo-b1-u101"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "server"
        people = field_property(data_dir, specialists=SPECIALISTS)
        live = LiveServer(data_dir, free_port())
        live.start()
        try:
            http = Http(live.url)
            phones = [FieldPhone(p, people) for p in people]
            for phone in phones:
                http.login(phone)
            reporters = [p for p in phones if p.person.role == "specialist"]
            times = []
            for n in range(REPORTS):
                phone = reporters[n % len(reporters)]
                record = leak_report(phone, PLACE)
                started = time.perf_counter()
                http.push(phone, [record])
                times.append(time.perf_counter() - started)
            supervisor = next(p for p in phones if p.person.role == "supervisor")
            http.pull(supervisor)
            open_orders = [o for o in supervisor.orders.values() if o.get("state") == "reported"]
            http.close()
        finally:
            live.stop()
    first, last = statistics.median(times[:EDGE]), statistics.median(times[-EDGE:])
    size = max((len(json.dumps(o)) for o in open_orders), default=0)
    print(f"reports: {REPORTS} of one leak at {PLACE}, from {SPECIALISTS} specialists, one push each")
    print(f"open orders afterwards: {len(open_orders)} (one expected); its JSON as pulled: {size:,} bytes")
    print(f"not accepted: {refusals(http.refused)}; busy answers waited out: {busy(http)}")
    print(f"total {sum(times):.1f} s; push time median of the first {EDGE}: {first * 1000:.1f} ms,")
    print(f"  of the last {EDGE}: {last * 1000:.1f} ms; slowest {max(times) * 1000:.1f} ms")
    print(f"ratio last/first push time: {last / first:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
