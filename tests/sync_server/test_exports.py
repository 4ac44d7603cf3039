"""Exports of a period as XLSX and CSV: they open, hold one row per order/record/finding, real dates, local headers."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from shared.model import DefectCategory, DefectReport, Severity, WorkOrderAction
from tests.conftest import bearer, login
from tests.work_order_records import Phone, action, leak

TZ = ZoneInfo("Asia/Shanghai")


def defect(n: int) -> DefectReport:
    """A leak in its own unit: leaks in one unit would be one order."""
    return DefectReport(
        f"demo-b1-u10{n + 1}" if n < 2 else "demo-b1-u201", DefectCategory.WATER_LEAKAGE, Severity.HIGH, f"leak {n}"
    )


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor")}


@pytest.fixture
def seeded(phones, clock):
    """Three leaks and a dispatch on Monday 23 November, one electrical defect on Wednesday 25."""
    monday = clock.now().astimezone(TZ)
    first = [phones["specialist"].send(defect(n), monday) for n in range(3)]
    phones["supervisor"].send(
        action(f"wo-{first[0]['id']}", WorkOrderAction.DISPATCH, assignee_id="user-demo-maintenance"), monday
    )
    clock.advance(days=2)
    phones["specialist"].send(leak(category=DefectCategory.ELECTRICAL), clock.now().astimezone(TZ))
    return monday


def download(client, headers, path: str, **params):
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response


def sheet_rows(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


def test_orders_of_one_day_as_xlsx_with_real_dates_and_chinese_headers(phones, seeded, client):
    sup = phones["supervisor"]
    response = download(
        client, sup.headers, "/api/v1/exports/orders.xlsx", **{"from": "2026-11-23", "to": "2026-11-23"}
    )
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "orders-2026-11-23-2026-11-23.xlsx" in response.headers["content-disposition"]
    rows = sheet_rows(
        download(
            client,
            sup.headers,
            "/api/v1/exports/orders.xlsx",
            **{"from": "2026-11-23", "to": "2026-11-23", "lang": "zh-Hans"},
        )
    )
    header, data = rows[0], rows[1:]
    assert header[:3] == ("工单号", "类型", "状态")
    stored = {o["number"]: o for o in sup.get("/api/v1/orders")["orders"]}
    assert len(data) == 3 and {r[0] for r in data} <= set(stored)
    by_number = {r[0]: dict(zip(header, r, strict=True)) for r in data}
    for number, row in by_number.items():
        reported = datetime.fromisoformat(stored[number]["reported_at"]).astimezone(TZ).replace(tzinfo=None)
        assert isinstance(row["报事时间"], datetime) and abs((row["报事时间"] - reported).total_seconds()) < 1
        assert row["类别"] == "给排水/漏水"  # the category in Chinese words, not the stored value
    assert sorted(r["描述"] for r in by_number.values()) == ["leak 0", "leak 1", "leak 2"]
    assert sorted(r["状态"] for r in by_number.values()) == ["已报", "已报", "已派工"]


def test_records_of_a_period_as_csv_one_row_each(phones, seeded, client, server_db):
    sup = phones["supervisor"]
    response = download(
        client, sup.headers, "/api/v1/exports/records.csv", **{"from": "2026-11-23", "to": "2026-11-25"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Time", "Record type", "Author"]
    stored = {r[0] for r in server_db.execute("SELECT id FROM records WHERE property_id = 'demo'")}
    assert len(rows) - 1 == len(stored) == 5 and {r[-1] for r in rows[1:]} == stored
    types = sorted(r[1] for r in rows[1:])
    assert types == ["Defect report"] * 4 + ["Work order action"]
    assert rows[-1][0].startswith("2026-11-25 ")  # local time, Wednesday
    monday = download(client, sup.headers, "/api/v1/exports/records.csv", **{"from": "2026-11-23", "to": "2026-11-23"})
    assert len(list(csv.reader(io.StringIO(monday.content.decode("utf-8-sig"))))) - 1 == 4


def test_findings_match_the_database(phones, seeded, client, server_db):
    sup = phones["supervisor"]
    sup.get("/api/v1/findings")  # the findings clock has run for these days
    rows = sheet_rows(
        download(client, sup.headers, "/api/v1/exports/findings.xlsx", **{"from": "2026-11-01", "to": "2026-11-30"})
    )
    stored = server_db.execute(
        "SELECT COUNT(*) FROM findings WHERE property_id = 'demo' AND day BETWEEN '2026-11-01' AND '2026-11-30'"
    ).fetchone()[0]
    assert rows[0][:2] == ("Day", "Finding") and len(rows) - 1 == stored
    assert all(r[1] and not r[1].startswith("finding.") for r in rows[1:])


@pytest.mark.parametrize("who", ["demo-specialist", "demo-maintenance"])
def test_only_supervisors_export(client, seeded, who):
    response = client.get(
        "/api/v1/exports/orders.csv",
        params={"from": "2026-11-23", "to": "2026-11-23"},
        headers=bearer(login(client, who)),
    )
    assert (response.status_code, response.json()["code"]) == (403, "auth.forbidden")


def test_another_property_exports_none_of_ours(client, seeded):
    other = bearer(login(client, "other-supervisor"))
    response = client.get(
        "/api/v1/exports/orders.xlsx", params={"from": "2026-11-23", "to": "2026-11-23"}, headers=other
    )
    assert response.status_code == 200 and len(sheet_rows(response)) == 1


def test_a_period_ending_before_it_starts_is_refused(phones, client):
    response = client.get(
        "/api/v1/exports/orders.csv",
        params={"from": "2026-11-23", "to": "2026-11-20"},
        headers=phones["supervisor"].headers,
    )
    assert (response.status_code, response.json()["code"]) == (422, "request.invalid")
