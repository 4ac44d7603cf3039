"""Against a real uvicorn process: body limits, slow clients, idle crowds and the connection cap."""

from __future__ import annotations

import json
import resource
import socket
import time

import httpx
import pytest

from tests.conftest import bearer, login

pytestmark = pytest.mark.e2e
LOGIN = "/api/v1/auth/login"


def rss_mb(server) -> float:
    with open(f"/proc/{server.process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one HTTP response read from a raw socket (closed by the server or not)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_100_mb_body_to_login_is_refused_at_the_limit_without_raising_memory(live_server):
    server = live_server()
    before = rss_mb(server)
    # Declared: refused on the length, before a byte of the body is read.
    sock = connect(server)
    sock.sendall(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 104857600\r\n\r\n" + b" " * 65536
    )
    status, headers, body = read_response(sock)
    assert status == 413 and json.loads(body)["code"] == "request.too_large"
    assert headers["connection"] == "close" and closed_by_server(sock, 5)
    sock.close()

    # Not declared (chunked): read up to the limit, then refused and cut off.
    def hundred_megabytes():
        for _ in range(100):
            yield b" " * (1024 * 1024)

    try:
        response = httpx.post(f"{server.url}{LOGIN}", content=hundred_megabytes(), timeout=30)
    except httpx.TransportError:  # the server closed while we still wrote: it did not read the rest
        response = None
    if response is not None:
        assert response.status_code == 413 and response.json()["code"] == "request.too_large"
    assert rss_mb(server) - before < 30
    assert httpx.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200


def test_every_endpoint_has_a_body_limit(live_server):
    server = live_server()
    token = login(server.url, "demo-supervisor")
    with httpx.Client(base_url=server.url, headers=bearer(token), timeout=30) as http:
        big_login = {"username": "demo-supervisor", "password": "x" * 20_000, "device_id": "desk"}
        assert http.post(LOGIN, json=big_login).json()["code"] == "request.too_large"  # 16 KB for a login
        desk = http.post("/api/v1/orders/wo-x/actions", json={"action": "dispatch", "note": "x" * 70_000})
        assert desk.status_code == 413 and desk.json()["detail"]["max_bytes"] == 64 * 1024
        hashes = [f"{n:064x}" for n in range(1000)]  # the most a photo query may ask: over 64 KB, allowed
        assert http.post("/api/v1/photos/missing", json={"hashes": hashes}).status_code == 200
        # the routes with large bodies keep their own limits and codes
        push = http.post("/api/v1/sync/push", content=b" " * (5 * 1024 * 1024))
        assert push.status_code == 413 and push.json()["code"] == "sync.batch_too_large"


def test_a_client_that_stalls_is_dropped(live_server):
    server = live_server(args=("--head-timeout", "1", "--body-read-timeout", "1"))
    # A request head that never ends: the connection is closed.
    head = connect(server)
    head.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n")
    assert closed_by_server(head, 5)
    # A body that stops half way: 408 request.timeout, nothing waits for the rest.
    body = connect(server)
    body.sendall(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 200\r\n\r\n{"username": '
    )
    status, _, answer = read_response(body)
    assert status == 408 and json.loads(answer)["code"] == "request.timeout"
    assert closed_by_server(body, 5)
    head.close()
    body.close()
    assert httpx.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200


def test_an_endless_request_head_is_refused(live_server):
    server = live_server()
    sock = connect(server)
    sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
    try:
        for n in range(100):
            sock.sendall(f"X-Filler-{n}: {'y' * 1000}\r\n".encode())
    except (BrokenPipeError, ConnectionResetError):
        pass
    status, _, _ = read_response(sock)
    assert status == 400
    sock.close()


def test_health_answers_with_1100_idle_and_slow_connections_open(live_server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1300:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    server = live_server()
    crowd = []
    try:
        for n in range(1100):
            sock = connect(server)
            if n % 2:  # half idle, half half-way through a request head
                sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
            crowd.append(sock)
        health = httpx.get(f"{server.url}/api/v1/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        token = login(server.url, "demo-specialist")  # and real work gets through too
        assert httpx.get(f"{server.url}/api/v1/sync/pull", headers=bearer(token), timeout=10).status_code == 200
    finally:
        for sock in crowd:
            sock.close()


def test_over_the_connection_cap_the_answer_is_a_clear_503(live_server):
    server = live_server(args=("--max-connections", "20"))
    crowd = [connect(server) for _ in range(25)]
    try:
        time.sleep(0.2)
        response = httpx.get(f"{server.url}/api/v1/health", timeout=10)
        assert response.status_code == 503
        assert response.json()["code"] == "server.busy" and response.headers["Retry-After"] == "2"
    finally:
        for sock in crowd:
            sock.close()
    deadline = time.monotonic() + 10
    while httpx.get(f"{server.url}/api/v1/health", timeout=10).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
