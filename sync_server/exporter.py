"""A property's setup in the shapes an import reads (``sync_server.importer.sheets``): export, then import into
an empty server, gives the same property, places, routes, checkpoints, permits and users.

Archived places, routes and checkpoints are not exported (an import creates what is in use); users keep their
ids but not their passwords (an import gives each a temporary one).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sync_server.db import Database, work_orders
from sync_server.db import admin as admin_db
from sync_server.importer import cells
from sync_server.importer.sheets import BY_KIND, SHEETS, WEEKDAY_COLUMNS, Sheet
from sync_server.settings import Settings

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTED = ("property", "users", "places", "routes", "checkpoints", "permits")  # areas travel as Places rows


def rows_of(db: Database, settings: Settings, *, property_id: str, kind: str) -> list[dict[str, Any]]:
    """The rows of one sheet, keyed by column, values as text (dates as ``date``)."""
    return _READERS[kind](db, settings, property_id)


def _property(db: Database, settings: Settings, pid: str) -> list[dict[str, Any]]:
    found = admin_db.properties(db, only=pid)
    if not found:
        return []
    p = found[0]
    hours = work_orders.rectification_hours(db, property_id=pid, default=settings.rectification_hours)
    week = {key: cells.hours_text(p["working_hours"].get(key)) for key, _, _ in WEEKDAY_COLUMNS}
    return [{"id": p["id"], "name": p["name"], "tz": p["tz"], "rectification_hours": str(hours), **week}]


def _users(db: Database, settings: Settings, pid: str) -> list[dict[str, Any]]:
    return [
        {
            "username": u["username"],
            "name": u["name"],
            "role": u["role"],
            "id": u["id"],
            "active": "yes" if u["active"] else "no",
        }
        for u in admin_db.users(db, property_id=pid)
    ]


def _places(db: Database, settings: Settings, pid: str) -> list[dict[str, Any]]:
    rows = admin_db.rows_of(db, table="places", property_id=pid)
    parents = {r["id"]: r["parent_id"] for r in rows}

    def depth(place_id: str) -> int:
        n, cursor = 0, parents.get(place_id)
        while cursor and n < 50:
            n, cursor = n + 1, parents.get(cursor)
        return n

    return [
        {
            "id": r["id"],
            "kind": r["kind"],
            "name": r["name"],
            "parent_id": r["parent_id"] or "",
            "owner_name": r["owner_name"] or "",
            "owner_contact": r["owner_contact"] or "",
        }
        for r in sorted(rows, key=lambda r: (depth(r["id"]), r["id"]))
    ]


def _routes(db: Database, settings: Settings, pid: str) -> list[dict[str, Any]]:
    usernames = {u["id"]: u["username"] for u in admin_db.users(db, property_id=pid)}
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "assigned_to": usernames.get(r["assigned_to"] or "", ""),
            "weekdays": cells.weekdays_text(r["weekdays"]),
        }
        for r in admin_db.rows_of(db, table="routes", property_id=pid)
    ]


def _checkpoints(db: Database, settings: Settings, pid: str) -> list[dict[str, Any]]:
    live_routes = {r["id"] for r in admin_db.rows_of(db, table="routes", property_id=pid)}
    return [
        {
            "route_id": c["route_id"],
            "position": str(c["position"]),
            "place_id": c["place_id"],
            "name": c["name"],
            "scan_code": c["scan_code"],
            "id": c["id"],
        }
        for c in admin_db.rows_of(db, table="checkpoints", property_id=pid)
        if c["route_id"] in live_routes
    ]


def _permits(db: Database, settings: Settings, pid: str) -> list[dict[str, Any]]:
    def day(text: str | None) -> date | str:
        return date.fromisoformat(text) if text else ""

    out = []
    for p in admin_db.rows_of(db, table="permits", property_id=pid):
        ended = p["status"] != "active"
        out.append(
            {
                "id": p["id"],
                "unit_id": p["unit_id"],
                "contractor": p["contractor"],
                "starts_on": day(p["starts_on"]),
                "ends_on": day(p["ends_on"]),
                "applied_on": day(p["applied_on"]),
                "approved_on": day(p["approved_on"]),
                "workers": cells.workers_text(p["workers"]),
                "ended_on": day(p["ended_on"]) if ended else "",
                "passes_returned": str(p["passes_returned"] or 0) if ended else "",
                "fees_settled": ("yes" if p["fees_settled"] else "no") if ended else "",
            }
        )
    return out


_READERS = {
    "property": _property,
    "users": _users,
    "places": _places,
    "routes": _routes,
    "checkpoints": _checkpoints,
    "permits": _permits,
}


def headers(sheet: Sheet, chinese: bool) -> list[str]:
    return [(c.chinese if chinese else c.english)[0] for c in sheet.columns]


def workbook(data: dict[str, list[dict[str, Any]]], *, chinese: bool = False) -> bytes:
    """An XLSX with one sheet per kind (English or Chinese sheet names and headers)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        if sheet.kind not in data:
            continue
        ws = book.create_sheet((sheet.chinese if chinese else sheet.english)[0])
        ws.append(headers(sheet, chinese))
        for row in data[sheet.kind]:
            ws.append([row.get(c.key, "") for c in sheet.columns])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # a name that starts with "=" is text, not a formula to run
        for index, column in enumerate(sheet.columns, start=1):
            letter = ws.cell(row=1, column=index).column_letter
            ws.column_dimensions[letter].width = 18
            if column.date:
                for cell in ws[letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
            else:
                for cell in ws[letter][1:]:
                    cell.number_format = "@"  # text: a unit "0101" or a phone number stays as written
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_of(kind: str, rows: list[dict[str, Any]], *, chinese: bool = False) -> bytes:
    """One kind as CSV, UTF-8 with a byte-order mark so that Excel opens Chinese text right."""
    sheet = BY_KIND[kind]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(sheet, chinese))
    for row in rows:
        writer.writerow([_text(row.get(c.key, "")) for c in sheet.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def export(
    db: Database, settings: Settings, *, property_id: str, kinds: tuple[str, ...] = EXPORTED
) -> dict[str, list[dict[str, Any]]]:
    return {kind: rows_of(db, settings, property_id=property_id, kind=kind) for kind in kinds}
