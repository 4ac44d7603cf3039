"""The owners' list as people keep it: a row per unit naming its building and floor (楼栋 / 楼层 / 单元).

Each building and floor is made once, the first time a row names it, or found when the property (or the
Places sheet) has it already under that name; ids are made from the property and the names (``tower-a-b1-f3-302``).
"""

from __future__ import annotations

import hashlib
import re
from functools import partial
from typing import TYPE_CHECKING, Any

from shared.errors import ConflictProblem
from sync_server.admin import places
from sync_server.db import admin as admin_db
from sync_server.importer.problems import FAILED

if TYPE_CHECKING:
    from sync_server.importer.apply import _Import

LEVELS = (("building", "building", "b"), ("floor", "floor", "f"), ("unit", "unit", ""))
_NOT_ID = re.compile(r"[^A-Za-z0-9]+")


def units(work: _Import) -> None:
    rows = work.rows("units")
    if not rows:
        return
    # what the property has (the Places sheet's rows included): (kind, parent, name) -> id
    known: dict[tuple[str, str | None, str], str] = {
        (p["kind"], p["parent_id"], p["name"]): p["id"]
        for p in admin_db.rows_of(work.db, table="places", property_id=work.pid)
    }
    taken = {p["id"] for p in admin_db.rows_of(work.db, table="places", property_id=work.pid, include_archived=True)}
    failed: set[tuple[str, str | None, str]] = set()
    for table, row in rows:
        v = row.values
        parent: str | None = None
        for column, kind, prefix in LEVELS:
            name = v.get(column, "").strip()
            key = (kind, parent, name)
            if key in failed:
                break  # a building or floor that failed on an earlier row: its problem is reported there
            if kind != "unit" and name and key in known:
                parent = known[key]
                continue
            if kind == "unit" and key in known:  # the same unit twice: a second would be a different place
                work.report(
                    table,
                    row,
                    ConflictProblem("admin.exists", f"unit: {name!r} is on this floor already.", {"field": "unit"}),
                )
                break
            given = v.get("id", "") if kind == "unit" else ""
            place_id = given or _new_id(work.pid, parent, prefix, name, taken)
            owner = (
                {"owner_name": v.get("owner_name"), "owner_contact": v.get("owner_contact")} if kind == "unit" else {}
            )
            made = work.attempt(
                table,
                row,
                partial(_create, work, kind, name, parent, place_id, owner),
                fields={"name": column, "parent_id": column, "": column} | ({"id": "id"} if kind == "unit" else {}),
            )
            if made is FAILED:
                if name:
                    failed.add(key)
                break
            taken.add(made["id"])
            known[key] = parent = made["id"]


def _create(work: _Import, kind: str, name: str, parent: str | None, place_id: str, owner: dict[str, Any]) -> Any:
    made = places.create_place(
        work.db,
        work.settings,
        work.actor,
        property_id=work.pid,
        kind=kind,
        name=name,
        parent_id=parent,
        place_id=place_id,
        **owner,
    )
    work.counts["places"] += 1
    return made


def _new_id(pid: str, parent: str | None, prefix: str, name: str, taken: set[str]) -> str:
    """Readable where the name allows (``1号楼`` → ``b1``), else a short hash of the name; never one in use."""
    part = _NOT_ID.sub("", name) or hashlib.sha1(name.encode()).hexdigest()[:6]
    base = f"{parent or pid}-{prefix}{part}"[:90]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
