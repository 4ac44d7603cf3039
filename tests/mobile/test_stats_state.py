"""The Statistics screen's state against contract-shaped answers (httpx.MockTransport): periods, figures, Pareto."""

from __future__ import annotations

from datetime import date

import httpx

from mobile.admin_api import AdminApi
from mobile.state.messages import problem_message
from mobile.state.stats import StatsState, percent, period_range
from shared.i18n import Translator

FIGURES = {
    "period": {"from": "2026-10-01", "to": "2026-10-31", "tz": "Asia/Shanghai"},
    "counts": {
        "defects": 20,
        "complaints": 10,
        "orders_opened": 30,
        "handled_in_time": 27,
        "overdue": 3,
        "reworked": 2,
        "return_visits": 25,
        "return_visits_on_time": 24,
        "fixed": 23,
        "satisfied": 22,
        "checkpoints_due": 100,
        "checkpoints_visited": 96,
        "slots_due": 8,
        "slots_checked": 8,
    },
    "rates": {
        "handling": 0.9,
        "effective_handling": 0.92,
        "satisfaction": 0.88,
        "patrol_completion": 0.96,
        "check_completion": 1.0,
        "return_visit_on_time": 0.96,
        "complaint_rate": None,
    },
    "targets": [
        {"name": "complaint_handling", "target": 1.0, "value": 0.9, "met": False, "comparison": ">="},
        {"name": "effective_handling", "target": 0.95, "value": 0.96, "met": True, "comparison": ">="},
        {"name": "complaint_rate", "target": 0.005, "value": None, "met": None, "comparison": "<"},
    ],
    "pareto": [
        {"category": "water_leakage", "count": 12, "share": 0.4, "cumulative": 0.4, "key": True},
        {"category": "electrical", "count": 12, "share": 0.4, "cumulative": 0.8, "key": True},
        {"category": "elevator", "count": 6, "share": 0.2, "cumulative": 1.0, "key": False},
    ],
    "causes": {"people": 3, "machines": 0, "materials": 1, "methods": 0, "environment": 2, "unknown": 24},
    "violations_per_permit": {"p1": 2},
    "trend": [
        {"day": "2026-10-02", "defects": 1, "complaints": 0, "orders_opened": 1, "overdue": 0},
        {"day": "2026-10-01", "defects": 2, "complaints": 1, "orders_opened": 3, "overdue": 1},
    ],
}
ORDERS = [{"id": "o1", "number": 7, "kind": "repair", "category": "water_leakage", "state": "closed"}]


def fake_server(seen: list[httpx.Request], *, down: bool = False) -> AdminApi:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if down:
            raise httpx.ConnectError("no network")
        if request.url.path == "/api/v1/stats":
            return httpx.Response(200, json=FIGURES)
        if request.url.path == "/api/v1/orders":
            wanted = request.url.params.get("category")
            return httpx.Response(200, json={"orders": [o for o in ORDERS if o["category"] == wanted], "now": "x"})
        return httpx.Response(404, json={"code": "http.404", "message": "no"})

    http = httpx.Client(transport=httpx.MockTransport(answer), base_url="http://server")
    return AdminApi(http, base_url="http://server", token="tok", locale="es")


def test_periods_are_whole_weeks_and_months_around_today() -> None:
    wednesday = date(2026, 11, 4)
    assert period_range("this_week", wednesday) == (date(2026, 11, 2), date(2026, 11, 8))
    assert period_range("last_week", wednesday) == (date(2026, 10, 26), date(2026, 11, 1))
    assert period_range("this_month", wednesday) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period_range("last_month", date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_range("last_month", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))


def test_last_month_asks_the_server_for_its_days_and_reads_the_figures() -> None:
    seen: list[httpx.Request] = []
    state = StatsState(fake_server(seen), lambda: date(2026, 11, 4))
    assert state.pick("last_month")
    request = seen[-1]
    assert request.url.path == "/api/v1/stats"
    assert dict(request.url.params) == {"from": "2026-10-01", "to": "2026-10-31"}
    assert request.headers["authorization"] == "Bearer tok" and request.headers["accept-language"] == "es"
    assert ("defects", 20) in state.counts() and ("overdue", 3) in state.counts()
    assert dict(state.rates())["complaint_rate"] is None and percent(None) == "–"
    assert percent(dict(state.rates())["satisfaction"]) == "88%" and percent(0.975) == "97.5%"
    assert [(t.name, t.verdict) for t in state.targets()] == [
        ("complaint_handling", "missed"),
        ("effective_handling", "met"),
        ("complaint_rate", "no_data"),  # nothing to count has not missed its target
    ]
    assert state.key_few() == ["water_leakage", "electrical"]
    assert [b.category for b in state.bars()][0] == "water_leakage"
    assert [d["day"] for d in state.trend()] == ["2026-10-01", "2026-10-02"]
    assert ("unknown", 24) in state.causes() and ("machines", 0) not in state.causes()


def test_tapping_a_bar_lists_the_orders_of_that_category_in_the_period() -> None:
    seen: list[httpx.Request] = []
    state = StatsState(fake_server(seen), lambda: date(2026, 11, 4))
    state.pick("last_week")
    assert state.open_category("water_leakage")
    request = seen[-1]
    assert request.url.path == "/api/v1/orders"
    assert dict(request.url.params) == {"from": "2026-10-26", "to": "2026-11-01", "category": "water_leakage"}
    assert state.category == "water_leakage" and [o["id"] for o in state.orders] == ["o1"]
    state.pick("this_week")  # a new period closes the list: it belonged to the old one
    assert state.category is None and state.orders == []


def test_a_custom_range_must_be_two_days_in_order() -> None:
    seen: list[httpx.Request] = []
    state = StatsState(fake_server(seen), lambda: date(2026, 11, 4), property_id="tower-a")
    state.custom_from, state.custom_to = "2026-10-10", "2026-10-01"
    assert not state.pick("custom") and state.problem is not None and state.problem.key == "statsui.bad_range"
    state.custom_from = "10/01"
    assert not state.pick("custom") and state.problem.key == "statsui.bad_day"
    assert seen == []
    state.custom_from = "2026-09-20"
    assert state.pick("custom") and state.problem is None
    assert dict(seen[-1].url.params) == {"from": "2026-09-20", "to": "2026-10-01", "property_id": "tower-a"}


def test_offline_says_so_in_the_users_language_and_keeps_the_last_figures() -> None:
    seen: list[httpx.Request] = []
    state = StatsState(fake_server(seen), lambda: date(2026, 11, 4))
    assert state.pick("this_month")
    state.api = fake_server(seen, down=True)
    assert not state.pick("last_month") and state.offline
    assert state.figures == FIGURES  # what was shown stays readable
    tr = Translator("zh-Hans")
    assert problem_message(tr, state.problem) == tr.t("error.sync.offline")


def test_downloads_save_the_periods_report_and_exports_under_reports(tmp_path) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"%PDF-fake " + request.url.path.encode())

    http = httpx.Client(transport=httpx.MockTransport(answer), base_url="http://server")
    api = AdminApi(http, base_url="http://server", token="tok", locale="zh-Hans")
    state = StatsState(api, lambda: date(2026, 11, 4), data_dir=tmp_path)
    saved = state.download("report")
    assert saved == tmp_path / "reports" / "report-2026-11-01-2026-11-30.pdf" == state.saved
    assert saved.read_bytes() == b"%PDF-fake /api/v1/reports/period.pdf"
    request = seen[-1]
    assert dict(request.url.params) == {"from": "2026-11-01", "to": "2026-11-30", "lang": "zh-Hans"}
    assert request.headers["authorization"] == "Bearer tok" and request.headers["accept-language"] == "zh-Hans"
    for name in ("orders", "records", "findings", "figures"):
        path = state.download(name)
        assert path is not None and path.suffix == ".xlsx" and path.parent == tmp_path / "reports"
        assert seen[-1].url.path == f"/api/v1/exports/{name}.xlsx"
    assert state.download("nonsense") is None


def test_downloads_offline_say_so_and_save_nothing(tmp_path) -> None:
    state = StatsState(fake_server([], down=True), lambda: date(2026, 11, 4), data_dir=tmp_path)
    assert state.download("orders") is None
    assert state.offline and state.tried_download and state.saved is None
    assert not (tmp_path / "reports").exists() or not list((tmp_path / "reports").iterdir())
    assert "online" in Translator("en").t("statsui.download_offline")


def test_downloads_from_the_real_server_are_a_pdf_and_workbooks(client, tmp_path) -> None:
    import io

    import openpyxl

    token = client.post(
        "/api/v1/auth/login", json={"username": "demo-supervisor", "password": "demo", "device_id": "sup-stats"}
    ).json()["token"]
    state = StatsState(
        AdminApi(client, base_url="", token=token, locale="en"), lambda: date(2026, 11, 25), data_dir=tmp_path
    )
    report = state.download("report")
    assert report is not None, state.problem
    assert report.read_bytes().startswith(b"%PDF")
    for name in ("orders", "records", "findings", "figures"):
        path = state.download(name)
        assert path is not None, state.problem
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
        assert book.worksheets and book.worksheets[0].max_row >= 1
