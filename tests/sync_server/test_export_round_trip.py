"""Export writes the shapes the import reads: export, then import into an empty server, gives the same data."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from sync_server.__main__ import main
from sync_server.admin import permits, properties, users
from sync_server.admin.common import CLI
from sync_server.db import open_db, transaction
from tests.conftest import bearer, login
from tests.sync_server.import_books import XLSX, empty_server, reference_tables  # noqa: F401 (fixture)


def _history(settings) -> None:
    """The demo property with what an export must keep too: its own deadline, an ended permit, a user who left."""
    db = open_db(settings.db_url)
    with transaction(db):
        properties.update_property(db, settings, CLI, property_id="demo", rectification_hours=48)
        permit = db.execute("SELECT id FROM permits WHERE property_id = 'demo' ORDER BY id").fetchone()[0]
        permits.end_permit(db, settings, CLI, permit_id=permit, passes_returned=2, fees_settled=True)
        gone = db.execute("SELECT id FROM users WHERE username = 'demo-maintenance'").fetchone()[0]
        users.deactivate_user(db, settings, CLI, user_id=gone)
    db.close()


def test_an_xlsx_export_imports_into_an_empty_server_as_the_same_data(client, settings, server_db, empty):
    _history(settings)
    admin = bearer(login(client, "demo-admin"))
    exported = client.get("/api/v1/admin/properties/demo/export?format=xlsx", headers=admin)
    assert exported.status_code == 200 and exported.headers["content-type"] == XLSX
    assert load_workbook(io.BytesIO(exported.content)).sheetnames == [
        "Property",
        "Users",
        "Places",
        "Routes",
        "Checkpoints",
        "Permits",
    ]
    response = empty.post("/api/v1/admin/properties/demo/import?dry_run=false", exported.content)
    assert response.status_code == 200, response.text
    db = empty.db()
    original, copied = reference_tables(server_db, "demo"), reference_tables(db, "demo")
    db.close()
    assert copied["rules"] == [{"property_id": "demo", "rectification_hours": 48}]
    assert any(p["status"] == "ended" and p["fees_settled"] == 1 for p in copied["permits"])
    assert any(u["off"] for u in copied["users"])
    for table in original:
        assert copied[table] == original[table], table
    # and the export of the copy is the export of the original
    copy_export = empty.client.get("/api/v1/admin/properties/demo/export?format=xlsx", headers=empty.admin)
    assert _cells(copy_export.content) == _cells(exported.content)


def _cells(book: bytes) -> dict[str, list[tuple]]:
    loaded = load_workbook(io.BytesIO(book), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in loaded.worksheets}


def test_a_csv_export_per_kind_imports_from_the_command_line_as_the_same_data(
    settings, server_db, tmp_path, capsys, new_database_url
):
    _history(settings)
    out = tmp_path / "csv"
    where = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    assert main(["export", *where, "--property-id", "demo", "--out", str(out)]) == 0
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [
        "checkpoints.csv",
        "permits.csv",
        "places.csv",
        "property.csv",
        "routes.csv",
        "users.csv",
    ]
    target, url = tmp_path / "fresh", new_database_url(migrated=False)
    assert (
        main(["import", "--data-dir", str(target), "--database-url", url, "--property-id", "demo", *map(str, files)])
        == 0
    )
    printed = capsys.readouterr().out
    assert "Imported: places 24, routes 2, checkpoints 11, permits 3, users 5." in printed
    assert "demo-specialist" in printed  # each user's temporary password is shown once
    copied = open_db(url or target / "server.sqlite3")
    assert reference_tables(copied, "demo") == reference_tables(server_db, "demo")
    copied.close()


def test_a_csv_export_of_one_kind_from_the_api_has_the_headers_asked_for(client):
    admin = bearer(login(client, "demo-admin"))
    answer = client.get("/api/v1/admin/properties/demo/export?format=csv&kind=places&headers=zh", headers=admin)
    assert answer.status_code == 200
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "编号,类型,名称,上级编号,业主姓名,联系电话"
    assert lines[1].startswith("demo-b1,building,")


def test_text_that_looks_like_a_formula_travels_as_text(empty):
    from sync_server import exporter
    from tests.sync_server.import_books import example

    data = example()
    data["places"][3]["owner_name"] = '=HYPERLINK("http://x.example","Chen")'
    book = exporter.workbook(data)
    assert load_workbook(io.BytesIO(book))["Places"]["E5"].data_type == "s"
    assert empty.post("/api/v1/admin/properties/tower-a/import?dry_run=false", book).status_code == 200
    db = empty.db()
    owner = db.execute("SELECT owner_name FROM places WHERE id = 'a-b1-101'").fetchone()[0]
    db.close()
    assert owner == '=HYPERLINK("http://x.example","Chen")'


def test_a_supervisor_updates_their_property_and_blank_cells_leave_it_as_it_is(client, server_db):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Property"
    sheet.append(["Id", "Name", "Time zone", "Rectification hours"])
    sheet.append(["demo", "Harbour View Gardens II", None, 36])
    out = io.BytesIO()
    book.save(out)
    headers = {**bearer(login(client, "demo-supervisor")), "Content-Type": XLSX}
    response = client.post(
        "/api/v1/admin/properties/demo/import?dry_run=false", content=out.getvalue(), headers=headers
    )
    assert response.status_code == 200, response.text
    assert server_db.execute("SELECT name, tz FROM properties WHERE id = 'demo'").fetchone() == (
        "Harbour View Gardens II",
        "Asia/Shanghai",
    )
    assert (
        server_db.execute("SELECT rectification_hours FROM property_rules WHERE property_id = 'demo'").fetchone()[0]
        == 36
    )
