"""The import's dry run lists every problem by sheet, row and column in the reader's language; nothing is written."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from sync_server import exporter
from tests.sync_server.import_books import XLSX, counts, empty_server, example, ten_mistakes  # noqa: F401 (fixture)

IMPORT = "/api/v1/admin/properties/tower-a/import"


def _where(problems: list[dict]) -> list[tuple]:
    return sorted((p["sheet"], p["row"], p["column"], p["code"]) for p in problems)


def test_a_dry_run_reports_all_ten_seeded_mistakes_by_row_and_column_and_writes_nothing(empty):
    data, expected = ten_mistakes()
    db = empty.db()
    before = counts(db)
    response = empty.post(f"{IMPORT}?dry_run=true", exporter.workbook(data))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["dry_run"], answer["ok"]) == (True, False)
    assert _where(answer["problems"]) == sorted(expected)
    assert all(p["message"].strip() for p in answer["problems"])
    assert counts(db) == before
    db.close()


def test_a_real_import_with_mistakes_is_refused_whole_with_the_same_list(empty):
    data, expected = ten_mistakes()
    db = empty.db()
    before = counts(db)
    response = empty.post(f"{IMPORT}?dry_run=false", exporter.workbook(data))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "import.has_problems"
    assert "10 problems" in body["message"] and "nothing was imported" in body["message"]
    assert _where(body["detail"]["problems"]) == sorted(expected)
    assert counts(db) == before  # all or nothing: the good rows are not written either
    db.close()


def test_problems_are_worded_in_the_readers_language(empty):
    data, _ = ten_mistakes()
    body = exporter.workbook(data)
    found = {}
    for language in ("zh-Hans", "zh-Hant", "es", "en"):
        problems = empty.post(f"{IMPORT}?dry_run=true", body, **{"Accept-Language": language}).json()["problems"]
        found[language] = {p["code"]: p["message"] for p in problems}
    zone = {lang: messages["admin.invalid_time_zone"] for lang, messages in found.items()}
    assert (
        zone["zh-Hans"] == "Property 第 2 行 C 列：Time zone：“Mars/Olympus”不是时区；请使用 Asia/Shanghai 这样的名称。"
    )
    assert zone["zh-Hant"].startswith("Property 第 2 列 C 欄：") and "不是時區" in zone["zh-Hant"]
    assert zone["es"].startswith("Property fila 2, columna C: Time zone: «Mars/Olympus» no es una zona horaria")
    assert zone["en"].startswith("Property row 2, column C: Time zone: “Mars/Olympus” is not a time zone")
    assert "单元" in found["zh-Hans"]["admin.not_a_unit"] and "a-lobby" in found["zh-Hans"]["admin.not_a_unit"]
    assert found["en"]["admin.duplicate_code"].startswith("Checkpoints row 5, column E: Scan code: the code “A-R1-01”")


def test_a_dry_run_of_a_good_workbook_counts_what_it_would_add_and_adds_nothing(empty):
    db = empty.db()
    before = counts(db)
    response = empty.post(f"{IMPORT}?dry_run=true", exporter.workbook(example()))
    assert response.json() == {
        "dry_run": True,
        "ok": True,
        "counts": {"places": 8, "routes": 1, "checkpoints": 3, "permits": 1, "users": 3},
        "problems": [],
    }
    assert counts(db) == before
    db.close()


def test_a_row_pointing_at_a_failed_row_adds_no_problem_of_its_own(empty):
    data = example()
    data["places"][1]["kind"] = "storey"  # the floor a-b1-f1 fails; its unit a-b1-101 would fail only because of it
    problems = empty.post(f"{IMPORT}?dry_run=true", exporter.workbook(data)).json()["problems"]
    assert _where(problems) == [("Places", 3, "B", "admin.invalid_kind")]


def test_children_may_come_before_their_parents_and_an_empty_sheet_is_no_sheet(empty):
    data = example()
    data["places"].reverse()  # units first, then floors, then the building
    data["routes"] = []  # its sheet is there, with headers only
    data["checkpoints"] = []
    book = exporter.workbook(data)
    loaded = load_workbook(io.BytesIO(book))
    loaded.create_sheet("Areas")  # blank
    out = io.BytesIO()
    loaded.save(out)
    answer = empty.post(f"{IMPORT}?dry_run=false", out.getvalue()).json()
    assert answer["problems"] == []
    assert answer["counts"] == {"places": 8, "routes": 0, "checkpoints": 0, "permits": 1, "users": 3}
