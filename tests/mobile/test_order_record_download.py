"""The order detail's "Download record (PDF)" for supervisors: the record for the owner's file saved under reports/
the way Statistics saves its downloads, against the real server; offline it says so and saves nothing."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from mobile.admin_api import AdminApi
from mobile.context import AppContext
from mobile.state.downloads import OrderRecordDownload
from mobile.state.orders import OrdersBoard
from shared.i18n import Translator
from tests.mobile.test_views_build_state import supervisor_ctx, texts  # noqa: F401  (a fixture)
from tests.work_order_records import Phone, leak

TZ = ZoneInfo("Asia/Shanghai")


def supervisor_api(client, locale: str) -> AdminApi:
    token = client.post(
        "/api/v1/auth/login", json={"username": "demo-supervisor", "password": "demo", "device_id": "sup-record"}
    ).json()["token"]
    return AdminApi(client, base_url="", token=token, locale=locale)


def reported_order(client, clock) -> dict[str, Any]:
    raw = Phone(client, "demo-specialist").send(leak("demo-b1-u202"), clock.now().astimezone(TZ))
    return dict(Phone(client, "demo-supervisor").get(f"/api/v1/orders/wo-{raw['id']}"))


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_a_supervisor_saves_the_orders_record_in_their_language(client, clock, tmp_path) -> None:
    order = reported_order(client, clock)
    record = OrderRecordDownload(supervisor_api(client, "zh-Hans"), tmp_path, {"role": "supervisor"})
    saved = record.download(order)
    assert saved is not None, record.problem
    assert saved == tmp_path / "reports" / f"record-{order['number']}.pdf" == record.saved
    text = pdf_text(saved)
    assert saved.read_bytes().startswith(b"%PDF") and order["number"] in text
    assert Translator("zh-Hans").t("category.water_leakage") in text  # written for the reader, in Chinese


def test_only_supervisors_and_admins_are_offered_the_record(tmp_path) -> None:
    asked: list[httpx.Request] = []
    http = httpx.Client(transport=httpx.MockTransport(lambda r: asked.append(r) or httpx.Response(200)))
    api = AdminApi(http, base_url="http://server", token="tok")
    assert OrderRecordDownload(api, tmp_path, {"role": "admin"}).allowed
    specialist = OrderRecordDownload(api, tmp_path, {"role": "specialist"})
    assert not specialist.allowed and specialist.download({"id": "wo-1", "number": "R-1"}) is None
    assert asked == [] and not (tmp_path / "reports").exists()


def offline_api() -> AdminApi:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network")

    return AdminApi(httpx.Client(transport=httpx.MockTransport(down)), base_url="http://server", token="tok")


def test_offline_the_record_says_so_and_saves_nothing(tmp_path) -> None:
    record = OrderRecordDownload(offline_api(), tmp_path, {"role": "supervisor"})
    assert record.download({"id": "wo-1", "number": "R-1"}) is None
    assert record.offline and record.saved is None
    assert not (tmp_path / "reports").exists() or not list((tmp_path / "reports").iterdir())


def test_the_order_detail_has_the_button_and_says_where_it_saved(supervisor_ctx: AppContext, client, clock) -> None:  # noqa: F811
    from mobile.views.orders import OrderDetailView

    ctx = supervisor_ctx
    order = reported_order(client, clock)
    ctx.sync_now()
    ctx.wait_sync()
    board = OrdersBoard(ref=ctx.ref, save=ctx.save, now=ctx.now, user=ctx.user)
    shell = SimpleNamespace(ctx=ctx, board=board, tab="today", patrol_run=None, page=None, render=lambda: None)
    view = OrderDetailView(shell, order["id"])  # type: ignore[arg-type]
    t = ctx.tr.t
    assert t("orders.download_record") in texts(view.build())
    view._download(ctx.ref.item("work_order", order["id"]))
    saved = ctx.data_dir / "reports" / f"record-{order['number']}.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    shown = texts(view.build())
    assert t("statsui.saved", path=str(saved)) in shown and t("statsui.save_copy") in shown
    view.record.api = offline_api()  # the server cannot be reached any more
    view._download(ctx.ref.item("work_order", order["id"]))
    assert t("orders.record_offline") in texts(view.build())


def test_specialists_see_no_record_button(client, tmp_path) -> None:
    from mobile.views.orders import OrderDetailView

    ctx = AppContext(data_dir=tmp_path / "phone", http=client)
    try:
        ctx.login("http://testserver", "demo-specialist", "demo")
        order = {"id": "wo-x", "number": "R-9", "state": "reported", "kind": "repair", "deadlines": []}
        shell = SimpleNamespace(
            ctx=ctx,
            board=OrdersBoard(ref=ctx.ref, save=ctx.save, now=ctx.now, user=ctx.user),
            tab="today",
            patrol_run=None,
            page=None,
            render=lambda: None,
        )
        view = OrderDetailView(shell, order["id"])  # type: ignore[arg-type]
        assert not view.record.allowed and view._record(order) == []
    finally:
        ctx.close()
