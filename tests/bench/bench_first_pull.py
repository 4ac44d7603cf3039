"""Benchmark: a supervisor's first pull on a server that holds 100,000 records of the field's loop.

The server is filled through its own push endpoint by ``tests.bench.driver.Field`` (four specialists, a
supervisor, two maintenance; orders dispatched, completed, visited, closed). Building 100,000 records takes
minutes, so the built data directory is kept under BENCH_CACHE (default /tmp/patrol-bench-cache) keyed by the
code of the server, the domain core and these benchmarks: a change to any of them builds afresh.
BENCH_FIRST_PULL_RECORDS changes the size (default 100,000).

Then a new phone of the supervisor pulls everything, asking for pages as the phone's client does: round trips,
bytes of the answers and time, against the floor: a bare JSON dump of the same rows (the entities the phone
holds after the pull: kind, id and data of each). The last line prints the round trips (target ≤ 10) and the
bytes over the dump (target ≤ 2).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from sync_server.demo import PASSWORD  # noqa: E402
from tests.bench.driver import PULL_LIMIT, Field, busy  # noqa: E402
from tests.bench.field import FieldPhone, field_property  # noqa: E402
from tests.conftest import LiveServer, free_port  # noqa: E402

RECORDS = int(os.environ.get("BENCH_FIRST_PULL_RECORDS", "100000"))
CACHE = Path(os.environ.get("BENCH_CACHE", "/tmp/patrol-bench-cache"))
CODE = ["sync_server", "shared", "tests/bench/field.py", "tests/bench/driver.py", "tests/conftest.py"]


def code_key() -> str:
    digest = hashlib.sha256(str(RECORDS).encode())
    for part in CODE:
        path = ROOT / part
        for file in sorted(path.rglob("*") if path.is_dir() else [path]):
            if file.is_file() and file.suffix in (".py", ".json", ".sql"):
                digest.update(str(file.relative_to(ROOT)).encode() + file.read_bytes())
    return digest.hexdigest()[:16]


def build(data_dir: Path) -> float:
    people = field_property(data_dir, specialists=4, supervisors=1, maintenance=2)
    live = LiveServer(data_dir, free_port())
    live.start()
    started = time.perf_counter()
    try:
        field = Field(live, [FieldPhone(p, people) for p in people])
        field.run(RECORDS, progress=True)
        field.http.close()
        print(f"busy answers while building: {busy(field.http)}", file=sys.stderr)
    finally:
        live.stop()
    return time.perf_counter() - started


def data_dir(tmp: Path) -> str:
    """A copy of the built server for this code, building it first if the cache has none; says which."""
    key = code_key()
    cached = CACHE / key
    if not (cached / "built").exists():
        if CACHE.exists():
            shutil.rmtree(CACHE)  # builds of other code are of no use any more
        seconds = build(tmp / "build")
        shutil.copytree(tmp / "build", cached)
        (cached / "built").write_text(f"{seconds:.0f}")
        shutil.rmtree(tmp / "build")
        how = f"built now through the push endpoint in {seconds:.0f} s"
    else:
        how = f"reused from {cached} (built in {(cached / 'built').read_text()} s)"
    shutil.copytree(cached, tmp / "server")
    return how


def first_pull(url: str, limit: int) -> dict[str, Any]:
    """A new phone of the supervisor pulls everything; (round trips, bytes, seconds, entities held after)."""
    with httpx.Client(base_url=url, timeout=600) as http:
        body = {"username": "demo-supervisor", "password": PASSWORD, "device_id": f"first-pull-{limit}"}
        response = http.post("/api/v1/auth/login", json={**body, "device_name": "new tablet"})
        response.raise_for_status()
        headers = {"Authorization": f"Bearer {response.json()['token']}"}
        held: dict[tuple[str, str], Any] = {}
        cursor, trips, size = "", 0, 0
        started = time.perf_counter()
        while True:
            response = http.get("/api/v1/sync/pull", params={"since": cursor, "limit": limit}, headers=headers)
            response.raise_for_status()
            trips += 1
            size += len(response.content)
            page = response.json()
            for change in page["changes"]:
                if change["deleted"]:
                    held.pop((change["kind"], change["id"]), None)
                else:
                    held[(change["kind"], change["id"])] = change["data"]
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        return {"trips": trips, "bytes": size, "seconds": time.perf_counter() - started, "held": held}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        how = data_dir(Path(tmp))
        live = LiveServer(Path(tmp) / "server", free_port())
        live.start()
        try:
            phone = first_pull(live.url, PULL_LIMIT)
            largest = first_pull(live.url, 1_000_000)  # as large as the server lets a page be
        finally:
            live.stop()
    held = phone["held"]
    rows = [{"kind": k, "id": i, "data": d} for (k, i), d in held.items()]
    dump = len(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode())  # compact, as the server writes
    kinds: dict[str, int] = {}
    for kind, _ in held:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"server with {RECORDS:,} records: {how}")
    print("held after the pull: " + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])))
    print(f"bare JSON dump of the same rows: {dump / 1e6:.1f} MB")
    for name, pull in ((f"phone's page size ({PULL_LIMIT})", phone), ("largest page the server allows", largest)):
        print(f"first pull, {name}: {pull['trips']} round trips, {pull['bytes'] / 1e6:.1f} MB, {pull['seconds']:.1f} s")
    print(
        f"supervisor's first pull: {phone['trips']} round trips (target ≤ 10), "
        f"bytes / bare JSON dump: {phone['bytes'] / dump:.2f} (target ≤ 2)"
    )


if __name__ == "__main__":
    main()
