"""40 bogus logins at once against a real server: /health and pull latency, and the server's memory.

Floor: the same /health and pull requests on the idle server, in the same run. Before the bounded
hashing pool, 40 logins took every worker thread and 40 x 64 MiB (2.3 GB; /health 5.8 s).
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BOGUS = 40
SAMPLES = 15


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed(http: httpx.Client, path: str, token: str) -> float:
    started = time.perf_counter()
    http.get(path, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = Path(tempfile.mkdtemp())
    python = sys.executable
    subprocess.run(
        [python, "-m", "sync_server", "load-demo", "--data-dir", str(data)], cwd=ROOT, check=True, capture_output=True
    )
    command = [python, "-m", "sync_server", "serve", "--data-dir", str(data), "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=url, timeout=120) as http:
            body = {"username": "demo-specialist", "password": "demo", "device_id": "bench-phone"}
            token = http.post("/api/v1/auth/login", json=body).json()["token"]
            idle_health = [timed(http, "/api/v1/health", token) for _ in range(SAMPLES)]
            idle_pull = [timed(http, "/api/v1/sync/pull", token) for _ in range(SAMPLES)]
            statuses: list[int] = []
            peak = [rss_mb(server.pid)]
            done = threading.Event()

            def bogus(n: int) -> None:
                attempt = {"username": f"nobody-{n}", "password": "correct horse battery", "device_id": f"bot-{n}"}
                statuses.append(httpx.post(f"{url}/api/v1/auth/login", json=attempt, timeout=120).status_code)

            def sample_memory() -> None:
                while not done.is_set():
                    peak.append(rss_mb(server.pid))
                    time.sleep(0.02)

            threads = [threading.Thread(target=bogus, args=(n,)) for n in range(BOGUS)]
            watcher = threading.Thread(target=sample_memory)
            watcher.start()
            for thread in threads:
                thread.start()
            busy_health, busy_pull = [], []
            while any(thread.is_alive() for thread in threads) and len(busy_health) < SAMPLES:
                busy_health.append(timed(http, "/api/v1/health", token))
                busy_pull.append(timed(http, "/api/v1/sync/pull", token))
            for thread in threads:
                thread.join()
            done.set()
            watcher.join()
    finally:
        server.terminate()
        server.wait(30)

    def ms(values: list[float]) -> str:
        return f"p50 {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"

    print(f"idle: /health {ms(idle_health)}; pull {ms(idle_pull)}")
    print(f"during {BOGUS} bogus logins ({len(busy_health)} samples): /health {ms(busy_health)}; pull {ms(busy_pull)}")
    answers = {status: statuses.count(status) for status in sorted(set(statuses))}
    print(f"bogus logins answered {answers}; server memory peak {max(peak):.0f} MB (at start {peak[0]:.0f} MB)")
    health_ratio = statistics.median(busy_health) / statistics.median(idle_health)
    pull_ratio = statistics.median(busy_pull) / statistics.median(idle_pull)
    print(
        f"ratios: /health busy/idle {health_ratio:.2f}  pull busy/idle {pull_ratio:.2f}"
        f"  (/health p50 {statistics.median(busy_health) * 1000:.0f} ms, memory {max(peak):.0f} MB)"
    )


if __name__ == "__main__":
    main()
