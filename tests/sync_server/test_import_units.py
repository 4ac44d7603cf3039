"""The owners' list as service centers keep it (楼栋 / 楼层 / 单元 / 业主姓名 / 联系电话) builds the place tree."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.sync_server.import_books import counts, empty_server, reference_tables  # noqa: F401 (fixture)

IMPORT = "/api/v1/admin/properties/tower-a/import"


def _book(units: list[list]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("物业")
    sheet.append(["编号", "名称", "时区"])
    sheet.append(["tower-a", "阳光花园", "Asia/Shanghai"])
    sheet = book.create_sheet("房屋")
    sheet.append(["楼栋", "楼层", "房号", "业主姓名", "联系电话"])
    for row in units:
        sheet.append(row)
    sheet = book.create_sheet("装修许可")
    sheet.append(["单元编号", "施工单位", "开工日期", "完工日期", "施工人员"])
    sheet.append(["tower-a-b1-f2-201", "安居装饰", "2026-12-01", "2026-12-31", "张伟：P-1；刘洋：P-2"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_row_per_unit_makes_each_building_and_floor_once_with_readable_ids(empty):
    body = _book(
        [
            ["1号楼", "1层", "101", "陈明", 13800000001],
            ["1号楼", "1层", "102", "李华", None],
            ["1号楼", "2层", 201, "周丽", "13800000002"],
            ["2号楼", "1层", "101", None, None],
        ]
    )
    response = empty.post(f"{IMPORT}?dry_run=false", body)
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["places"] == 9  # 2 buildings, 3 floors, 4 units
    db = empty.db()
    tables = reference_tables(db, "tower-a")
    db.close()
    tree = {(p["id"], p["kind"], p["name"], p["parent_id"], p["owner_name"]) for p in tables["places"]}
    assert tree == {
        ("tower-a-b1", "building", "1号楼", None, None),
        ("tower-a-b1-f1", "floor", "1层", "tower-a-b1", None),
        ("tower-a-b1-f1-101", "unit", "101", "tower-a-b1-f1", "陈明"),
        ("tower-a-b1-f1-102", "unit", "102", "tower-a-b1-f1", "李华"),
        ("tower-a-b1-f2", "floor", "2层", "tower-a-b1", None),
        ("tower-a-b1-f2-201", "unit", "201", "tower-a-b1-f2", "周丽"),
        ("tower-a-b2", "building", "2号楼", None, None),
        ("tower-a-b2-f1", "floor", "1层", "tower-a-b2", None),
        ("tower-a-b2-f1-101", "unit", "101", "tower-a-b2-f1", None),
    }
    permit = tables["permits"][0]
    assert (permit["unit_id"], permit["passes_registered"]) == ("tower-a-b1-f2-201", 2)


def test_a_unit_without_a_number_or_listed_twice_is_reported_at_its_cell(empty):
    db = empty.db()
    before = counts(db)
    body = _book(
        [
            ["1号楼", "1层", "101", "陈明", None],
            ["1号楼", "1层", None, "无房号", None],
            ["1号楼", "1层", "101", "陈明", None],
            [None, "2层", "201", None, None],
            ["1号楼", "2层", "201", None, None],
        ]
    )
    problems = empty.post(f"{IMPORT}?dry_run=true", body, **{"Accept-Language": "zh-Hans"}).json()["problems"]
    assert [(p["sheet"], p["row"], p["column"], p["code"]) for p in problems] == [
        ("房屋", 3, "C", "admin.required"),
        ("房屋", 4, "C", "admin.exists"),
        ("房屋", 5, "A", "admin.required"),
    ]
    assert problems[1]["message"] == "房屋 第 4 行 C 列：房号：“101”已存在；请换一个编号。"
    assert counts(db) == before
    db.close()
