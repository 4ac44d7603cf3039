"""The app context against the real server app: first login, a record saved offline, synced, status shown."""

from __future__ import annotations

from pathlib import Path

from mobile.context import AppContext
from shared.model import DefectCategory, DefectReport, RecordType, Severity

SERVER_URL = "http://testserver"


def test_login_save_sync_and_status(tmp_path: Path, client) -> None:
    ctx = AppContext(data_dir=tmp_path / "phone", http=client)
    try:
        assert not ctx.ready and not ctx.locale_chosen
        ctx.set_locale("zh-Hant")
        user = ctx.login(SERVER_URL, "demo-specialist", "demo")
        assert ctx.ready and user["role"] == "specialist"
        ctx.sync_now()
        ctx.wait_sync()
        assert ctx.store.reference("route") and ctx.status.last_success is not None
        unit = next(p for p in ctx.store.reference("place") if p["kind"] == "unit")
        body = DefectReport(
            place_id=unit["id"], category=DefectCategory.ELECTRICAL, severity=Severity.HIGH, description="Socket sparks"
        )
        ctx.save(RecordType.DEFECT_REPORT, body)
        assert ctx.status.pending == 1
        assert ctx.status.headline(ctx.tr) == "待傳送 1 筆"
        ctx.sync_now()
        ctx.wait_sync()
        assert ctx.status.pending == 0 and ctx.status.problems == []
        assert ctx.status.headline(ctx.tr) == "已全部傳送"
    finally:
        ctx.close()
    # Opened again (no network needed): same user, language kept, straight to Today.
    again = AppContext(data_dir=tmp_path / "phone", http=client)
    try:
        assert again.ready and again.tr.locale == "zh-Hant" and again.user["id"] == user["id"]
    finally:
        again.close()


def test_unreachable_server_is_a_connection_error(tmp_path: Path) -> None:
    import httpx
    import pytest

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    ctx = AppContext(data_dir=tmp_path / "phone", http=httpx.Client(transport=httpx.MockTransport(refuse)))
    try:
        with pytest.raises(ConnectionError):
            ctx.login("http://127.0.0.1:9", "demo-specialist", "demo")
    finally:
        ctx.close()


def test_a_sync_asked_for_while_one_runs_runs_again_after_it(tmp_path: Path) -> None:
    """A tap on Sync during an automatic try (maybe started before the network was back) is not lost."""
    import threading

    ctx = AppContext(data_dir=tmp_path / "phone")
    started, release, runs = threading.Event(), threading.Event(), []

    def run(progress=None):
        runs.append(len(runs) + 1)
        if len(runs) == 1:
            started.set()
            release.wait(10)

    ctx.sync_client.run = run  # type: ignore[method-assign]
    try:
        assert ctx.sync_now() is True
        started.wait(10)
        assert ctx.status.running
        assert ctx.sync_now() is False  # already running: queued, not started twice
        release.set()
        ctx.wait_sync()
        assert runs == [1, 2] and not ctx.status.running
    finally:
        ctx.close()
