"""The example files shipped in ``assets/templates/``: a small property in every shape an import reads.

``python -m sync_server.importer.templates`` writes them again; a test checks the shipped ones read the same
and import into an empty server without a problem.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from sync_server import exporter

FOLDER = Path(__file__).resolve().parents[2] / "assets" / "templates"
PROPERTY = "tower-a"
WEEK = {d: "08:30-18:00" for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": "09:00-17:00", "sun": "closed"}

EXAMPLE: dict[str, list[dict[str, Any]]] = {
    "property": [
        {"id": PROPERTY, "name": "Tower A Residences", "tz": "Asia/Shanghai", "rectification_hours": "24", **WEEK}
    ],
    "users": [
        {"username": "wang.fang", "name": "王芳", "role": "supervisor", "id": "", "active": "yes"},
        {"username": "li.lei", "name": "李雷", "role": "specialist", "id": "", "active": "yes"},
        {"username": "zhao.qiang", "name": "赵强", "role": "maintenance", "id": "", "active": "yes"},
    ],
    "places": [
        {"id": "a-b1", "kind": "building", "name": "1号楼"},
        {"id": "a-b1-f1", "kind": "floor", "name": "1层", "parent_id": "a-b1"},
        {"id": "a-b1-f2", "kind": "floor", "name": "2层", "parent_id": "a-b1"},
        {
            "id": "a-b1-101",
            "kind": "unit",
            "name": "101",
            "parent_id": "a-b1-f1",
            "owner_name": "陈明",
            "owner_contact": "13800000001",
        },
        {
            "id": "a-b1-201",
            "kind": "unit",
            "name": "201",
            "parent_id": "a-b1-f2",
            "owner_name": "周丽",
            "owner_contact": "13800000002",
        },
        {"id": "a-lobby", "kind": "area", "name": "大堂", "parent_id": "a-b1"},
        {"id": "a-garage", "kind": "area", "name": "地下车库"},
        {"id": "a-periphery", "kind": "area", "name": "周界"},
    ],
    "routes": [{"id": "a-r1", "name": "早班巡检", "assigned_to": "li.lei", "weekdays": "mon,tue,wed,thu,fri"}],
    "checkpoints": [
        {
            "route_id": "a-r1",
            "position": "1",
            "place_id": "a-lobby",
            "name": "大堂",
            "scan_code": "A-R1-01",
            "id": "a-r1-cp1",
        },
        {
            "route_id": "a-r1",
            "position": "2",
            "place_id": "a-garage",
            "name": "车库入口",
            "scan_code": "A-R1-02",
            "id": "a-r1-cp2",
        },
        {
            "route_id": "a-r1",
            "position": "3",
            "place_id": "a-periphery",
            "name": "东门",
            "scan_code": "A-R1-03",
            "id": "a-r1-cp3",
        },
    ],
    "permits": [
        {
            "id": "a-permit-1",
            "unit_id": "a-b1-201",
            "contractor": "安居装饰公司",
            "starts_on": date(2026, 12, 1),
            "ends_on": date(2027, 1, 31),
            "applied_on": date(2026, 11, 25),
            "approved_on": date(2026, 11, 26),
            "workers": "张伟: P-001; 刘洋: P-002",
        },
    ],
}

# the owners' list as it is usually kept; imported after the workbook it adds to its building 1号楼
UNITS: list[dict[str, Any]] = [
    {"building": "1号楼", "floor": "3层", "unit": "301", "owner_name": "孙涛", "owner_contact": "13800000003"},
    {"building": "1号楼", "floor": "3层", "unit": "302", "owner_name": "吴静", "owner_contact": "13800000004"},
    {"building": "2号楼", "floor": "1层", "unit": "101", "owner_name": "郑凯", "owner_contact": "13800000005"},
]

README = [
    ("Sheet / 工作表", "What it holds / 内容"),
    (
        "Property / 物业",
        "One row: id, name, time zone (Asia/Shanghai), rectification hours, opening hours per day "
        "(08:30-18:00 or closed). 一行：编号、名称、时区、整改时限、每天营业时间（08:30-18:00 或 休息）。",
    ),
    (
        "Users / 用户",
        "username, name, role (specialist, site_supervisor, supervisor, maintenance, admin); each gets a "
        "temporary password. 用户名、姓名、角色；导入后每人获得临时密码。",
    ),
    (
        "Places / 位置",
        "Buildings, floors, units (with owner name and contact) and common areas (kind = area); "
        "parent id: a floor's building, a unit's floor. "
        "楼栋、楼层、单元（含业主姓名和联系电话）及公共区域（类型=公共区域）。",
    ),
    (
        "Units / 房屋",
        "Or a row per unit: building, floor, unit, owner name, contact; buildings and floors are made once by name. "
        "或每个单元一行：楼栋、楼层、房号、业主姓名、联系电话；楼栋和楼层按名称只建一次。",
    ),
    (
        "Routes / 路线",
        "Route id, name, the specialist's username, weekdays (mon,tue,... or 周一、周二...). "
        "路线编号、名称、巡检员账号、巡检日。",
    ),
    (
        "Checkpoints / 巡检点",
        "One row per checkpoint: route id, position (1 = first), place id, name, scan code "
        "(unique). 每个巡检点一行：路线编号、顺序、位置编号、名称、扫码编号（不可重复）。",
    ),
    (
        "Permits / 装修许可",
        "Unit id, contractor, dates (a date cell or YYYY-MM-DD), workers as 'name: pass; name: pass'."
        " 单元编号、施工单位、日期、施工人员（姓名: 出入证号; ...）。",
    ),
    (
        "",
        "Headers in English or Chinese; blank rows are skipped. A dry run lists every problem; the import writes all "
        "or nothing. 表头可用中文或英文；试导入会列出全部问题，正式导入要么全部写入，要么都不写。",
    ),
]


def workbook(*, chinese: bool) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(exporter.workbook(EXAMPLE, chinese=chinese)))
    notes = book.create_sheet("说明" if chinese else "README", 0)
    for line in README:
        notes.append(list(line))
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(folder: Path = FOLDER) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = {
        folder / "setup-template.xlsx": workbook(chinese=False),
        folder / "setup-template-zh.xlsx": workbook(chinese=True),
        **{folder / f"{kind}.csv": exporter.csv_of(kind, rows) for kind, rows in EXAMPLE.items()},
        folder / "units.csv": exporter.csv_of("units", UNITS, chinese=True),
    }
    for path, data in written.items():
        path.write_bytes(data)
    return list(written)


if __name__ == "__main__":
    for path in write():
        print(path)
