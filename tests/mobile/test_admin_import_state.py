"""The import screen's state against contract-shaped answers (httpx.MockTransport), and the phone's login steps."""

from __future__ import annotations

import json

import httpx

from mobile.admin_api import XLSX, AdminApi
from mobile.state.admin_import import ImportState
from mobile.state.first_run import FirstRunForm
from mobile.state.messages import problem_message
from shared.errors import AuthProblem, PatrolError
from shared.i18n import Translator

PROBLEMS = [
    {"sheet": "Places", "row": 7, "column": "C", "field": "parent", "code": "import.unknown_parent", "message": "x"},
    {"sheet": "Users", "row": 3, "column": "D", "field": "role", "code": "import.invalid_role", "message": "y"},
]


def fake_server(problems: list[dict], seen: list[httpx.Request]) -> AdminApi:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        dry = request.url.params["dry_run"] == "true"
        counts = {"places": 12, "routes": 1, "checkpoints": 4, "permits": 2, "users": 1}
        if not dry and problems:
            refused = {"code": "import.has_problems", "message": "no", "detail": {"problems": problems}}
            return httpx.Response(422, json=refused)  # as the server answers a real import with problems
        body = {"dry_run": dry, "ok": not problems, "counts": counts, "problems": problems}
        if not dry:
            body["users"] = [{"username": "wu", "temporary_password": "tmp-pass-123"}]
        return httpx.Response(200, json=body)

    http = httpx.Client(transport=httpx.MockTransport(answer), base_url="http://server")
    return AdminApi(http, base_url="http://server", token="t", locale="zh-Hans")


def test_import_lists_problems_and_stays_disabled_until_a_clean_dry_run() -> None:
    seen: list[httpx.Request] = []
    state = ImportState(fake_server(PROBLEMS, seen), "tower-a")
    assert not state.dry_run() and state.problem is not None  # no file yet: nothing sent
    assert seen == []
    state.choose("setup.xlsx", b"PK fake workbook")
    assert not state.dry_run()
    assert [(p.sheet, p.row, p.column) for p in state.problems] == [("Places", 7, "C"), ("Users", 3, "D")]
    assert not state.can_import and not state.run()
    request = seen[-1]
    assert request.url.path == "/api/v1/admin/properties/tower-a/import"
    assert request.headers["content-type"] == XLSX and request.headers["accept-language"] == "zh-Hans"
    assert request.content == b"PK fake workbook" and len(seen) == 1


def test_a_clean_file_imports_and_shows_new_users_temporary_passwords() -> None:
    seen: list[httpx.Request] = []
    state = ImportState(fake_server([], seen), "tower-a")
    state.choose("units.csv", b"building,floor,unit\n")
    assert not state.can_check  # a CSV needs its kind
    state.set_kind("places")
    assert state.dry_run() and state.can_import and state.counts["checkpoints"] == 4
    assert state.run() and not state.can_import
    assert state.new_users == [{"username": "wu", "temporary_password": "tmp-pass-123"}]
    assert [r.url.params["kind"] for r in seen] == ["places", "places"]
    assert [r.url.params["dry_run"] for r in seen] == ["true", "false"]
    assert seen[-1].headers["content-type"] == "text/csv"


def test_a_real_import_refused_for_problems_lists_them() -> None:
    seen: list[httpx.Request] = []
    state = ImportState(fake_server([], seen), "tower-a")
    state.choose("setup.xlsx", b"PK")
    assert state.dry_run()
    state.api = fake_server(PROBLEMS, seen)  # the file was changed on the server's side meanwhile
    assert not state.run() and len(state.problems) == 2 and state.result is None and not state.can_import


def test_reset_password_at_login_asks_for_a_new_one_then_logs_in() -> None:
    calls: list[tuple] = []

    def login(url: str, name: str, password: str) -> dict:
        calls.append(("login", password))
        if password == "temporary-1":
            raise AuthProblem("auth.password_change_required", "Your password was reset.")
        return {"id": "u1", "name": "Wu"}

    def change(url: str, name: str, old: str, new: str) -> None:
        calls.append(("change", old, new))
        if len(new) < 10:
            raise PatrolError("auth.password_too_short", "short", {"field": "password"})

    form = FirstRunForm(login=login, server_url="server:8000", change_password=change)
    form.username, form.password = "wu", "temporary-1"
    assert form.submit() is None and form.must_change and form.user is None
    form.new_password, form.repeat_password = "short", "shorter"
    assert form.submit_new_password().key == "first_run.passwords_differ"
    form.repeat_password = "short"
    problem = form.submit_new_password()
    assert "10" in problem_message(Translator("es"), problem)
    form.new_password = form.repeat_password = "a long new sentence"
    assert form.submit_new_password() is None and form.user == {"id": "u1", "name": "Wu"} and not form.must_change
    assert calls[-2:] == [("change", "temporary-1", "a long new sentence"), ("login", "a long new sentence")]


def test_every_language_says_why_a_deactivated_users_phone_was_logged_out() -> None:
    from mobile.state.messages import error_text

    texts = {
        loc: error_text(Translator(loc), "auth.user_deactivated", "English words") for loc in ("en", "zh-Hans", "es")
    }
    assert "deactivated" in texts["en"] and "停用" in texts["zh-Hans"] and "desactivó" in texts["es"]
    assert json.dumps(texts).count("English words") == 0
