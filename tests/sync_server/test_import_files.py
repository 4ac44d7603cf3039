"""Import from the files people have: the shipped templates (English and Chinese), one CSV per kind; and refusals
of what is not a setup file (too large, not a workbook, empty, unknown sheets), with nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from sync_server import exporter
from sync_server.importer.templates import EXAMPLE, FOLDER, UNITS, workbook
from tests.conftest import bearer, login
from tests.sync_server.import_books import (  # noqa: F401 (fixture)
    XLSX,
    counts,
    empty_server,
    example,
    reference_tables,
)

IMPORT = "/api/v1/admin/properties/tower-a/import"


def _read(book: bytes) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    loaded = load_workbook(io.BytesIO(book), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in loaded.worksheets}


@pytest.mark.parametrize("chinese", [False, True])
def test_the_shipped_templates_are_the_example_and_import_into_an_empty_server(empty, chinese):
    name = "setup-template-zh.xlsx" if chinese else "setup-template.xlsx"
    shipped = (FOLDER / name).read_bytes()
    assert _read(shipped) == _read(workbook(chinese=chinese))  # regenerate: python -m sync_server.importer.templates
    response = empty.post(f"{IMPORT}?dry_run=false", shipped)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["counts"] == {"places": 8, "routes": 1, "checkpoints": 3, "permits": 1, "users": 3}
    db = empty.db()
    tables = reference_tables(db, "tower-a")
    assert tables["properties"][0]["tz"] == "Asia/Shanghai"
    assert [(p["id"], p["parent_id"], p["owner_name"]) for p in tables["places"] if p["kind"] == "unit"] == [
        ("a-b1-101", "a-b1-f1", "陈明"),
        ("a-b1-201", "a-b1-f2", "周丽"),
    ]
    assert [(c["position"], c["scan_code"]) for c in sorted(tables["checkpoints"], key=lambda c: c["position"])] == [
        (1, "A-R1-01"),
        (2, "A-R1-02"),
        (3, "A-R1-03"),
    ]
    specialist = db.execute("SELECT id FROM users WHERE username = 'li.lei'").fetchone()[0]
    assert tables["routes"][0]["assigned_to"] == specialist
    assert tables["routes"][0]["weekdays"] == "mon,tue,wed,thu,fri"
    assert tables["permits"][0]["starts_on"] == "2026-12-01" and tables["permits"][0]["approved_on"] == "2026-11-26"
    db.close()
    # each new user logs in with the temporary password given once, and must choose their own
    handed = {u["username"]: u["temporary_password"] for u in answer["users"]}
    assert sorted(handed) == ["li.lei", "wang.fang", "zhao.qiang"]

    def attempt(password: str) -> str:
        body = {"username": "li.lei", "password": password, "device_id": "p1", "device_name": "phone"}
        return empty.client.post("/api/v1/auth/login", json=body).json()["code"]

    assert attempt(handed["li.lei"]) == "auth.password_change_required"  # the right password, to be changed
    assert attempt("not the password") == "auth.invalid_credentials"
    assert db_flag(empty, "li.lei") == 1


def db_flag(empty, username: str) -> int:
    db = empty.db()
    try:
        return db.execute("SELECT must_change_password FROM users WHERE username = ?", [username]).fetchone()[0]
    finally:
        db.close()


def test_chinese_headers_and_values_are_read_case_and_blank_insensitive(empty):
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet(" 物业 ")
    sheet.append(["编号", "名称", "时区", "整改时限（小时）"])
    sheet.append(["tower-a", "阳光花园", "Asia/Shanghai", 48])
    sheet = book.create_sheet("位置")
    sheet.append(["编号", "类型", "名称", "上级编号", "业主姓名", "联系电话"])
    sheet.append(["b1", "楼栋", "1号楼", None, None, None])
    sheet.append(["b1-f1", "楼层", "1层", "b1", None, None])
    sheet.append(["b1-0101", "单元", "0101", "b1-f1", "陈明", 13800000001])
    sheet.append([None, None, None, None, None, None])  # a blank row is skipped
    sheet = book.create_sheet("公共区域")
    sheet.append(["编号", "名称", "上级 编号"])
    sheet.append(["lobby", "大堂", "b1"])
    sheet = book.create_sheet("用户")
    sheet.append(["用户名", "姓名", "角色"])
    sheet.append(["li.lei", "李雷", "客服专员"])
    sheet = book.create_sheet("路线")
    sheet.append(["路线编号", "路线名称", "巡检员账号", "巡检日"])
    sheet.append(["r1", "早班", "li.lei", "周一、周三、周五"])
    sheet = book.create_sheet("巡检点")
    sheet.append(["路线编号", "顺序", "位置编号", "扫码编号"])
    sheet.append(["r1", 2, "b1-0101", "R1-02"])
    sheet.append(["r1", 1, "lobby", "R1-01"])
    out = io.BytesIO()
    book.save(out)
    response = empty.post(f"{IMPORT}?dry_run=false", out.getvalue())
    assert response.status_code == 200, response.text
    db = empty.db()
    tables = reference_tables(db, "tower-a")
    assert tables["rules"][0]["rectification_hours"] == 48
    unit = next(p for p in tables["places"] if p["id"] == "b1-0101")
    assert (unit["kind"], unit["name"], unit["owner_contact"]) == ("unit", "0101", "13800000001")
    assert next(p for p in tables["places"] if p["id"] == "lobby")["kind"] == "area"
    assert tables["routes"][0]["weekdays"] == "mon,wed,fri"
    assert db.execute("SELECT role FROM users WHERE username = 'li.lei'").fetchone()[0] == "specialist"
    walked = sorted(tables["checkpoints"], key=lambda c: c["position"])
    assert [(c["place_id"], c["name"]) for c in walked] == [("lobby", "大堂"), ("b1-0101", "0101")]
    db.close()


def test_the_shipped_csv_templates_one_per_kind_import_in_order(empty):
    for kind in ("property", "users", "places", "routes", "checkpoints", "permits", "units"):
        shipped = (FOLDER / f"{kind}.csv").read_bytes()
        rows = EXAMPLE[kind] if kind in EXAMPLE else UNITS
        assert shipped == exporter.csv_of(kind, rows, chinese=kind == "units")  # regenerate: see test above
        response = empty.post(f"{IMPORT}?dry_run=false&kind={kind}", shipped, content_type="text/csv")
        assert response.status_code == 200, (kind, response.text)
    db = empty.db()
    tables = reference_tables(db, "tower-a")
    db.close()
    # the owners' list adds floor 3层 to the workbook's building 1号楼 (found by its name) and a building 2号楼
    assert [len(tables[k]) for k in ("places", "routes", "checkpoints", "permits", "users")] == [14, 1, 3, 1, 3]
    assert {p["id"]: p["parent_id"] for p in tables["places"]}["a-b1-f3"] == "a-b1"


def test_a_csv_written_by_chinese_excel_in_gb18030_is_read(empty):
    text = "编号,名称,时区\ntower-a,阳光花园,Asia/Shanghai\n"
    response = empty.post(f"{IMPORT}?dry_run=false&kind=property", text.encode("gb18030"), content_type="text/csv")
    assert response.status_code == 200, response.text
    db = empty.db()
    assert reference_tables(db, "tower-a")["properties"][0]["name"] == "阳光花园"
    db.close()


def _zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(name, data)
    return out.getvalue()


def _sheets(*names: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name in names:
        book.create_sheet(name).append(["a", "b"])
        book[name].append([1, 2])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "body,content_type,status,code",
    [
        (b"", XLSX, 400, "import.empty_file"),
        (b"%PDF-1.7 not a workbook", XLSX, 400, "import.not_a_workbook"),
        (_zip_of("hello.txt", b"hello"), XLSX, 400, "import.not_a_workbook"),
        (_sheets("Sheet1", "Budget"), XLSX, 422, "import.no_known_sheets"),
        (b"\x00\x01\x02binary", "text/csv", 400, "import.not_csv"),
        (b"   \n", "text/csv", 400, "import.empty_file"),
    ],
)
def test_what_is_not_a_setup_file_is_refused_clearly_and_nothing_is_written(empty, body, content_type, status, code):
    db = empty.db()
    before = counts(db)
    kind = "&kind=places" if content_type == "text/csv" else ""
    response = empty.post(f"{IMPORT}?dry_run=false{kind}", body, content_type=content_type)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["message"].strip()
    assert counts(db) == before
    db.close()


def test_a_file_over_the_size_limit_is_refused_with_413(empty):
    db = empty.db()
    before = counts(db)
    response = empty.post(f"{IMPORT}?dry_run=true", b"PK\x03\x04" + b"0" * (6 * 1024 * 1024))
    assert (response.status_code, response.json()["code"]) == (413, "import.too_large")
    assert "5 MB" in response.json()["message"]
    assert counts(db) == before
    db.close()


def test_a_csv_without_its_kind_and_a_misnamed_sheet_are_reported(empty):
    response = empty.post(f"{IMPORT}?dry_run=true", b"id,name\nx,y\n", content_type="text/csv")
    assert (response.status_code, response.json()["code"]) == (400, "import.unknown_kind")
    data = exporter.workbook(example())
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    book["Places"].title = "Placez"
    book["Routes"]["B1"] = "Nmae"
    out = io.BytesIO()
    book.save(out)
    problems = empty.post(f"{IMPORT}?dry_run=true", out.getvalue()).json()["problems"]
    codes = {(p["sheet"], p["row"], p["column"], p["code"]) for p in problems}
    assert ("Placez", None, None, "import.unknown_sheet") in codes
    assert ("Routes", 1, "B", "import.unknown_column") in codes
    assert ("Routes", 1, None, "import.missing_column") in codes


def test_only_a_supervisor_of_the_property_or_an_administrator_may_import_or_export(client, server_db):
    body = exporter.workbook(example())
    before = counts(server_db)
    for username, status in (("demo-specialist", 403), ("other-supervisor", 403)):
        headers = {**bearer(login(client, username)), "Content-Type": XLSX}
        response = client.post("/api/v1/admin/properties/demo/import?dry_run=false", content=body, headers=headers)
        assert response.status_code == status, (username, response.text)
        assert client.get("/api/v1/admin/properties/demo/export", headers=headers).status_code in (403, 404)
    # a supervisor may not create a property by importing one
    headers = {**bearer(login(client, "demo-supervisor")), "Content-Type": XLSX}
    response = client.post(f"{IMPORT}?dry_run=false", content=body, headers=headers)
    assert response.status_code == 403, response.text
    assert counts(server_db) == before
