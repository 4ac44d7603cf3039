"""Against a real uvicorn process: records survive a crash (SIGKILL) and a resend after it is a duplicate."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import bearer, login
from tests.sync_server.helpers import defect, push_body

pytestmark = pytest.mark.e2e


def test_records_survive_a_crash_and_resending_is_harmless(live_server):
    server = live_server()
    token = login(server.url, "demo-specialist")
    records = [defect(n) for n in range(1, 51)]
    body = push_body("demo-specialist-phone", records)
    response = httpx.post(f"{server.url}/api/v1/sync/push", json=body, headers=bearer(token), timeout=30)
    assert response.status_code == 200, response.text
    first = response.json()
    assert {r["status"] for r in first["results"]} == {"accepted"}
    server.kill()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.url}/api/v1/health", timeout=2)
    server.start()
    again = httpx.post(f"{server.url}/api/v1/sync/push", json=body, headers=bearer(token), timeout=30).json()
    assert {r["status"] for r in again["results"]} == {"duplicate"}
    pulled = httpx.get(f"{server.url}/api/v1/sync/pull?limit=1000", headers=bearer(token), timeout=30).json()
    assert {c["id"] for c in pulled["changes"] if c["kind"] == "record"} == {r["id"] for r in records}


def test_bad_input_never_gets_a_500_from_the_real_server(live_server):
    server = live_server()
    token = login(server.url, "demo-specialist")
    with httpx.Client(base_url=server.url, headers=bearer(token), timeout=30) as http:
        garbage = [b"", b"{", b"\x00\xff", b"[" * 50_000, b'{"device_id": "demo-specialist-phone", "records": [1]}']
        for path in ("/api/v1/sync/push", "/api/v1/auth/login"):
            for raw in garbage:
                response = http.post(path, content=raw, headers={"Content-Type": "application/json"})
                assert response.status_code < 500, (path, raw[:20], response.text)
                body = response.json()
                assert "code" in body or body["results"][0]["code"] == "record.not_an_object"
        oversized = http.post("/api/v1/sync/push", content=b" " * (5 * 1024 * 1024))
        assert oversized.status_code == 413
    server.restart()
    assert httpx.get(f"{server.url}/api/v1/health").json()["status"] == "ok"


def test_two_pushes_of_the_same_records_at_once_store_each_once(live_server):
    server = live_server()
    token = login(server.url, "demo-specialist")
    body = push_body("demo-specialist-phone", [defect(n) for n in range(1, 201)])

    def send(_: int) -> list[str]:
        response = httpx.post(f"{server.url}/api/v1/sync/push", json=body, headers=bearer(token), timeout=60)
        assert response.status_code == 200, response.text
        return [r["status"] for r in response.json()["results"]]

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(send, range(3)))
    per_record = [sorted(statuses) for statuses in zip(*outcomes, strict=True)]
    assert all(s == ["accepted", "duplicate", "duplicate"] for s in per_record)
