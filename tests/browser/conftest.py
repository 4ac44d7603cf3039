"""Browser fixtures: Debian's Chromium through Playwright, and the Flet web app as a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, free_port

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class FletApp:
    """``python -m mobile --web`` on a loopback port, in its own process group."""

    server_url: str
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 60.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "mobile",
            "--server",
            self.server_url,
            "--data-dir",
            str(self.data_dir),
            "--port",
            str(self.port),
            "--web",
        ]
        env = {**os.environ, "FLET_WEB_NO_CDN": "1", "FLET_FORCE_WEB_SERVER": "1"}  # serve only, open no browser
        with (self.data_dir / "app.log").open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited: {(self.data_dir / 'app.log').read_text()}")
            try:
                if httpx.get(self.url, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the Flet app did not start")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass


@pytest.fixture
def flet_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., FletApp]]:
    started: list[FletApp] = []

    def start(server_url: str) -> FletApp:
        app = FletApp(server_url, tmp_path_factory.mktemp("phone"), free_port())
        started.append(app)
        app.start()
        return app

    yield start
    for app in started:
        app.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("PATROL_REQUIRE_BROWSER"):
            pytest.fail(message)  # CI: a missing browser is a failure, not a skip
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_phone(chromium: Any) -> Iterator[Callable[..., Any]]:
    from tests.browser.phone import Phone

    contexts: list[Any] = []

    def make(app: FletApp, *, width: int = 390, height: int = 844) -> Phone:
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        # Only loopback: a phone in a stairwell has no CDN either.
        page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
        phone = Phone(page, app.url)
        phone.open()
        return phone

    yield make
    for context in contexts:
        context.close()
