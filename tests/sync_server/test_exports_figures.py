"""The figures of a period exported as XLSX and CSV: the same numbers GET /api/v1/stats gives, under the reader's
headers, on the seeded fortnight whose counts are known by construction (tests/sync_server/test_stats.py)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import openpyxl
import pytest

from shared.figures import COUNTS, RATES
from shared.i18n import Translator
from shared.model import CauseFactor, DefectCategory, WorkOrderKind
from tests.sync_server.test_stats import ROLES, at, push_each, scenario, stats
from tests.work_order_records import Phone

PERIOD = {"from": "2026-11-23", "to": "2026-11-24"}


def seeded(client, clock) -> Phone:
    phones = {r: Phone(client, f"demo-{r}") for r in ROLES}
    records = scenario(phones)
    clock.set(at(26, 9))
    push_each(phones, records)
    return phones["supervisor"]


def download(client, sup: Phone, path: str, **params) -> bytes:
    response = client.get(path, params={**PERIOD, **params}, headers=sup.headers)
    assert response.status_code == 200, response.text
    return response.content


def workbook(content: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_figures_xlsx_totals_match_the_figures_and_the_orders_export_matches_the_pareto(client, clock):
    sup = seeded(client, clock)
    figures = stats(sup)
    tr = Translator("en")
    sheets = workbook(download(client, sup, "/api/v1/exports/figures.xlsx", lang="en"))
    assert list(sheets) == ["Counts", "Rates", "Targets", "Pareto", "Causes", "Trend by day"]

    counts = sheets["Counts"]
    assert counts[0] == ("Figure", "Count")
    assert dict(counts[1:]) == {tr.t(f"report.count.{n}"): figures["counts"][n] for n in COUNTS}
    assert sum(n for _, n in counts[1:]) == sum(figures["counts"].values())
    # a spreadsheet keeps 15 significant digits (xlsxwriter writes 16): rates agree to that, counts exactly
    rates = {tr.t(f"report.rate.{n}"): figures["rates"][n] for n in RATES}
    assert dict(sheets["Rates"][1:]) == {k: v if v is None else pytest.approx(v, rel=1e-15) for k, v in rates.items()}

    targets = {row[0]: row[1:] for row in sheets["Targets"][1:]}
    assert targets["Effective handling"] == (pytest.approx(4 / 7, rel=1e-15), "at least", 0.95, "missed")
    assert targets["Owner satisfaction"] == (pytest.approx(1 / 3, rel=1e-15), "at least", 0.98, "missed")
    rate = figures["rates"]["complaint_rate"]
    verdict = "met" if rate < 0.005 else "missed"
    assert targets["Complaint rate"] == (pytest.approx(rate, rel=1e-15), "below", 0.005, verdict)

    pareto = sheets["Pareto"]
    assert pareto[0] == ("Category", "Count", "Share", "Cumulative share", "Key few")
    assert pareto[1:] == [
        (tr.enum(DefectCategory(b["category"])), b["count"], b["share"], b["cumulative"], "Yes" if b["key"] else None)
        for b in figures["pareto"]  # shares of 5 defects are exact in 16 digits
    ]
    assert sum(row[1] for row in pareto[1:]) == figures["counts"]["defects"] == 5
    causes = {row[0]: row[1] for row in sheets["Causes"][1:]}
    assert causes[tr.enum(CauseFactor.PEOPLE)] == 2 and causes["Unknown"] == 7
    assert sum(causes.values()) == figures["counts"]["orders_opened"]
    trend = sheets["Trend by day"][1:]
    assert [(row[0].date(), row[3]) for row in trend] == [(date(2026, 11, 23), 6), (date(2026, 11, 24), 4)]

    # the orders export of the same period, counted per category, gives the Pareto's bars
    orders = workbook(download(client, sup, "/api/v1/exports/orders.xlsx", lang="en"))["Orders"]
    column = {name: n for n, name in enumerate(orders[0])}
    repairs = [row for row in orders[1:] if row[column["Kind"]] == tr.enum(WorkOrderKind.REPAIR)]
    assert Counter(row[column["Category"]] for row in repairs) == {row[0]: row[1] for row in pareto[1:]}


def test_figures_csv_in_chinese_has_one_titled_table_after_another(client, clock):
    sup = seeded(client, clock)
    figures = stats(sup)
    text = download(client, sup, "/api/v1/exports/figures.csv", lang="zh-Hans").decode("utf-8-sig")
    blocks = [list(csv.reader(io.StringIO(block))) for block in text.replace("\r\n", "\n").split("\n\n")]
    titles = [block[0][0] for block in blocks]
    assert titles == ["计数", "比率", "目标", "帕累托", "原因分析", "每日趋势"]
    counts = blocks[0]
    assert counts[1] == ["指标", "数量"]
    tr = Translator("zh-Hans")
    assert {k: int(v) for k, v in counts[2:]} == {tr.t(f"report.count.{n}"): figures["counts"][n] for n in COUNTS}
    pareto = blocks[3]
    assert [(row[0], int(row[1]), row[4]) for row in pareto[2:]] == [
        ("电气", 2, "是"),
        ("给排水/漏水", 2, "是"),
        ("清洁", 1, ""),
    ]


def test_a_period_with_nothing_to_count_says_no_data_not_missed(client, clock):
    sup = seeded(client, clock)
    empty = {"from": "2026-11-10", "to": "2026-11-11"}
    figures = stats(sup, **empty)
    assert [t["met"] for t in figures["targets"]][:3] == [None, None, None]
    sheets = workbook(download(client, sup, "/api/v1/exports/figures.xlsx", lang="es", **empty))
    targets = {row[0]: row[1:] for row in sheets["Objetivos"][1:]}
    assert targets["Satisfacción de propietarios"] == (None, "al menos", 0.98, "sin datos")
    assert {row[0]: row[1] for row in sheets["Tasas"][1:]}["Tasa de satisfacción"] is None  # empty, never 0%


def test_figures_export_is_for_supervisors_and_a_period_of_at_most_400_days(client, clock):
    sup = seeded(client, clock)
    specialist = Phone(client, "demo-specialist")
    response = client.get("/api/v1/exports/figures.xlsx", params=PERIOD, headers=specialist.headers)
    assert response.status_code == 403
    response = client.get(
        "/api/v1/exports/figures.csv", params={"from": "2020-01-01", "to": "2026-11-24"}, headers=sup.headers
    )
    assert response.status_code == 422 and response.json()["code"] == "stats.bad_period"
