"""File bytes to rows: an XLSX workbook (one sheet per kind) or a CSV of one kind, cells as trimmed text.

A file that cannot be read at all is refused whole (``import.not_a_workbook``, ``import.empty_file``...);
problems inside a readable file (an unknown sheet or header) are collected like any row's problem.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from openpyxl.utils import get_column_letter

from shared.errors import LimitProblem, ValidationProblem
from sync_server.importer.problems import Issue
from sync_server.importer.sheets import BY_KIND, IGNORED_SHEETS, Column, Sheet, column_for, normal, sheet_for

MAX_BYTES = 5 * 1024 * 1024  # a property's setup is a few hundred kilobytes; more is the wrong file
MAX_ROWS = 20_000  # per sheet; an XLSX is compressed, so its byte size alone does not bound it
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Row:
    number: int  # as the spreadsheet numbers it: the header is row 1
    values: dict[str, str]


@dataclass
class Table:
    sheet: Sheet
    name: str  # as the file names it, for the problem list
    letters: dict[str, str]  # column key -> column letter
    headers: dict[str, str]  # column key -> header as written
    rows: list[Row] = field(default_factory=list)
    usable: bool = True  # False when a required header is missing: its rows are not applied


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise LimitProblem(
            "import.too_large",
            f"The file is {size / 1e6:.1f} MB; an import takes at most {MAX_BYTES // (1024 * 1024)} MB.",
            {"max_mb": MAX_BYTES // (1024 * 1024)},
        )


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, real dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook(data: bytes, issues: list[Issue]) -> list[Table]:
    from openpyxl import load_workbook

    check_size(len(data))
    if not data:
        raise ValidationProblem("import.empty_file", "The file is empty.")
    if not data.startswith(XLSX_MAGIC):
        raise ValidationProblem("import.not_a_workbook", "This file is not an Excel workbook (.xlsx).")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = [(ws.title, list(_limited(ws.iter_rows(values_only=True), ws.title))) for ws in book.worksheets]
        book.close()
    except LimitProblem:
        raise
    except Exception:  # a damaged or foreign zip: openpyxl raises many kinds
        raise ValidationProblem("import.not_a_workbook", "This file is not an Excel workbook (.xlsx).") from None
    tables = []
    for title, rows in sheets:
        sheet = sheet_for(title)
        if sheet is None:
            if normal(title) not in IGNORED_SHEETS and any(any(v not in (None, "") for v in r) for r in rows):
                issues.append(
                    Issue(
                        sheet=title,
                        row=None,
                        column=None,
                        field=None,
                        code="import.unknown_sheet",
                        args={"value": title, "expected": _expected()},
                    )
                )
            continue
        if any(any(v not in (None, "") for v in r) for r in rows):  # an empty sheet is no sheet
            tables.append(_table(sheet, title, rows, issues))
    if not tables:
        raise ValidationProblem(
            "import.no_known_sheets",
            f"The workbook has none of the sheets an import reads; name them {_expected()}.",
            {"expected": _expected()},
        )
    return tables


def read_csv(data: bytes, kind: str, issues: list[Issue]) -> Table:
    check_size(len(data))
    sheet = BY_KIND.get(kind)
    if sheet is None:
        raise ValidationProblem(
            "import.unknown_kind", f"Say which kind the CSV holds: one of {', '.join(BY_KIND)}.", {"kind": kind}
        )
    if not data.strip():
        raise ValidationProblem("import.empty_file", "The file is empty.")
    if b"\x00" in data or data.startswith(XLSX_MAGIC):
        raise ValidationProblem("import.not_csv", "This file is not a CSV text file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # what Excel writes for a CSV on a Chinese Windows
        except UnicodeDecodeError:
            raise ValidationProblem("import.not_csv", "This file is not a CSV text file.") from None
    rows = list(_limited(csv.reader(io.StringIO(text)), sheet.english[0]))
    return _table(sheet, sheet.english[0], rows, issues)


def _limited(rows: Any, title: str) -> Any:
    for n, row in enumerate(rows):
        if n > MAX_ROWS:
            raise LimitProblem(
                "import.too_many_rows", f"The sheet {title} has more than {MAX_ROWS} rows.", {"max_rows": MAX_ROWS}
            )
        yield row


def _expected() -> str:
    return ", ".join(f"{s.english[0]} / {s.chinese[0]}" for s in BY_KIND.values())


def _table(sheet: Sheet, title: str, rows: list[Any], issues: list[Issue]) -> Table:
    header = [cell_text(v) for v in rows[0]] if rows else []
    table = Table(sheet=sheet, name=title, letters={}, headers={})
    at: dict[int, Column] = {}
    for index, text in enumerate(header):
        if not text:
            continue
        column = column_for(sheet, text)
        letter = get_column_letter(index + 1)
        if column is None or column.key in table.letters:
            code = "import.unknown_column" if column is None else "import.duplicate_column"
            issues.append(Issue(sheet=title, row=1, column=letter, field=None, code=code, args={"value": text}))
            continue
        at[index] = column
        table.letters[column.key] = letter
        table.headers[column.key] = text
    for column in sheet.columns:
        if column.required and column.key not in table.letters:
            table.usable = False
            issues.append(
                Issue(
                    sheet=title,
                    row=1,
                    column=None,
                    field=column.key,
                    code="import.missing_column",
                    args={"value": column.english[0], "chinese": column.chinese[0]},
                )
            )
    for number, values in enumerate(rows[1:], start=2):
        cells = {at[i].key: cell_text(v) for i, v in enumerate(values) if i in at}
        if any(cells.values()):
            table.rows.append(Row(number=number, values=cells))
    return table
