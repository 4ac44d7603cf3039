"""Exports of a period's orders, records or findings as XLSX or CSV: localized headers, real date cells, one row
per record, written to a file row by row so that memory stays flat however many rows there are.

XLSX uses xlsxwriter's constant_memory mode (each row is flushed to disk as soon as the next one starts);
CSV is written with the csv module in UTF-8 with a BOM, which spreadsheet programs need to read Chinese.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import xlsxwriter

from shared.i18n import Translator
from shared.model import CauseFactor, DefectCategory, RecordType, Severity, WorkOrderKind, WorkOrderState
from sync_server.db import Database, accounts, reference
from sync_server.db import exports as rows_of

WHATS = ("orders", "records", "findings")
FORMATS = ("xlsx", "csv")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    key: str  # the row's field
    header: str  # catalog key of the header
    cell: str = "text"  # text | datetime | date | enum | person | place
    enum: type[Enum] | None = None
    width: float = 16


COLUMNS: dict[str, list[Column]] = {
    "orders": [
        Column("number", "report.col.number", width=16),
        Column("kind", "report.col.kind", "enum", WorkOrderKind, 12),
        Column("state", "report.col.state", "enum", WorkOrderState, 18),
        Column("category", "report.col.category", "enum", DefectCategory, 18),
        Column("severity", "report.col.severity", "enum", Severity, 10),
        Column("place_id", "report.col.place", "place", width=22),
        Column("reported_at", "report.col.reported_at", "datetime"),
        Column("due_at", "report.col.due_at", "datetime"),
        Column("closed_at", "report.col.closed_at", "datetime"),
        Column("assignee_id", "report.col.assignee", "person"),
        Column("responsible_id", "report.col.responsible", "person"),
        Column("owner_name", "report.col.owner"),
        Column("cause", "report.col.cause", "enum", CauseFactor, 12),
        Column("description", "report.col.description", width=40),
    ],
    "records": [
        Column("effective_at", "report.col.at", "datetime"),
        Column("type", "report.col.type", "enum", RecordType, 18),
        Column("author_id", "report.col.author", "person"),
        Column("place_id", "report.col.place", "place", width=22),
        Column("category", "report.col.category", "enum", DefectCategory, 18),
        Column("description", "report.col.description", width=40),
        Column("id", "report.col.id", width=38),
    ],
    "findings": [
        Column("day", "report.col.day", "date", width=12),
        Column("kind", "report.col.finding", "finding", width=30),
        Column("owner_id", "report.col.owner", "person"),
        Column("place_id", "report.col.place", "place", width=22),
        Column("message", "report.col.description", width=50),
    ],
}


def period_bounds(first: date, last: date, tr: Translator) -> tuple[datetime, datetime]:
    """The instants that start the first and end the last property day of a period."""
    start = datetime.combine(first, datetime.min.time(), tr.tz)
    return start, datetime.combine(last + timedelta(days=1), datetime.min.time(), tr.tz)


def rows(
    db: Database, what: str, *, property_id: str, first: date, last: date, tr: Translator
) -> Iterator[dict[str, Any]]:
    if what == "findings":
        return rows_of.findings_between(db, property_id=property_id, first=first.isoformat(), last=last.isoformat())
    start, end = period_bounds(first, last, tr)
    read = rows_of.orders_between if what == "orders" else rows_of.records_between
    return read(db, property_id=property_id, start=start, end=end)


def cell_reader(db: Database, property_id: str, tr: Translator) -> Callable[[Column, Any], Any]:
    """How one stored value becomes a cell: names for ids, the reader's words for enums, local naive times."""
    people = {u["id"]: u["name"] or u["username"] for u in accounts.users_of_property(db, property_id=property_id)}
    places = {
        p["id"]: p["name"] for p in reference.all_of(db, kind="place", property_id=property_id, include_archived=True)
    }

    def read(column: Column, value: Any) -> Any:
        if value is None or value == "":
            return None
        if column.cell == "datetime":
            return datetime.fromisoformat(value).astimezone(tr.tz).replace(tzinfo=None)
        if column.cell == "date":
            return date.fromisoformat(value)
        if column.cell == "person":
            return people.get(value, value)
        if column.cell == "place":
            return places.get(value, value)
        if column.cell == "finding":
            key = f"finding.{value}"
            return tr.t(key) if tr.has(key) else str(value)
        if column.enum is not None:
            try:
                return tr.enum(column.enum(value))
            except ValueError:
                return str(value)
        return value

    return read


def write(
    db: Database,
    what: str,
    fmt: str,
    out: Path,
    *,
    property_id: str,
    first: date,
    last: date,
    tr: Translator,
) -> int:
    """Write the export to ``out``; return how many data rows it holds."""
    columns = COLUMNS[what]
    read = cell_reader(db, property_id, tr)
    cells = (
        [read(c, row.get(c.key)) for c in columns]
        for row in rows(db, what, property_id=property_id, first=first, last=last, tr=tr)
    )
    headers = [tr.t(c.header) for c in columns]
    if fmt == "xlsx":
        return write_xlsx(out, tr.t(f"report.sheet.{what}"), headers, columns, cells)
    return write_csv(out, headers, cells)


def write_xlsx(out: Path, sheet: str, headers: list[str], columns: list[Column], cells: Iterable[list[Any]]) -> int:
    book = xlsxwriter.Workbook(
        str(out), {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
    )
    try:
        sheet_ = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True})
        formats = {
            "datetime": book.add_format({"num_format": DATETIME_FORMAT}),
            "date": book.add_format({"num_format": DATE_FORMAT}),
        }
        for n, column in enumerate(columns):
            sheet_.set_column(n, n, column.width, formats.get(column.cell))
        sheet_.write_row(0, 0, headers, bold)
        sheet_.freeze_panes(1, 0)
        count = 0
        for count, values in enumerate(cells, start=1):
            for n, (column, value) in enumerate(zip(columns, values, strict=True)):
                if value is None:
                    continue
                if column.cell in formats:
                    sheet_.write_datetime(count, n, value, formats[column.cell])
                else:
                    sheet_.write_string(count, n, str(value))
    finally:
        book.close()
    return count


def write_csv(out: Path, headers: list[str], cells: Iterable[list[Any]]) -> int:
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        for values in cells:
            writer.writerow([_csv_text(v) for v in values])
            count += 1
    return count


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
