"""Driving a live server like phones do, one request at a time: log in, push batches, pull until nothing is left.

``Field`` runs the property's loop of ``tests.bench.field`` against the server: each specialist pulls, then pushes
what it owes and a batch of new field records; then supervisors and maintenance pull and push what they owe.
Every push is timed on the client and its server CPU read from /proc around it.
"""

from __future__ import annotations

import inspect
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from mobile.sync import SyncClient
from shared.wire import PROTOCOL_VERSION
from sync_server.demo import PASSWORD
from tests.bench.field import FieldPhone
from tests.conftest import LiveServer

PULL_LIMIT: int = inspect.signature(SyncClient).parameters["pull_limit"].default  # what the phone asks for
BATCH = 500


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads, and of its live worker processes (``serve --workers``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return own + sum(cpu_seconds(int(child)) for child in children if Path(f"/proc/{child}").exists())


class Http:
    """A phone's HTTP side over one ``httpx.Client``: log in, push a batch, pull until nothing is left."""

    def __init__(self, url: str, *, timeout: float = 600) -> None:
        self.client = httpx.Client(base_url=url, timeout=timeout)
        self.tokens: dict[str, dict[str, str]] = {}
        self.refused: list[dict[str, Any]] = []  # results that were not accepted, with the record's type
        self.busy: Counter[str] = Counter()  # 503 and 429 answers waited out and tried again, by endpoint

    def close(self) -> None:
        self.client.close()

    def login(self, phone: FieldPhone) -> None:
        body = {"username": phone.person.username, "password": PASSWORD, "device_id": phone.device_id}
        response = self.client.post("/api/v1/auth/login", json={**body, "device_name": "bench phone"})
        response.raise_for_status()
        self.tokens[phone.device_id] = {"Authorization": f"Bearer {response.json()['token']}"}

    def push(self, phone: FieldPhone, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = {"device_id": phone.device_id, "protocol": PROTOCOL_VERSION, "records": records}
        response = self.send("POST", "/api/v1/sync/push", json=body, headers=self.tokens[phone.device_id])
        results: list[dict[str, Any]] = response.json()["results"]
        types = {r["id"]: r["type"] for r in records}
        self.refused += [{**r, "type": types.get(r["id"])} for r in results if r["status"] != "accepted"]
        return results

    def send(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """A request; 503 and 429 are waited out (Retry-After, else 1 s) and tried again, as the phone does."""
        for _ in range(30):
            response = self.client.request(method, url, **kw)
            if response.status_code not in (429, 503):
                response.raise_for_status()
                return response
            self.busy[f"{method} {url} {response.status_code}"] += 1
            time.sleep(float(response.headers.get("Retry-After") or 1))
        response.raise_for_status()
        return response

    def pull(self, phone: FieldPhone, *, limit: int | None = None) -> tuple[int, int]:
        """Pull until ``has_more`` is false; return (round trips, bytes of the response bodies)."""
        trips = size = 0
        while True:
            params: dict[str, Any] = {"since": phone.cursor, "limit": limit or PULL_LIMIT}
            response = self.send("GET", "/api/v1/sync/pull", params=params, headers=self.tokens[phone.device_id])
            trips += 1
            size += len(response.content)
            page = response.json()
            phone.took(page)
            if not page["has_more"]:
                return trips, size


def busy(http: Http) -> str:
    """The busy answers a benchmark waited out, or 'none'."""
    return ", ".join(f"{k} ×{n}" for k, n in http.busy.items()) or "none"


def refusals(refused: list[dict[str, Any]]) -> str:
    """``type: code ×n`` of the records the server did not accept, or 'none'."""
    counts = Counter(f"{r['type']}: {r['status']} {r.get('code')}" for r in refused)
    return ", ".join(f"{k} ×{n}" for k, n in counts.most_common()) or "none"


class Field:
    """The property's phones against one live server; every push is timed and its server CPU measured."""

    def __init__(self, live: LiveServer, phones: list[FieldPhone]) -> None:
        assert live.process is not None
        self.pid = live.process.pid
        self.http = Http(live.url)
        self.phones = phones
        self.batches: list[list[dict[str, object]]] = []
        self.pushes: list[tuple[str, int, float, float, int]] = []  # (role, records, seconds, cpu, stored before)
        self.stored = 0
        self.pull_seconds = 0.0  # the phones' pulls between pushes: not part of the push figures
        for phone in phones:
            self.http.login(phone)

    def push(self, phone: FieldPhone, records: list[dict[str, object]]) -> None:
        for start in range(0, len(records), BATCH):
            batch = records[start : start + BATCH]
            cpu, started = cpu_seconds(self.pid), time.perf_counter()
            self.http.push(phone, batch)
            elapsed, used = time.perf_counter() - started, cpu_seconds(self.pid) - cpu
            self.pushes.append((phone.person.role, len(batch), elapsed, used, self.stored))
            self.batches.append(batch)
            self.stored += len(batch)

    def pull(self, phone: FieldPhone) -> None:
        started = time.perf_counter()
        self.http.pull(phone)
        self.pull_seconds += time.perf_counter() - started

    def run(self, total: int, *, progress: bool = False) -> None:
        """Run the loop until ``total`` records are stored; with ``progress``, say so on stderr every 10,000."""
        started, shown = time.perf_counter(), 0
        specialists = [p for p in self.phones if p.person.role == "specialist"]
        desk = [p for p in self.phones if p.person.role != "specialist"]
        while self.stored < total:
            for phone in specialists:
                self.pull(phone)
                owed = phone.owed()
                self.push(phone, owed + phone.field_records(max(0, min(BATCH, total - self.stored) - len(owed))))
            for phone in desk:  # supervisors dispatch, then maintenance completes what was dispatched
                self.pull(phone)
                self.push(phone, phone.owed())
            if progress and self.stored // 10_000 > shown:
                shown = self.stored // 10_000
                print(f"  {self.stored:,} records stored, {time.perf_counter() - started:.0f} s", file=sys.stderr)
