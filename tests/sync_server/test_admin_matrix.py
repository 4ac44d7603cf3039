"""Who may touch what: every administration endpoint × own property / other property / missing id / wrong role.

A refusal changes nothing (audit rows, feed sequence and the entity's table are counted before and after); a
supervisor acts on their own property, an administrator on any.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import bearer, login

OWN, OTHER, MISSING = "demo", "other", "nope"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[str], str]  # the property key -> the URL naming that property's entity
    body: Callable[[str], dict[str, Any]] | None
    table: str  # the table whose rows a success may change, counted around a refusal


def _unit(p: str) -> str:
    return f"{p}-b1-u101"  # a unit without permit or checkpoint: free to archive


CASES = [
    Case("property.update", "PATCH", lambda p: f"/properties/{p}", lambda p: {"name": "Renamed"}, "properties"),
    Case("place.list", "GET", lambda p: f"/properties/{p}/places", None, "places"),
    Case(
        "place.create",
        "POST",
        lambda p: f"/properties/{p}/places",
        lambda p: {"kind": "area", "name": "Bike shed"},
        "places",
    ),
    Case("place.update", "PATCH", lambda p: f"/places/{_unit(p)}", lambda p: {"owner_name": "Ms. Qian"}, "places"),
    Case("place.archive", "POST", lambda p: f"/places/{_unit(p)}/archive", None, "places"),
    Case("route.list", "GET", lambda p: f"/properties/{p}/routes", None, "routes"),
    Case("route.get", "GET", lambda p: f"/routes/{p}-r1", None, "routes"),
    Case("route.create", "POST", lambda p: f"/properties/{p}/routes", lambda p: {"name": "Night round"}, "routes"),
    Case("route.update", "PATCH", lambda p: f"/routes/{p}-r1", lambda p: {"weekdays": ["mon", "thu"]}, "routes"),
    Case("route.archive", "POST", lambda p: f"/routes/{p}-r2/archive", None, "routes"),
    Case(
        "checkpoint.create",
        "POST",
        lambda p: f"/routes/{p}-r2/checkpoints",
        lambda p: {"place_id": f"{p}-b2-f1", "scan_code": f"NEW-{p}"},
        "checkpoints",
    ),
    Case(
        "checkpoint.update",
        "PATCH",
        lambda p: f"/checkpoints/{p}-r1-cp2",
        lambda p: {"place_id": f"{p}-b2-f3"},
        "checkpoints",
    ),
    Case("checkpoint.archive", "POST", lambda p: f"/checkpoints/{p}-r1-cp2/archive", None, "checkpoints"),
    Case("permit.list", "GET", lambda p: f"/properties/{p}/permits", None, "permits"),
    Case(
        "permit.create",
        "POST",
        lambda p: f"/properties/{p}/permits",
        lambda p: {"unit_id": f"{p}-b1-u201", "contractor": "Acme", "starts_on": "2026-11-20", "ends_on": "2026-12-20"},
        "permits",
    ),
    Case("permit.update", "PATCH", lambda p: f"/permits/{p}-permit1", lambda p: {"contractor": "Acme"}, "permits"),
    Case(
        "permit.end",
        "POST",
        lambda p: f"/permits/{p}-permit1/end",
        lambda p: {"passes_returned": 6, "fees_settled": True},
        "permits",
    ),
    Case("user.list", "GET", lambda p: f"/users?property_id={p}", None, "users"),
    Case(
        "user.create",
        "POST",
        lambda p: "/users",
        lambda p: {
            "username": f"{p}-new-specialist",
            "name": "Sun Li",
            "role": "specialist",
            "property_id": p,
            "password": "a long enough password",
        },
        "users",
    ),
    Case("user.get", "GET", lambda p: f"/users/user-{p}-maintenance", None, "users"),
    Case("user.update", "PATCH", lambda p: f"/users/user-{p}-maintenance", lambda p: {"role": "specialist"}, "users"),
    Case("user.deactivate", "POST", lambda p: f"/users/user-{p}-maintenance/deactivate", None, "users"),
    Case(
        "user.reset_password",
        "POST",
        lambda p: f"/users/user-{p}-maintenance/reset-password",
        lambda p: {"password": "temporary password 1"},
        "users",
    ),
    Case("user.devices", "GET", lambda p: f"/users/user-{p}-maintenance/devices", None, "tokens"),
    Case(
        "user.revoke_device",
        "POST",
        lambda p: f"/users/user-{p}-maintenance/devices/{p}-maintenance-phone/revoke",
        None,
        "tokens",
    ),
]


def _state(db, table: str) -> tuple[Any, ...]:
    audit = db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    seq = db.execute("SELECT MAX(seq) FROM feed").fetchone()[0]
    rows = db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    return audit, seq, rows


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_admin_endpoint_matrix(client, server_db, case: Case):
    tokens = {name: login(client, name) for name in ("demo-specialist", "demo-supervisor", "demo-admin")}
    for p in (OWN, OTHER):
        login(client, f"{p}-maintenance")  # a device to list and revoke

    def call(who: str, p: str):
        body = case.body(p) if case.body else None
        kwargs: dict[str, Any] = {"headers": bearer(tokens[who])}
        if body is not None:
            kwargs["json"] = body
        elif case.method != "GET":
            kwargs["json"] = {}
        return client.request(case.method, f"/api/v1/admin{case.path(p)}", **kwargs)

    refusals = [
        ("demo-specialist", OWN, 403, "auth.forbidden"),
        ("demo-supervisor", OTHER, 404, "admin.not_found"),
        ("demo-supervisor", MISSING, 404, "admin.not_found"),
        ("demo-admin", MISSING, 404, "admin.not_found"),
    ]
    for who, p, status, code in refusals:
        before = _state(server_db, case.table)
        response = call(who, p)
        assert (response.status_code, response.json()["code"]) == (status, code), (who, p, response.text)
        assert _state(server_db, case.table) == before, f"{who} on {p} changed something"
    for who, p in (("demo-supervisor", OWN), ("demo-admin", OTHER)):
        audit_before = server_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        response = call(who, p)
        assert response.is_success, (who, p, response.text)
        audit_after = server_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        if case.method == "GET":
            assert audit_after == audit_before
            assert response.json(), "a list or an entity of the property"
        else:
            assert audit_after > audit_before, "every change leaves an audit row"
            last = server_db.execute("SELECT actor_id, property_id FROM audit_log ORDER BY id DESC").fetchone()
            assert last == (f"user-{who}", p)


# Ids inside a request body must name things of the same property, whoever asks.
FOREIGN_REFERENCES = [
    ("/routes/demo-r2/checkpoints", "POST", {"place_id": "other-b2-f1", "scan_code": "X-1"}, "place_id"),
    ("/checkpoints/demo-r1-cp2", "PATCH", {"place_id": "other-b2-f3"}, "place_id"),
    ("/routes/demo-r1", "PATCH", {"assigned_to": "user-other-specialist"}, "assigned_to"),
    (
        "/properties/demo/routes",
        "POST",
        {"name": "Mixed", "checkpoints": [{"place_id": "other-lobby", "scan_code": "X-2"}]},
        "place_id",
    ),
    (
        "/properties/demo/permits",
        "POST",
        {"unit_id": "other-b1-u201", "contractor": "Acme", "starts_on": "2026-11-20", "ends_on": "2026-12-20"},
        "unit_id",
    ),
    ("/properties/demo/places", "POST", {"kind": "floor", "name": "F9", "parent_id": "other-b1"}, "parent_id"),
    ("/places/demo-b1-f1", "PATCH", {"parent_id": "other-b2"}, "parent_id"),
]


@pytest.mark.parametrize("who", ["demo-supervisor", "demo-admin"])
@pytest.mark.parametrize("path,method,body,field", FOREIGN_REFERENCES, ids=[f[0] + f[1] for f in FOREIGN_REFERENCES])
def test_ids_in_a_body_must_belong_to_the_same_property(client, server_db, who, path, method, body, field):
    token = login(client, who)
    tables = ("places", "routes", "checkpoints", "permits", "audit_log")
    before = [server_db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables]
    response = client.request(method, f"/api/v1/admin{path}", json=body, headers=bearer(token))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "admin.unknown_reference"
    assert response.json()["detail"]["field"] == field
    assert [server_db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables] == before


def test_a_supervisor_cannot_make_or_change_an_administrator(client, server_db):
    token = login(client, "demo-supervisor")
    body = {"username": "boss", "name": "Boss", "role": "admin", "property_id": "demo", "password": "x" * 12}
    response = client.post("/api/v1/admin/users", json=body, headers=bearer(token))
    assert (response.status_code, response.json()["code"]) == (403, "admin.role_not_allowed")
    response = client.post("/api/v1/admin/users/user-demo-admin/deactivate", headers=bearer(token))
    assert (response.status_code, response.json()["code"]) == (403, "admin.role_not_allowed")
    response = client.patch("/api/v1/admin/users/user-demo-specialist", json={"role": "admin"}, headers=bearer(token))
    assert (response.status_code, response.json()["code"]) == (403, "admin.role_not_allowed")
    assert server_db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0] == 2
    assert server_db.execute("SELECT COUNT(*) FROM users WHERE deactivated_at IS NOT NULL").fetchone()[0] == 0


def test_only_an_administrator_creates_a_property(client, server_db):
    body = {"id": "tower-b", "name": "Tower B", "tz": "Asia/Shanghai"}
    response = client.post("/api/v1/admin/properties", json=body, headers=bearer(login(client, "demo-supervisor")))
    assert (response.status_code, response.json()["code"]) == (403, "auth.forbidden")
    assert server_db.execute("SELECT COUNT(*) FROM properties WHERE id = 'tower-b'").fetchone()[0] == 0
    response = client.post("/api/v1/admin/properties", json=body, headers=bearer(login(client, "demo-admin")))
    assert response.status_code == 201, response.text
    assert response.json()["working_hours"]["sat"] == ["09:00", "17:00"]
