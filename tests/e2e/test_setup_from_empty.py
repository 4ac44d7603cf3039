"""From an empty server to a running property, with no demo data: the steps an operator takes.

An administrator made by the command line sets up a property over the API (places, a patrol route with its
checkpoints, a renovation permit, the staff); the specialist logs in on a phone, walks the route typing the
printed codes, reports a defect from a checkpoint and syncs; the supervisor's phone then shows the order.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest

from mobile.context import AppContext
from mobile.state.defect import DefectForm
from mobile.state.patrol import IssueDraft, PatrolRun, routes_for
from mobile.state.renovation import active_permits
from shared.model import CheckpointResult, DefectCategory
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "root password of the server"
STAFF_PASSWORD = "a good long password"


def _cli(data_dir, *args: str, stdin: str = "", url: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sync_server", *args, "--data-dir", str(data_dir)]
    command += ["--database-url", url] if url else []
    return subprocess.run(command, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=60)


class Operator:
    """The administrator at a desk, using the API with their token."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        login = {"username": username, "password": password, "device_id": "operator-desk", "device_name": "desk"}
        response = self.http.post("/api/v1/auth/login", json=login)
        assert response.status_code == 200, response.text
        self.http.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/api/v1/admin{path}", json=body)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


def _phone(tmp_path, server, username: str) -> AppContext:
    ctx = AppContext(data_dir=tmp_path / "phones" / username, server_url=server.url, http=httpx.Client(timeout=30))
    ctx.login(server.url, username, STAFF_PASSWORD)
    report = ctx.sync_client.run()
    assert report.ok, report.message
    return ctx


def test_an_empty_server_becomes_a_running_property(live_server, tmp_path, new_database_url):
    data_dir, url = tmp_path / "server", new_database_url(migrated=False)  # on PostgreSQL: an empty database
    made = _cli(
        data_dir,
        "create-user",
        "--username",
        "root",
        "--name",
        "Operator",
        "--role",
        "admin",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
        url=url,
    )
    assert made.returncode == 0, made.stderr
    server = live_server(data_dir=data_dir, demo=False, database_url=url)
    op = Operator(server.url, "root", ADMIN_PASSWORD)
    try:
        _walk_from_setup(tmp_path, server, op)
    finally:
        op.http.close()


def _walk_from_setup(tmp_path, server, op: Operator) -> None:
    assert op.http.get("/api/v1/admin/properties").json() == []  # nothing from a demo

    op.post("/properties", {"id": "tower-a", "name": "Tower A", "tz": "Asia/Shanghai", "rectification_hours": 48})
    building = op.post("/properties/tower-a/places", {"kind": "building", "name": "Building 1"})
    floors = [
        op.post("/properties/tower-a/places", {"kind": "floor", "name": f"Floor {n}", "parent_id": building["id"]})
        for n in (1, 2)
    ]
    unit = op.post(
        "/properties/tower-a/places",
        {"kind": "unit", "name": "201", "parent_id": floors[1]["id"], "owner_name": "Zhou Jie", "owner_contact": "1"},
    )
    lobby = op.post("/properties/tower-a/places", {"kind": "area", "name": "Lobby"})
    specialist = op.post(
        "/users",
        {
            "username": "li.na",
            "name": "Li Na",
            "role": "specialist",
            "property_id": "tower-a",
            "password": STAFF_PASSWORD,
        },
    )
    op.post(
        "/users",
        {
            "username": "zhang.min",
            "name": "Zhang Min",
            "role": "supervisor",
            "property_id": "tower-a",
            "password": STAFF_PASSWORD,
        },
    )
    route = op.post(
        "/properties/tower-a/routes",
        {
            "name": "Morning round",
            "assigned_to": specialist["id"],
            "checkpoints": [
                {"place_id": lobby["id"], "scan_code": "TA-LOBBY"},
                {"place_id": floors[0]["id"], "scan_code": "TA-F1"},
                {"place_id": floors[1]["id"], "scan_code": "TA-F2"},
            ],
        },
    )
    permit = op.post(
        "/properties/tower-a/permits",
        {
            "unit_id": unit["id"],
            "contractor": "Bright Home",
            "starts_on": "2026-01-01",
            "ends_on": "2099-12-31",
            "workers": [{"name": "Ma Qiang", "pass_number": "TP-001"}],
            "applied_on": "2025-12-20",
            "approved_on": "2025-12-21",
        },
    )

    phone = _phone(tmp_path, server, "li.na")
    try:
        assert [r["id"] for r in routes_for(phone.ref, phone.user["id"])] == [route["id"]]
        assert phone.ref.items("property")[0]["rectification_hours"] == 48
        today = phone.clock().astimezone(phone.tz).date()
        assert [p["id"] for p in active_permits(phone.ref, today)] == [permit["id"]]
        run = PatrolRun(ref=phone.ref, save=phone.save, now=phone.clock, route_id=route["id"])
        draft = None
        for typed in ("ta-lobby", "TA-F1 ", "TA-F2"):  # typed from the printed labels, in any case
            run.code = typed
            if typed == "TA-F1 ":
                run.note = "Corridor light out"
                draft = run.mark(CheckpointResult.ISSUE)
            else:
                assert run.mark(CheckpointResult.OK) is None
        assert isinstance(draft, IssueDraft) and run.done_count == 3
        form = DefectForm(
            ref=phone.ref,
            save=phone.save,
            place_id=draft.place_id,
            checkpoint_visit_id=draft.checkpoint_visit_id,
            description=draft.description,
        )
        form.category = DefectCategory.ELECTRICAL
        assert form.submit() == []
        run.finish()
        report = phone.sync_client.run()
        assert report.ok, report.message
        assert (report.accepted, report.rejected) == (2 + 3 + 1, 0)  # round start and finish, visits, the defect
    finally:
        phone.close()

    supervisor = _phone(tmp_path, server, "zhang.min")
    try:
        order = supervisor.ref.item("work_order", f"wo-{form.saved_id}")
        assert order is not None, [o["id"] for o in supervisor.ref.items("work_order")]
        assert order["place_id"] == floors[0]["id"]
        assert "Corridor light out" in str(order)
    finally:
        supervisor.close()
