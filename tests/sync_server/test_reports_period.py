"""The period report as PDF: figures, targets met and missed, the Pareto chart, causes, overdue orders; endpoint and
command line. Most tests draw known figures (so every number can be looked for on the page); the last one reports
what the server really counted."""

from __future__ import annotations

import subprocess
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from sync_server.__main__ import main
from sync_server.reports import period
from tests.conftest import bearer, login
from tests.work_order_records import Phone, leak

TZ = ZoneInfo("Asia/Shanghai")
FIGURES = {  # the contract's shape, with numbers a reader can find on the page
    "period": {"from": "2026-11-01", "to": "2026-11-30", "tz": "Asia/Shanghai"},
    "counts": {
        "defects": 37,
        "complaints": 4,
        "orders_opened": 41,
        "handled_in_time": 39,
        "overdue": 2,
        "reworked": 1,
        "return_visits": 30,
        "return_visits_on_time": 29,
        "fixed": 28,
        "satisfied": 27,
        "checkpoints_due": 200,
        "checkpoints_visited": 190,
        "slots_due": 20,
        "slots_checked": 18,
    },  # fmt: skip
    "rates": {
        "handling": 0.951,
        "effective_handling": 0.9,
        "satisfaction": 0.9,
        "patrol_completion": 0.95,
        "check_completion": 0.9,
        "return_visit_on_time": 0.967,
        "complaint_rate": None,
    },  # fmt: skip
    "targets": [
        {"name": "complaint_handling", "target": 1.0, "value": 1.0, "met": True, "comparison": ">="},
        {"name": "owner_satisfaction", "target": 0.98, "value": 0.9, "met": False, "comparison": ">="},
    ],
    "pareto": [
        {"category": "water_leakage", "count": 20, "share": 0.54, "cumulative": 0.54, "key": True},
        {"category": "electrical", "count": 10, "share": 0.27, "cumulative": 0.81, "key": True},
        {"category": "civil", "count": 7, "share": 0.19, "cumulative": 1.0, "key": False},
    ],
    "causes": {"people": 5, "machines": 3, "materials": 0, "methods": 2, "environment": 1, "unknown": 26},
    "violations_per_permit": {},
    "trend": [],
}
KEY_BLUE = period.KEY_FEW


@pytest.fixture
def stub_figures(monkeypatch):
    asked = []

    def figures_of(db, settings, property_id, first, last):
        asked.append((property_id, first, last))
        return FIGURES

    monkeypatch.setattr(period, "figures_of", figures_of)
    return asked


@pytest.fixture
def overdue_number(client, clock):
    """A leak reported and left alone for a week: its handling deadline is long past."""
    phone = Phone(client, "demo-specialist")
    d = phone.send(leak(), clock.now().astimezone(TZ))
    clock.advance(days=7)
    sup = Phone(client, "demo-supervisor")
    return sup.get(f"/api/v1/orders/wo-{d['id']}")["number"]


def read_pdf(content: bytes, tmp_path, name: str) -> tuple[str, Image.Image]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-singlefile", str(path), str(tmp_path / name)], check=True
    )
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split()), Image.open(tmp_path / f"{name}.png").convert("RGB")


def pixels_of(image: Image.Image, color: tuple[int, int, int]) -> int:
    found = image.getcolors(maxcolors=image.width * image.height) or []
    return sum(n for n, p in found if all(abs(a - b) < 12 for a, b in zip(p, color, strict=True)))


def test_the_period_report_in_english(client, stub_figures, overdue_number, tmp_path):
    headers = bearer(login(client, "demo-supervisor"))
    response = client.get(
        "/api/v1/reports/period.pdf", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert stub_figures == [("demo", date(2026, 11, 1), date(2026, 11, 30))]
    text, page = read_pdf(response.content, tmp_path, "en")
    assert "Defects 37" in text and "Handling rate 95.1%" in text
    assert "Complaint handling: 100.0% (target at least 100.0%) met" in text
    assert "Owner satisfaction: 90.0% (target at least 98.0%) missed" in text
    assert "Plumbing / water leakage, Electrical" in text  # the key few
    assert "26 (70%)" in text  # unknown causes
    assert overdue_number in text
    assert pixels_of(page, KEY_BLUE) > 200  # the key few bars are drawn, not only named


def test_the_period_report_in_chinese(client, stub_figures, overdue_number, tmp_path):
    headers = bearer(login(client, "demo-supervisor"))
    params = {"from": "2026-11-01", "to": "2026-11-30", "lang": "zh-Hans"}
    response = client.get("/api/v1/reports/period.pdf", params=params, headers=headers)
    text, _ = read_pdf(response.content, tmp_path, "zh")
    assert "统计数据" in text and "业主满意率：90.0%（目标 不低于 98.0%）未达成" in text
    assert "关键少数" in text and "给排水/漏水" in text and "超期工单" in text and overdue_number in text


def test_only_supervisors_get_the_period_report(client, stub_figures):
    headers = bearer(login(client, "demo-specialist"))
    response = client.get(
        "/api/v1/reports/period.pdf", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=headers
    )
    assert (response.status_code, response.json()["code"]) == (403, "auth.forbidden")
    assert stub_figures == []


def test_the_command_line_writes_the_report(settings, stub_figures, tmp_path, capsys):
    out = tmp_path / "month.pdf"
    argv = ["report", "--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    argv += ["--property-id", "demo"]
    code = main([*argv, "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out), "--lang", "es"])
    assert code == 0, capsys.readouterr().err
    text, _ = read_pdf(out.read_bytes(), tmp_path, "cli")
    assert "Cifras" in text and "Defectos 37" in text
    assert main([*argv, "--from", "2026-11-30", "--to", "2026-11-01", "--out", str(out)]) == 1
    assert "ends before it starts" in capsys.readouterr().err


def test_the_report_draws_the_figures_the_server_counts(client, clock, tmp_path):
    from shared.i18n import Translator
    from shared.model import DefectCategory

    spec, sup = Phone(client, "demo-specialist"), login(client, "demo-supervisor")
    at = clock.now().astimezone(TZ)
    for place in ("demo-b1-u101", "demo-b1-u201", "demo-b2-u302"):
        spec.send(leak(place_id=place), at)
    spec.send(leak(category=DefectCategory.ELECTRICAL), at)
    period_of = {"from": "2026-11-23", "to": "2026-11-23"}
    figures = client.get("/api/v1/stats", params=period_of, headers=bearer(sup)).json()
    assert figures["counts"]["defects"] == 4 and [p["category"] for p in figures["pareto"]][:1] == ["water_leakage"]
    response = client.get("/api/v1/reports/period.pdf", params={**period_of, "lang": "en"}, headers=bearer(sup))
    assert response.status_code == 200, response.text
    text, _ = read_pdf(response.content, tmp_path, "real")
    en = Translator("en")
    assert en.t("category.water_leakage") in text and en.t("category.electrical") in text


NO_COMPLAINTS = {  # the target lines of a real day with four leaks, no complaint and no return visit yet
    "en": (
        "Complaint handling: — (target at least 100.0%) no data",
        "Owner satisfaction: — (target at least 98.0%) no data",
    ),
    "zh-Hans": ("投诉处理率：—（目标 不低于 100.0%）无数据", "业主满意率：—（目标 不低于 98.0%）无数据"),
    "zh-Hant": ("投訴處理率：—（目標 不低於 100.0%）無資料", "業主滿意率：—（目標 不低於 98.0%）無資料"),
    "es": (
        "Atención de quejas: — (objetivo al menos 100.0%) sin datos",
        "Satisfacción de propietarios: — (objetivo al menos 98.0%) sin datos",
    ),
}


@pytest.mark.parametrize("lang", list(NO_COMPLAINTS))
def test_a_target_with_nothing_to_count_says_no_data_and_the_comparison_in_words(client, clock, tmp_path, lang):
    spec, sup = Phone(client, "demo-specialist"), login(client, "demo-supervisor")
    at = clock.now().astimezone(TZ)
    for place in ("demo-b1-u101", "demo-b1-u201", "demo-b2-u302", "demo-b1-u102"):
        spec.send(leak(place_id=place), at)
    day = {"from": "2026-11-23", "to": "2026-11-23"}
    figures = client.get("/api/v1/stats", params=day, headers=bearer(sup)).json()
    met = {t["name"]: t["met"] for t in figures["targets"]}
    assert figures["counts"]["complaints"] == 0 and met["complaint_handling"] is None
    assert met["owner_satisfaction"] is None  # the API says "nothing to count", not "missed"
    response = client.get("/api/v1/reports/period.pdf", params={**day, "lang": lang}, headers=bearer(sup))
    assert response.status_code == 200, response.text
    text, _ = read_pdf(response.content, tmp_path, lang)
    for line in NO_COMPLAINTS[lang]:
        assert line in text, text
    assert ">=" not in text and "\ufffd" not in text  # no sign the font cannot draw, no replacement box
