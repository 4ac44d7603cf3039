"""The figures of a period (the numbers ``GET /api/v1/stats`` gives) as XLSX or CSV, with the reader's headers.

The figures are a handful of small tables, not a stream of rows: counts, rates, targets (met, missed or no
data), the Pareto of problem categories with its key few, the cause factors and the trend by day. XLSX gives
each table its own sheet, with rates as real numbers in a percent format (so a spreadsheet can add them up);
CSV, which has only one table, writes them one after another, each under its title, separated by a blank row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

from shared.figures import COUNTS, RATES
from shared.i18n import Translator
from sync_server.reports import wording

PERCENT = "0.0%"
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    percent_columns: frozenset[int] = frozenset()  # columns holding fractions, shown as percentages
    date_columns: frozenset[int] = frozenset()


def cause_text(tr: Translator, name: str) -> str:
    return tr.t("report.cause.unknown") if name == "unknown" else wording.enum_text(tr, "cause", name)


def tables(figures: dict[str, Any], tr: Translator) -> list[Table]:
    """The figures as the tables a supervisor reads, in the reader's language."""
    counts, rates = figures["counts"], figures["rates"]
    targets = [
        [
            tr.t(f"report.target.{t['name']}"),
            t["value"],
            wording.comparison(tr, t["comparison"]),
            t["target"],
            wording.verdict(tr, t["met"]),
        ]
        for t in figures["targets"]
    ]
    bars = [
        [
            wording.enum_text(tr, "category", b["category"]),
            b["count"],
            b["share"],
            b["cumulative"],
            tr.t("report.col.yes") if b["key"] else "",
        ]
        for b in figures["pareto"]
    ]
    found = figures["causes"]
    total = sum(found.values())
    causes = [[cause_text(tr, name), n, n / total if total else None] for name, n in found.items()]
    trend = [
        [date.fromisoformat(p["day"]), p["defects"], p["complaints"], p["orders_opened"], p["overdue"]]
        for p in figures["trend"]
    ]
    return [
        Table(
            tr.t("report.sheet.counts"),
            [tr.t("report.col.figure"), tr.t("report.col.count")],
            [[tr.t(f"report.count.{name}"), counts[name]] for name in COUNTS],
        ),
        Table(
            tr.t("report.sheet.rates"),
            [tr.t("report.col.figure"), tr.t("report.col.rate")],
            [[tr.t(f"report.rate.{name}"), rates[name]] for name in RATES],
            frozenset({1}),
        ),
        Table(
            tr.t("report.period.targets"),
            [
                tr.t("report.col.target_name"),
                tr.t("report.col.value"),
                tr.t("report.col.comparison"),
                tr.t("report.col.target"),
                tr.t("report.col.result"),
            ],
            targets,
            frozenset({1, 3}),
        ),
        Table(
            tr.t("report.sheet.pareto"),
            [
                tr.t("report.col.category"),
                tr.t("report.col.count"),
                tr.t("report.col.share"),
                tr.t("report.col.cumulative"),
                tr.t("report.col.key_few"),
            ],
            bars,
            frozenset({2, 3}),
        ),
        Table(
            tr.t("report.period.causes"),
            [tr.t("report.col.cause"), tr.t("report.col.count"), tr.t("report.col.share")],
            causes,
            frozenset({2}),
        ),
        Table(
            tr.t("report.sheet.trend"),
            [
                tr.t("report.col.day"),
                tr.t("report.count.defects"),
                tr.t("report.count.complaints"),
                tr.t("report.count.orders_opened"),
                tr.t("report.count.overdue"),
            ],
            trend,
            date_columns=frozenset({0}),
        ),
    ]


def write(figures: dict[str, Any], fmt: str, out: Path, tr: Translator) -> int:
    """Write the figures to ``out`` as ``xlsx`` or ``csv``; return how many data rows the tables hold."""
    found = tables(figures, tr)
    if fmt == "xlsx":
        write_xlsx(out, found)
    else:
        write_csv(out, found)
    return sum(len(t.rows) for t in found)


def write_xlsx(out: Path, found: list[Table]) -> None:
    book = xlsxwriter.Workbook(str(out), {"strings_to_numbers": False, "strings_to_urls": False})
    try:
        bold = book.add_format({"bold": True})
        percent = book.add_format({"num_format": PERCENT})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        for table in found:
            sheet = book.add_worksheet(table.title.translate(SHEET_NAME_FORBIDDEN)[:31])
            sheet.write_row(0, 0, table.headers, bold)
            sheet.freeze_panes(1, 0)
            sheet.set_column(0, 0, 30)
            sheet.set_column(1, len(table.headers) - 1, 14)
            for r, values in enumerate(table.rows, start=1):
                for c, value in enumerate(values):
                    if value is None or value == "":
                        continue  # nothing to count: an empty cell, never a 0 that would read as 0%
                    if c in table.date_columns:
                        sheet.write_datetime(r, c, value, day)
                    elif isinstance(value, int | float):
                        sheet.write_number(r, c, value, percent if c in table.percent_columns else None)
                    else:
                        sheet.write_string(r, c, str(value))
    finally:
        book.close()


def write_csv(out: Path, found: list[Table]) -> None:
    """UTF-8 with a BOM (spreadsheet programs need it to read Chinese); fractions as plain numbers 0..1."""
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        for n, table in enumerate(found):
            if n:
                writer.writerow([])
            writer.writerow([table.title])
            writer.writerow(table.headers)
            for values in table.rows:
                writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in values])
