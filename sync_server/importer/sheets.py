"""The shapes of an import: one sheet (or CSV) per kind, its columns and the headers accepted for each.

Headers and sheet names are matched ignoring case, blanks, underscores and brackets, in English or Simplified
Chinese; the first name of each list is the one exports and templates write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.i18n import LOCALES, load_catalog
from shared.model import PlaceKind, Role

WEEKDAY_COLUMNS = (
    ("mon", "Mon", "周一"),
    ("tue", "Tue", "周二"),
    ("wed", "Wed", "周三"),
    ("thu", "Thu", "周四"),
    ("fri", "Fri", "周五"),
    ("sat", "Sat", "周六"),
    ("sun", "Sun", "周日"),
)


@dataclass(frozen=True)
class Column:
    key: str
    english: tuple[str, ...]
    chinese: tuple[str, ...]
    required: bool = False  # the header must be there (a cell may still be blank where the rules allow)
    date: bool = False  # written as a real date in XLSX


@dataclass(frozen=True)
class Sheet:
    kind: str
    english: tuple[str, ...]
    chinese: tuple[str, ...]
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _c(key: str, english: str, chinese: str, *, required: bool = False, date: bool = False) -> Column:
    return Column(key, tuple(english.split("|")), tuple(chinese.split("|")), required, date)


_PLACE_COLUMNS = (
    _c("id", "Id|Place id", "编号|位置编号", required=True),
    _c("kind", "Kind|Type", "类型|类别", required=True),
    _c("name", "Name", "名称", required=True),
    _c("parent_id", "Parent id|Parent", "上级编号|上级"),
    _c("owner_name", "Owner name|Owner", "业主姓名|业主"),
    _c("owner_contact", "Owner contact|Contact", "联系电话|联系方式"),
)

# In the order they are applied: a route names its specialist, a checkpoint its route and place, a permit its unit.
SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "property",
        ("Property",),
        ("物业", "项目"),
        (
            _c("id", "Id|Property id", "编号|物业编号", required=True),
            _c("name", "Name", "名称|物业名称", required=True),
            _c("tz", "Time zone|tz", "时区", required=True),
            _c("rectification_hours", "Rectification hours", "整改时限（小时）|整改时限"),
            *(_c(key, en, zh) for key, en, zh in WEEKDAY_COLUMNS),
        ),
    ),
    Sheet(
        "users",
        ("Users",),
        ("用户", "人员"),
        (
            _c("username", "Username", "用户名|账号", required=True),
            _c("name", "Name", "姓名", required=True),
            _c("role", "Role", "角色", required=True),
            _c("id", "Id|User id", "编号|用户编号"),
            _c("active", "Active", "启用|在职"),
        ),
    ),
    Sheet("places", ("Places",), ("位置",), _PLACE_COLUMNS),
    # the owners' list as service centers keep it: one row per unit, its building and floor named, not numbered
    Sheet(
        "units",
        ("Units", "Owners"),
        ("房屋", "业主", "业主名册"),
        (
            _c("building", "Building", "楼栋|楼号", required=True),
            _c("floor", "Floor", "楼层", required=True),
            _c("unit", "Unit", "单元|房号|房间号", required=True),
            _c("owner_name", "Owner name|Owner", "业主姓名|业主"),
            _c("owner_contact", "Owner contact|Contact", "联系电话|联系方式|电话"),
            _c("id", "Unit id|Id", "单元编号|编号"),
        ),
    ),
    Sheet("areas", ("Areas", "Common areas"), ("公共区域",), tuple(c for c in _PLACE_COLUMNS if c.key != "kind")),
    Sheet(
        "routes",
        ("Routes",),
        ("路线", "巡检路线"),
        (
            _c("id", "Route id|Id", "路线编号|编号", required=True),
            _c("name", "Name", "路线名称|名称", required=True),
            _c("assigned_to", "Specialist username|Specialist", "巡检员账号|巡检员"),
            _c("weekdays", "Weekdays", "巡检日"),
        ),
    ),
    Sheet(
        "checkpoints",
        ("Checkpoints",),
        ("巡检点",),
        (
            _c("route_id", "Route id", "路线编号", required=True),
            _c("position", "Position", "顺序"),
            _c("place_id", "Place id", "位置编号", required=True),
            _c("name", "Name", "巡检点名称|名称"),
            _c("scan_code", "Scan code|Code", "扫码编号|二维码", required=True),
            _c("id", "Checkpoint id|Id", "巡检点编号|编号"),
        ),
    ),
    Sheet(
        "permits",
        ("Permits",),
        ("装修许可", "装修许可证"),
        (
            _c("id", "Permit id|Id", "许可证编号|编号"),
            _c("unit_id", "Unit id", "单元编号", required=True),
            _c("contractor", "Contractor", "施工单位", required=True),
            _c("starts_on", "Starts on", "开工日期", required=True, date=True),
            _c("ends_on", "Ends on", "完工日期", required=True, date=True),
            _c("applied_on", "Application date", "申请日期", date=True),
            _c("approved_on", "Approval date", "批准日期", date=True),
            _c("workers", "Workers", "施工人员"),
            _c("ended_on", "Ended on", "结束日期", date=True),
            _c("passes_returned", "Passes returned", "退还出入证数"),
            _c("fees_settled", "Fees settled", "费用已结清"),
        ),
    ),
)
BY_KIND = {s.kind: s for s in SHEETS}
IGNORED_SHEETS = ("readme", "说明", "instructions")  # a template's notes are not data


def normal(text: object) -> str:
    """What a header is compared as: lower case without blanks, underscores, hyphens and brackets."""
    return re.sub(r"[\s_\-()（）]+", "", str(text or "")).casefold()


def sheet_for(name: str) -> Sheet | None:
    wanted = normal(name)
    for sheet in SHEETS:
        if wanted in {normal(n) for n in (sheet.kind, *sheet.english, *sheet.chinese)}:
            return sheet
    return None


def column_for(sheet: Sheet, header: str) -> Column | None:
    wanted = normal(header)
    for column in sheet.columns:
        if wanted in {normal(n) for n in (column.key, *column.english, *column.chinese)}:
            return column
    return None


def _words(prefix: str, values: list[str], extra: dict[str, str]) -> dict[str, str]:
    """A value's name in any catalog (``管理员`` → ``admin``), its own spelling and some extra words."""
    found = {normal(v): v for v in values} | {normal(k): v for k, v in extra.items()}
    for locale in LOCALES:
        catalog = load_catalog(locale)
        found |= {normal(catalog[f"{prefix}.{v}"]): v for v in values if f"{prefix}.{v}" in catalog}
    return found


ROLE_WORDS = _words("role", [r.value for r in Role], {})
KIND_WORDS = _words(
    "place_kind",
    [k.value for k in PlaceKind],
    {
        "楼栋": "building",
        "楼": "building",
        "楼层": "floor",
        "层": "floor",
        "单元": "unit",
        "房屋": "unit",
        "公共区域": "area",
        "区域": "area",
    },
)
WEEKDAY_WORDS = {
    **{normal(k): k for k, _, _ in WEEKDAY_COLUMNS},
    **{normal(zh): k for k, _, zh in WEEKDAY_COLUMNS},
    **{normal(zh.replace("周", "星期")): k for k, _, zh in WEEKDAY_COLUMNS},
    **{normal(zh[-1]): k for k, _, zh in WEEKDAY_COLUMNS},
    "星期天": "sun",
    "周天": "sun",
    "天": "sun",
    **{
        normal(name): k
        for (k, _, _), name in zip(
            WEEKDAY_COLUMNS, ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), strict=True
        )
    },
}
YES = {normal(w) for w in ("yes", "y", "true", "1", "是", "有", "已结清", "启用", "在职", "sí", "si", "x", "✓")}
NO = {normal(w) for w in ("no", "n", "false", "0", "否", "无", "未结清", "停用", "离职")}
