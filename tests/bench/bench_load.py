"""Benchmark: 200 phones syncing at once against one real server, then SIGTERM under that load.

Ten properties of twenty people each (15 specialists, 2 supervisors, 3 maintenance) run the field's loop of
``tests.bench.field`` through a real ``python -m sync_server serve`` process with the server's real settings
(real Argon2 parameters: every login is paid for in full, before the timed window). Each phone runs a phone's
sync loop: push its outbox (a specialist adds 1-8 new field records each time; every role adds the actions and
visits it owes the orders it pulled), pull until nothing is left, wait a think time (BENCH_LOAD_THINK seconds,
default 5, ±50%), again. A request that fails (5xx, timeout at the phone's 20 s, connection error) is an error;
its records stay in the outbox and go again with the next sync, as on a phone.

After BENCH_LOAD_SECONDS (default 120) the server gets SIGTERM while the phones keep going: the seconds until it
exits are printed, then whether every record the server acknowledged is stored exactly once, and, after a
restart and one more sync of every phone, whether every record made is stored. BENCH_LOAD_WORKERS (default 1)
runs the server as that many worker processes (``serve --workers``); BENCH_LOAD_DATABASE=postgres on a real
PostgreSQL started for the run.
The last line prints the errors and the push p95 (targets 0 and ≤ 1 s), and the SIGTERM figures (≤ 10 s, 0 lost).
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from shared.wire import PROTOCOL_VERSION  # noqa: E402
from sync_server import auth  # noqa: E402
from sync_server.db import dispose, open_db  # noqa: E402
from sync_server.demo import PASSWORD  # noqa: E402
from sync_server.settings import Settings  # noqa: E402
from tests import pg  # noqa: E402
from tests.bench.driver import PULL_LIMIT, cpu_seconds  # noqa: E402
from tests.bench.field import FieldPhone, add_property  # noqa: E402
from tests.conftest import LiveServer, free_port, prepare_data_dir  # noqa: E402

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "120"))
THINK = float(os.environ.get("BENCH_LOAD_THINK", "5"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "1"))
DATABASE = os.environ.get("BENCH_LOAD_DATABASE", "sqlite")  # or "postgres": a throwaway cluster (tests/pg.py)
PROPERTIES = 10
PEOPLE = {"specialists": 15, "supervisors": 2, "maintenance": 3}
TIMEOUT = httpx.Timeout(20.0, connect=5.0)  # the phone's (mobile.context)
LOGINS_AT_ONCE = 4
EXIT_WAIT = 90.0
BATCH = 500


class Load:
    """Every phone's state and every request's outcome, by phase ('setup', 'window', 'sigterm', 'retry')."""

    def __init__(self, client: httpx.AsyncClient, phones: list[FieldPhone]) -> None:
        self.client = client
        self.phones = phones
        self.phase = "setup"
        self.tokens: dict[str, dict[str, str]] = {}
        self.outbox: dict[str, list[dict[str, Any]]] = {p.device_id: [] for p in phones}
        self.made: set[str] = set()
        self.acknowledged: Counter[str] = Counter()  # record id -> times acknowledged (accepted or duplicate)
        self.accepted_in_window = 0
        self.refused: Counter[str] = Counter()
        self.refused_ids: set[str] = set()  # rejected or in conflict: the phone shows them, they are never stored
        self.latency: dict[tuple[str, str], list[float]] = {}
        self.errors: Counter[tuple[str, str, str]] = Counter()  # (phase, request, what)
        self.stop = asyncio.Event()

    async def request(self, kind: str, method: str, url: str, **kw: Any) -> httpx.Response | None:
        phase, started = self.phase, time.perf_counter()
        try:
            response = await self.client.request(method, url, **kw)
        except httpx.TimeoutException:
            self.errors[(phase, kind, "timeout")] += 1
            return None
        except httpx.TransportError as e:
            self.errors[(phase, kind, type(e).__name__)] += 1
            return None
        self.latency.setdefault((phase, kind), []).append(time.perf_counter() - started)
        if response.status_code >= 500:
            self.errors[(phase, kind, str(response.status_code))] += 1
        elif response.status_code != 200:
            self.errors[(phase, kind, str(response.status_code))] += 1  # a 429 is a refusal the phone must wait out
        return response if response.status_code == 200 else None

    async def login(self, phone: FieldPhone, gate: asyncio.Semaphore) -> None:
        body = {"username": phone.person.username, "password": PASSWORD, "device_id": phone.device_id}
        async with gate:
            response = await self.request("login", "POST", "/api/v1/auth/login", json={**body, "device_name": "b"})
        assert response is not None, f"login of {phone.person.username} failed"
        self.tokens[phone.device_id] = {"Authorization": f"Bearer {response.json()['token']}"}

    async def push(self, phone: FieldPhone) -> None:
        box = self.outbox[phone.device_id]
        for start in range(0, len(box), BATCH):
            batch = box[start : start + BATCH]
            body = {"device_id": phone.device_id, "protocol": PROTOCOL_VERSION, "records": batch}
            headers = self.tokens[phone.device_id]
            response = await self.request("push", "POST", "/api/v1/sync/push", json=body, headers=headers)
            if response is None:
                return  # the rest waits for the next sync, as on the phone
            done = set()
            types = {r["id"]: r["type"] for r in batch}
            for result in response.json()["results"]:
                done.add(result["id"])
                if result["status"] in ("accepted", "duplicate"):
                    self.acknowledged[result["id"]] += 1
                    self.accepted_in_window += self.phase == "window" and result["status"] == "accepted"
                else:
                    self.refused[f"{types.get(result['id'])} {result['status']} {result.get('code')}"] += 1
                    self.refused_ids.add(result["id"])
            self.outbox[phone.device_id] = [r for r in self.outbox[phone.device_id] if r["id"] not in done]

    async def pull(self, phone: FieldPhone) -> bool:
        while True:
            params = {"since": phone.cursor, "limit": PULL_LIMIT}
            headers = self.tokens[phone.device_id]
            response = await self.request("pull", "GET", "/api/v1/sync/pull", params=params, headers=headers)
            if response is None:
                return False
            page = response.json()
            phone.took(page)
            if not page["has_more"]:
                return True

    def record(self, phone: FieldPhone, records: list[dict[str, Any]]) -> None:
        self.outbox[phone.device_id] += records
        self.made.update(r["id"] for r in records)

    async def sync_loop(self, phone: FieldPhone) -> None:
        rng = random.Random(phone.device_id)
        await asyncio.sleep(rng.uniform(0, THINK))  # phones do not start in step
        while not self.stop.is_set():
            if phone.person.role == "specialist":
                self.record(phone, phone.field_records(rng.randint(1, 8)))
            await self.push(phone)
            if await self.pull(phone):
                self.record(phone, phone.owed())  # the person acts on what came in; it goes with the next sync
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=THINK * rng.uniform(0.5, 1.5))
            except TimeoutError:
                pass


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def stored_ids(url: str) -> Counter[str]:
    db = open_db(url)
    try:
        return Counter(dict(db.execute("SELECT id, COUNT(*) FROM records GROUP BY id").fetchall()))
    finally:
        db.close()


def server_failures(log: Path) -> Counter[str]:
    """The server's unexpected errors, by the exception that ended each traceback in its log."""
    found: Counter[str] = Counter()
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for line, after in zip(lines, [*lines[1:], ""], strict=False):  # each line and the one after it
        if line and not line[0].isspace() and ("Error" in line or "Exception" in line) and not after.startswith(" "):
            if not line.startswith(("Traceback", "ERROR:", "During handling", "The above")):
                found[line[:160]] += 1
    return found


def build(data_dir: Path, url: str) -> list[FieldPhone]:
    """Ten properties at the server's real password cost; the one real hash is computed once and reused."""
    settings = Settings(data_dir=data_dir, database_url=url)
    real_hash = functools.cache(auth.hash_password)  # same cost to verify: the parameters are in the hash
    auth.hash_password = real_hash
    prepare_data_dir(settings, other_property=False)
    db = open_db(settings.db_url)
    phones = []
    for n in range(PROPERTIES):
        people = add_property(db, settings, f"p{n:02d}", **PEOPLE)
        phones += [FieldPhone(p, people) for p in people]
    db.close()
    return phones


async def run(live: LiveServer, phones: list[FieldPhone]) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=len(phones) + 10, max_keepalive_connections=len(phones) + 10)
    async with httpx.AsyncClient(base_url=live.url, timeout=TIMEOUT, limits=limits) as client:
        load = Load(client, phones)
        started = time.perf_counter()
        gate = asyncio.Semaphore(LOGINS_AT_ONCE)
        await asyncio.gather(*(load.login(p, gate) for p in phones))
        logged_in = time.perf_counter() - started
        await asyncio.gather(*(load.pull(p) for p in phones))  # the first pull after login, before the window
        load.phase = "window"
        assert live.process is not None
        server_cpu, client_cpu = cpu_seconds(live.process.pid), time.process_time()
        made_before = len(load.made)
        started = time.perf_counter()
        loops = [asyncio.create_task(load.sync_loop(p)) for p in phones]
        await asyncio.sleep(SECONDS)
        window = time.perf_counter() - started
        process = live.process
        server_cpu, client_cpu = cpu_seconds(process.pid) - server_cpu, time.process_time() - client_cpu
        offered = len(load.made) - made_before
        load.phase = "sigterm"
        os.killpg(process.pid, signal.SIGTERM)
        signalled = time.perf_counter()
        while process.poll() is None and time.perf_counter() - signalled < EXIT_WAIT:
            await asyncio.sleep(0.05)
        exit_seconds = time.perf_counter() - signalled
        exited = process.poll() is not None
        if not exited:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        live.process = None
        load.stop.set()
        await asyncio.gather(*loops)
        stored = stored_ids(live.db_url)
        lost = [i for i in load.acknowledged if stored[i] == 0]
        twice = [i for i, n in stored.items() if n > 1]
        # the phones sync once more against the restarted server: whatever was in flight goes again
        live.start()
        load.phase = "retry"
        waiting = sum(len(box) for box in load.outbox.values())
        for _ in range(5):  # a phone's sync tries again after a failed request
            behind = [p for p in phones if load.outbox[p.device_id]]
            if not behind:
                break
            await asyncio.gather(*(load.push(p) for p in behind))
        live.stop()
        finally_stored = stored_ids(live.db_url)
        missing = [i for i in load.made - load.refused_ids if finally_stored[i] == 0]
        return {
            "load": load,
            "logged_in": logged_in,
            "window": window,
            "offered": offered,
            "server_cpu": server_cpu,
            "client_cpu": client_cpu,
            "exit_seconds": exit_seconds,
            "exited": exited,
            "lost": lost,
            "twice": twice,
            "waiting": waiting,
            "missing": missing,
        }


def main() -> None:
    cluster = pg.Cluster(free_port()) if DATABASE == "postgres" else None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if cluster is not None:
                cluster.start()
            url = cluster.new_database() if cluster is not None else ""
            data_dir = Path(tmp) / "server"
            phones = build(data_dir, url)
            dispose()  # the server's processes make their own connections
            live = LiveServer(data_dir, free_port(), args=("--workers", str(WORKERS)), database_url=url)
            live.start()
            try:
                out = asyncio.run(run(live, phones))
            finally:
                live.kill()
                failures = server_failures(live.log_path)
        finally:
            if cluster is not None:
                cluster.stop()
    load: Load = out["load"]
    lat = load.latency
    window_errors = {k: n for k, n in load.errors.items() if k[0] == "window"}
    server_errors = sum(n for (_, _, what), n in window_errors.items() if not what.startswith("4"))
    pushes, pulls = lat.get(("window", "push"), []), lat.get(("window", "pull"), [])
    logins = lat.get(("setup", "login"), [])
    print(
        f"phones: {len(phones)} in {PROPERTIES} properties, {WORKERS} worker(s) on {DATABASE}; "
        f"think {THINK:g} s ±50%; window {out['window']:.0f} s"
    )
    print(
        f"logins (real Argon2, {LOGINS_AT_ONCE} at a time, before the window): {len(logins)} in "
        f"{out['logged_in']:.1f} s, p50 {statistics.median(logins):.2f} s"
    )
    accepted = load.accepted_in_window
    print(
        f"CPU in the window: server {out['server_cpu']:.0f} s ({out['server_cpu'] / out['window']:.0%} of one core), "
        f"these phones {out['client_cpu']:.0f} s; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"records made in the window: {out['offered']} ({out['offered'] / out['window']:.1f}/s); "
        f"accepted: {accepted} ({accepted / out['window']:.1f} records/s)"
    )
    for name, values in (("push", pushes), ("pull", pulls)):
        print(
            f"{name}: {len(values)} answered, p50 {percentile(values, 0.5):.3f} s, "
            f"p95 {percentile(values, 0.95):.3f} s, p99 {percentile(values, 0.99):.3f} s, "
            f"max {percentile(values, 1.0):.3f} s"
        )
    print("errors in the window: " + (", ".join(f"{k[1]} {k[2]} ×{n}" for k, n in window_errors.items()) or "none"))
    print("records not accepted: " + (", ".join(f"{k} ×{n}" for k, n in load.refused.items()) or "none"))
    sigterm_errors = {k: n for k, n in load.errors.items() if k[0] == "sigterm"}
    print("requests after SIGTERM: " + (", ".join(f"{k[1]} {k[2]} ×{n}" for k, n in sigterm_errors.items()) or "none"))
    retry_errors = {k: n for k, n in load.errors.items() if k[0] == "retry"}
    print("after the restart: " + (", ".join(f"{k[1]} {k[2]} ×{n}" for k, n in retry_errors.items()) or "no errors"))
    exit_text = f"{out['exit_seconds']:.1f} s" if out["exited"] else f"> {EXIT_WAIT:.0f} s (killed)"
    print(f"SIGTERM under load: exited after {exit_text}")
    print(
        f"acknowledged records: {len(load.acknowledged)}; not stored: {len(out['lost'])}; "
        f"stored twice: {len(out['twice'])}"
    )
    print(
        f"after a restart, {out['waiting']} records still in the phones' outboxes were pushed again; "
        f"records made (and not refused) but not stored: {len(out['missing'])} of {len(load.made - load.refused_ids)}"
    )
    for what, n in failures.most_common(5):
        print(f"server error ×{n}: {what}")
    print(
        f"errors: {server_errors} (target 0); push p95: {percentile(pushes, 0.95):.2f} s (target ≤ 1 s); "
        f"SIGTERM to exit: {exit_text} (target ≤ 10 s); acknowledged but lost: {len(out['lost'])} (target 0)"
    )


if __name__ == "__main__":
    main()
