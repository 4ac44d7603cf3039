"""Rows to data, through the same service functions as the API, in one transaction: all or nothing.

Every row runs in a savepoint; a row the service layer refuses is noted (sheet, row, column, code) and the
import goes on, so that one pass lists every problem. A row that points at a row which failed is skipped
quietly: its only problem is the other row's. Any problem, or a dry run, rolls the whole transaction back.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.errors import PatrolError, ValidationProblem
from sync_server.admin import places, properties, users
from sync_server.admin.common import Actor, authorize
from sync_server.db import Database, reference, savepoint, transaction
from sync_server.importer import cells, units, walks
from sync_server.importer.problems import FAILED, Issue
from sync_server.importer.read import Row, Table
from sync_server.importer.sheets import KIND_WORDS, ROLE_WORDS, WEEKDAY_COLUMNS, normal
from sync_server.settings import Settings

COUNTED = ("places", "routes", "checkpoints", "permits", "users")


class _RollBack(Exception):
    pass


@dataclass
class Outcome:
    dry_run: bool
    problems: list[Issue]
    counts: dict[str, int]
    users: list[dict[str, str]] = field(default_factory=list)  # username and temporary password, once

    @property
    def ok(self) -> bool:
        return not self.problems


def run_import(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    property_id: str,
    tables: list[Table],
    issues: list[Issue],
    dry_run: bool,
) -> Outcome:
    """Apply ``tables`` to the property; ``issues`` holds what reading the file found already."""
    if not (actor.is_admin and reference.get_property(db, property_id=property_id) is None):
        authorize(actor, property_id)  # refused whole (403) before any row is looked at
    work = _Import(db, settings, actor, property_id, tables, list(issues))
    try:
        with transaction(db):
            work.run()
            if dry_run or work.issues:
                raise _RollBack
    except _RollBack:
        pass
    done = not dry_run and not work.issues
    return Outcome(dry_run, work.issues, work.counts, work.passwords if done else [])


class _Import:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        actor: Actor,
        pid: str,
        tables: list[Table],
        issues: list[Issue],
    ) -> None:
        self.db, self.settings, self.actor, self.pid = db, settings, actor, pid
        self.tables: dict[str, list[Table]] = {}
        for table in tables:
            if table.usable:
                self.tables.setdefault(table.sheet.kind, []).append(table)
        self.issues: list[Issue] = issues
        self.counts = dict.fromkeys(COUNTED, 0)
        self.passwords: list[dict[str, str]] = []
        self.failed: dict[str, set[str]] = {k: set() for k in ("users", "places", "routes")}
        self.made: dict[str, set[str]] = {k: set() for k in ("users", "places", "routes")}

    def note(self, kind: str, key: str, result: Any) -> bool:
        """Remember whether the row of ``key`` was made; True when it was."""
        if result is FAILED:
            if key not in self.made[kind]:
                self.failed[kind].add(key)
            return False
        self.made[kind].add(key)
        self.failed[kind].discard(key)
        if kind in self.counts:
            self.counts[kind] += 1
        return True

    def broken(self, kind: str, key: str | None) -> bool:
        """Whether a row points at one that failed: it is skipped, as its only problem is the other row's."""
        return bool(key) and key in self.failed[kind]

    def rows(self, *kinds: str) -> list[tuple[Table, Row]]:
        return [(t, r) for k in kinds for t in self.tables.get(k, []) for r in t.rows]

    def run(self) -> None:
        if not self._property():
            return
        self._users()
        self._places()
        units.units(self)
        walks.routes(self)
        walks.checkpoints(self)
        walks.permits(self)

    # ---- one row -----------------------------------------------------------------------------

    def attempt(
        self, table: Table, row: Row, change: Callable[[], Any], *, fields: dict[str, str] | None = None
    ) -> Any:
        """Run one row's change in a savepoint; ``fields`` names the columns of service fields the sheet lacks."""
        try:
            with savepoint(self.db):
                return change()
        except PatrolError as problem:
            self.report(table, row, problem, fields=fields)
            return FAILED

    def report(self, table: Table, row: Row, problem: PatrolError, *, fields: dict[str, str] | None = None) -> None:
        named = str(problem.detail.get("field") or "")
        key = (fields or {}).get(named) or _column(table, problem) or (fields or {}).get("")
        scalars = {k: v for k, v in problem.detail.items() if isinstance(v, str | int) and k != "field"}
        args = {**scalars, "value": row.values.get(key, "") if key else "", "message": problem.message}
        args["header"] = table.headers.get(key, key) if key else ""
        self.issues.append(
            Issue(
                table.name, row.number, table.letters.get(key) if key else None, key, problem.code, args, problem.detail
            )
        )

    # ---- the kinds, in order -----------------------------------------------------------------

    def _property(self) -> bool:
        """Create or update the property; False when there is none to import into."""
        exists = reference.get_property(self.db, property_id=self.pid) is not None
        found = self.rows("property")
        for table, row in found[1:]:
            self.issues.append(Issue(table.name, row.number, None, None, "import.one_property"))
        if found:
            table, row = found[0]
            v = row.values
            if v.get("id", self.pid) != self.pid:
                self.report(
                    table,
                    row,
                    ValidationProblem(
                        "import.property_mismatch",
                        f"This file is for property {v['id']!r}, not {self.pid!r}.",
                        {"field": "id", "expected": self.pid},
                    ),
                )
            given: dict[str, Any] = {"name": v.get("name", ""), "tz": v.get("tz", "")}
            if v.get("rectification_hours"):
                given["rectification_hours"] = cells.whole_number(v["rectification_hours"])
            if any(key in table.letters for key, _, _ in WEEKDAY_COLUMNS):
                given["working_hours"] = cells.working_hours(v)
            if exists:
                changes = {k: value for k, value in given.items() if value != ""}  # a blank cell leaves it as it is
                self.attempt(
                    table,
                    row,
                    lambda: properties.update_property(
                        self.db, self.settings, self.actor, property_id=self.pid, **changes
                    ),
                )
            elif (
                self.attempt(
                    table,
                    row,
                    lambda: properties.create_property(
                        self.db, self.settings, self.actor, property_id=self.pid, **given
                    ),
                )
                is not FAILED
            ):
                return True
        elif not exists:
            self.issues.append(Issue(None, None, None, None, "import.no_property", {"value": self.pid}))
        if not exists and self.actor.is_admin:
            # keep checking the other sheets against a stand-in property; the problems roll it all back
            with savepoint(self.db):
                properties.create_property(
                    self.db, self.settings, self.actor, property_id=self.pid, name=self.pid, tz=self.settings.tz_name
                )
        return reference.get_property(self.db, property_id=self.pid) is not None

    def _users(self) -> None:
        for table, row in self.rows("users"):
            v = row.values
            password = secrets.token_urlsafe(12)

            def create(v: dict[str, str] = v, password: str = password) -> dict[str, Any]:
                active = cells.yes_no(v.get("active", "")) if v.get("active") else True
                if active is None:
                    raise ValidationProblem("import.invalid_yes_no", "active: write yes or no.", {"field": "active"})
                user = users.create_user(
                    self.db,
                    self.settings,
                    self.actor,
                    username=v.get("username", ""),
                    name=v.get("name", ""),
                    role_name=ROLE_WORDS.get(normal(v.get("role")), v.get("role", "")),
                    property_id=self.pid,
                    password=password,
                    user_id=v.get("id") or None,
                    must_change_password=True,
                )
                if not active:
                    user = users.deactivate_user(self.db, self.settings, self.actor, user_id=user["id"])
                return user

            if self.note("users", v.get("username", ""), self.attempt(table, row, create)):
                self.passwords.append({"username": v.get("username", ""), "temporary_password": password})

    def _places(self) -> None:
        pending = self.rows("places", "areas")
        in_file = {r.values.get("id", "") for _, r in pending}
        in_file.discard("")  # a row without an id is no parent
        while pending:
            # a parent before its children, whatever the order of the rows
            ready: list[tuple[Table, Row]] = []
            waiting: list[tuple[Table, Row]] = []
            for item in pending:
                (waiting if (item[1].values.get("parent_id") or "") in in_file else ready).append(item)
            if not ready:  # a cycle: the first row goes, and is told its parent is unknown
                ready, waiting = waiting[:1], waiting[1:]
            for table, row in ready:
                self._place(table, row)
                in_file.discard(row.values.get("id", ""))
            pending = waiting

    def _place(self, table: Table, row: Row) -> None:
        v = row.values
        if self.broken("places", v.get("parent_id")):
            self.failed["places"].add(v.get("id", ""))
            return
        kind = KIND_WORDS.get(normal(v.get("kind")), v.get("kind", "")) if table.sheet.kind == "places" else "area"
        made = self.attempt(
            table,
            row,
            lambda: places.create_place(
                self.db,
                self.settings,
                self.actor,
                property_id=self.pid,
                kind=kind,
                name=v.get("name", ""),
                parent_id=v.get("parent_id") or None,
                owner_name=v.get("owner_name"),
                owner_contact=v.get("owner_contact"),
                place_id=v.get("id") or None,
            ),
        )
        self.note("places", v.get("id", ""), made)


def _column(table: Table, problem: PatrolError) -> str | None:
    """The column a service problem is about, from the field it names (``workers.2.name`` → workers)."""
    named = str(problem.detail.get("field") or "")
    keys = {c.key for c in table.sheet.columns}
    for candidate in (named, named.split(".")[0], named.split(".")[-1]):
        if candidate in keys:
            return candidate
    if named in ("property_id", "place_id", "route_id", "permit_id", "checkpoint_id", "user_id") and "id" in keys:
        return "id"
    if problem.code == "admin.exists" and "id" in keys:
        return "id"
    return None
