"""Workbooks for the import tests: the shipped example, and the same with ten seeded mistakes."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sync_server import exporter
from sync_server.admin import users
from sync_server.admin.common import CLI
from sync_server.app import create_app
from sync_server.db import Database, open_db, transaction
from sync_server.importer.templates import EXAMPLE
from sync_server.settings import CHEAP_ARGON2, Settings
from tests.conftest import bearer, login

ADMIN_PASSWORD = "admin password 1"
XLSX = exporter.XLSX_TYPE
TABLES = ("properties", "places", "routes", "checkpoints", "permits", "users", "audit_log", "feed", "property_rules")


def example() -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(EXAMPLE)


def ten_mistakes() -> tuple[dict[str, list[dict[str, Any]]], list[tuple[str, int, str | None, str]]]:
    """The example with ten mistakes of different kinds; and (sheet, row, column, code) for each."""
    data = example()
    data["property"][0]["tz"] = "Mars/Olympus"  # Property row 2, column C
    data["users"] += [
        {"username": "boss", "name": "Boss", "role": "chief"},  # row 5: an unknown role
        {"username": "li.lei", "name": "Li Lei again", "role": "specialist"},  # row 6: a duplicate username
    ]
    data["places"] += [
        {"id": "a-b9-101", "kind": "unit", "name": "101", "parent_id": "a-b9-f1"},  # row 10: an unknown parent
        {"id": "a-roof", "kind": "area", "name": ""},  # row 11: a missing name
        {"id": "a-b1-999", "kind": "unit", "name": "999"},  # row 12: a unit on no floor
    ]
    data["checkpoints"] += [
        {"route_id": "a-r1", "position": "4", "place_id": "a-garage", "scan_code": "A-R1-01"},  # row 5: same code
        {"route_id": "a-r9", "position": "1", "place_id": "a-lobby", "scan_code": "A-R9-01"},  # row 6: no such route
    ]
    permit = data["permits"][0]
    data["permits"] += [
        {**permit, "id": "a-permit-2", "unit_id": "a-b1-101", "starts_on": "2026-13-01"},  # row 3: a bad date
        {**permit, "id": "a-permit-3", "unit_id": "a-lobby"},  # row 4: a permit on a common area
    ]
    expected = [
        ("Property", 2, "C", "admin.invalid_time_zone"),
        ("Users", 5, "C", "admin.invalid_role"),
        ("Users", 6, "A", "admin.username_taken"),
        ("Places", 10, "D", "admin.unknown_reference"),
        ("Places", 11, "C", "admin.required"),
        ("Places", 12, "D", "admin.invalid_parent"),
        ("Checkpoints", 5, "E", "admin.duplicate_code"),
        ("Checkpoints", 6, "A", "admin.not_found"),
        ("Permits", 3, "D", "admin.invalid_date"),
        ("Permits", 4, "B", "admin.not_a_unit"),
    ]
    return data, expected


def counts(db: Database) -> dict[str, int]:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def reference_tables(db: Database, property_id: str) -> dict[str, list[dict[str, Any]]]:
    """What an import sets up, as stored (passwords, clocks and the log of who did it aside)."""

    def rows(sql: str) -> list[dict[str, Any]]:
        return [dict(r) for r in db.query(sql, [property_id])]

    return {
        "properties": rows("SELECT * FROM properties WHERE id = ?"),
        "rules": rows("SELECT * FROM property_rules WHERE property_id = ?"),
        "places": rows("SELECT * FROM places WHERE property_id = ? ORDER BY id"),
        "routes": rows("SELECT * FROM routes WHERE property_id = ? ORDER BY id"),
        "checkpoints": rows("SELECT * FROM checkpoints WHERE property_id = ? ORDER BY id"),
        "permits": rows("SELECT * FROM permits WHERE property_id = ? ORDER BY id"),
        "users": rows(
            "SELECT id, username, name, role, property_id, deactivated_at IS NOT NULL AS off FROM users"
            " WHERE property_id = ? ORDER BY id"
        ),
    }


class Empty:
    """A server that starts empty but for an administrator made from the command line."""

    def __init__(self, settings: Settings, client: TestClient) -> None:
        self.settings, self.client = settings, client
        self.admin = bearer(login(client, "root", password=ADMIN_PASSWORD))

    def db(self) -> Database:
        return open_db(self.settings.db_url)

    def post(self, path: str, body: bytes, *, content_type: str = XLSX, **headers: str) -> Any:
        return self.client.post(path, content=body, headers={**self.admin, "Content-Type": content_type, **headers})


@pytest.fixture(name="empty")
def empty_server(tmp_path, clock) -> Iterator[Empty]:
    settings = Settings(data_dir=tmp_path / "empty", argon2=CHEAP_ARGON2, now=clock.now, findings_tick_seconds=0)
    app = create_app(settings)
    db = open_db(settings.db_url)
    with transaction(db):
        users.create_user(
            db,
            settings,
            CLI,
            username="root",
            name="Root",
            role_name="admin",
            property_id=None,
            password=ADMIN_PASSWORD,
        )
    db.close()
    with TestClient(app) as client:
        yield Empty(settings, client)


def day(text: str) -> date:
    return date.fromisoformat(text)
