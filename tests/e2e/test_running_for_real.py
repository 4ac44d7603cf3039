"""The README's "Running the server for real", step by step, on a real server that starts empty.

An administrator made by the command line creates the property; in the app's administration screens the
administrator imports the places, a route with its checkpoints, a permit and two staff members from the
spreadsheet template, creates the specialist, gives them the route and prints its labels. The specialist logs in
on a phone (choosing their own password), walks the route scanning the printed labels (decoded from the PDF's
pages by the app's own decoder), reports a defect from a checkpoint and syncs; the supervisor sees the order.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import httpx
import openpyxl
import pytest

from mobile.admin_api import AdminApi, change_password
from mobile.context import AppContext
from mobile.scan import read_codes
from mobile.state.admin_area import AdminArea
from mobile.state.defect import DefectForm
from mobile.state.patrol import IssueDraft, PatrolRun, routes_for
from shared.errors import PatrolError
from shared.model import CheckpointResult, DefectCategory
from sync_server.labels import Sheet
from tests.conftest import ROOT
from tests.sync_server.labels_readback import label_pictures

pytestmark = pytest.mark.e2e

TEMPLATE = ROOT / "assets" / "templates" / "setup-template.xlsx"
ROOT_PASSWORD = "root password of the server"
FIRST_PASSWORD = "given by the admin"
OWN_PASSWORD = "chosen by myself at last"


def cli(data_dir: Path, *args: str, stdin: str = "", url: str = "") -> str:
    command = [sys.executable, "-m", "sync_server", *args, "--data-dir", str(data_dir)]
    command += ["--database-url", url] if url else []
    done = subprocess.run(command, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def spreadsheet() -> bytes:
    """The template as an office would fill it in; the specialist is created in the app instead."""
    book = openpyxl.load_workbook(TEMPLATE)
    users = book["Users"]
    for row in range(users.max_row, 1, -1):
        if users.cell(row, 3).value == "specialist":
            users.delete_rows(row)
    routes = book["Routes"]
    routes.cell(2, 3).value = None  # given to the new specialist in the app
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def phone(tmp_path: Path, url: str, username: str, password: str) -> AppContext:
    """A phone's first login; a password the administrator gave must be changed first, as the app asks."""
    ctx = AppContext(data_dir=tmp_path / "phones" / username, server_url=url, http=httpx.Client(timeout=30))
    try:
        ctx.login(url, username, password)
    except PatrolError as e:
        assert e.code == "auth.password_change_required", e
        change_password(ctx.http, url, username, password, OWN_PASSWORD)
        ctx.login(url, username, OWN_PASSWORD)
    report = ctx.sync_client.run()
    assert report.ok, report.message
    return ctx


def test_from_an_empty_server_to_an_order_the_supervisor_sees(live_server, tmp_path, new_database_url):
    data_dir, url = tmp_path / "server", new_database_url(migrated=False)  # on PostgreSQL: an empty database
    cli(data_dir, "create-user", "--username", "root", "--name", "Operator", "--role", "admin", "--password-stdin",
        stdin=ROOT_PASSWORD + "\n", url=url)  # fmt: skip
    cli(data_dir, "create-property", "--property-id", "tower-a", "--name", "Tower A", "--tz", "Asia/Shanghai", url=url)
    server = live_server(data_dir=data_dir, demo=False, database_url=url)

    admin = phone(tmp_path, server.url, "root", ROOT_PASSWORD)
    try:
        area = AdminArea(AdminApi.of_store(admin.http, admin.store), admin.user, data_dir=tmp_path / "desk")
        area.start()
        assert area.property_id == "tower-a"
        area.importer.choose("tower-a.xlsx", spreadsheet())
        assert area.importer.dry_run(), [p.__dict__ for p in area.importer.problems]
        assert area.importer.run()
        staff = {u["username"]: u["temporary_password"] for u in area.importer.new_users}
        assert set(staff) == {"wang.fang", "zhao.qiang"}

        users = area.sections["users"]
        users.new()
        for name, value in {
            "username": "li.lei",
            "name": "李雷",
            "role": "specialist",
            "password": FIRST_PASSWORD,
        }.items():
            users.set(name, value)
        assert users.save(), users.form and users.form.problems
        specialist_id = users.selected["id"] if users.selected else None

        area.open("routes")
        routes = area.sections["routes"]
        route = next(r for r in routes.items if r["id"] == "a-r1")
        routes.select(route)
        routes.set("assigned_to", specialist_id)
        assert routes.save(), routes.form and routes.form.problems
        pdf = Path(routes.print_labels(route)["path"]).read_bytes()
    finally:
        admin.close()
    labels = [read_codes(picture) for picture in label_pictures(pdf, Sheet(), 3)]
    assert labels == [["A-R1-01"], ["A-R1-02"], ["A-R1-03"]]

    walker = phone(tmp_path, server.url, "li.lei", FIRST_PASSWORD)
    try:
        assert [r["id"] for r in routes_for(walker.ref, walker.user["id"])] == ["a-r1"]
        run = PatrolRun(ref=walker.ref, save=walker.save, now=walker.clock, route_id="a-r1")
        draft = None
        for n, codes in enumerate(labels):
            assert run.accept_scan(codes) is None  # the camera read this checkpoint's label
            if n == 1:
                run.note = "Garage gate does not close"
                draft = run.mark(CheckpointResult.ISSUE)
            else:
                assert run.mark(CheckpointResult.OK) is None
        assert isinstance(draft, IssueDraft)
        form = DefectForm(
            ref=walker.ref,
            save=walker.save,
            place_id=draft.place_id,
            checkpoint_visit_id=draft.checkpoint_visit_id,
            description=draft.description,
        )
        form.category = DefectCategory.SAFETY_FACILITIES
        assert form.submit() == []
        run.finish()
        report = walker.sync_client.run()
        assert report.ok and (report.accepted, report.rejected) == (2 + 3 + 1, 0), report.message
    finally:
        walker.close()

    supervisor = phone(tmp_path, server.url, "wang.fang", staff["wang.fang"])
    try:
        order = supervisor.ref.item("work_order", f"wo-{form.saved_id}")
        assert order is not None, [o["id"] for o in supervisor.ref.items("work_order")]
        assert (order["place_id"], order["category"], order["state"]) == ("a-garage", "safety_facilities", "reported")
        assert [p["id"] for p in supervisor.ref.items("permit")] == ["a-permit-1"]
    finally:
        supervisor.close()
