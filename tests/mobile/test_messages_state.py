"""Problems with a code are said in the user's language with what to do; unknown codes keep the server's words."""

from __future__ import annotations

import pytest

from mobile.context import AppContext
from mobile.state.messages import error_key, error_text, problem_message
from mobile.state.orders import OrdersBoard
from mobile.state.ports import Problem
from mobile.state.sync_status import SyncStatus, problem_record_text
from shared.i18n import LOCALES, Translator
from shared.model import WorkOrderAction
from tests.mobile.state_fixtures import T0, Saved, demo_ref

# Codes the server, the sync client and the domain core report that a user can meet.
CODES = [
    "auth.invalid_credentials",
    "auth.locked",
    "auth.token_revoked",
    "auth.token_expired",
    "auth.login_required",
    "auth.invalid_token",
    "auth.other_user_pending",
    "sync.offline",
    "sync.batch_too_large",
    "sync.crashed",
    "sync.refused",
    "photo.too_large",
    "photo.too_many_pixels",
    "photo.not_an_image",
    "photo.unreadable",
    "photo.damaged_on_phone",
    "photo.not_found",
    "record.invalid_field",
    "record.missing_field",
    "record.too_long",
    "record.wrong_author",
    "record.unknown_reference",
    "record.conflict",
    "workflow.role_not_allowed",
    "workflow.invalid_transition",
    "workflow.not_assignee",
]
SERVER_WORDS = "Server says something in English."


@pytest.mark.parametrize("locale", LOCALES)
def test_every_known_code_has_a_sentence_in_every_language(locale: str) -> None:
    tr = Translator(locale)
    for code in CODES:
        assert tr.has(error_key(code)), code
        said = error_text(tr, code, SERVER_WORDS, {})
        assert said and said != SERVER_WORDS and "{" not in said, (locale, code)


def test_unknown_codes_fall_back_to_the_servers_words() -> None:
    tr = Translator("zh-Hans")
    assert error_text(tr, "feed.something_new", SERVER_WORDS) == SERVER_WORDS
    assert error_text(tr, None, SERVER_WORDS) == SERVER_WORDS
    assert error_text(tr, "feed.something_new", "") == "feed.something_new"  # never an empty line


def test_details_fill_the_sentence() -> None:
    en, hans = Translator("en"), Translator("zh-Hans")
    assert "Try again in 15 min" in error_text(en, "auth.locked", "", {"retry_after": 841})
    assert "(10.0 MB)" in error_text(en, "photo.too_large", "", {"max_photo_bytes": 10 * 2**20})
    assert "at most 500 records" in error_text(en, "sync.batch_too_large", "", {"max_records": 500})
    # The field is named as the form labels it.
    assert error_text(hans, "record.invalid_field", "", {"field": "body.description"}) == (
        "有一项内容无效：描述。请修改后重新保存。"
    )
    said = error_text(en, "workflow.role_not_allowed", "", {"action": "dispatch", "role": "maintenance"})
    assert said.startswith("A Maintenance may not do “Dispatch”")


def test_a_refused_work_order_action_is_said_in_the_users_language() -> None:
    saved = Saved()
    board = OrdersBoard(ref=demo_ref(), save=saved, now=lambda: T0, user={"id": "u-maint", "role": "maintenance"})
    order = demo_ref().item("work_order", "wo1")
    assert order is not None
    problem = board.act(order, WorkOrderAction.CLOSE, note="no longer needed")
    assert problem is not None and problem.code == "workflow.role_not_allowed"
    assert problem_message(Translator("zh-Hant"), problem).startswith("工程維修無權對工單執行「關閉」")
    assert saved.records == []  # nothing saved


def test_sync_bar_and_refused_records_use_the_catalog() -> None:
    es = Translator("es")
    status = SyncStatus(last_error="The server could not be reached; ...", last_error_code="sync.offline")
    assert status.detail(es) == "Error de sincronización: " + error_text(es, "sync.offline")
    record = {"sync_status": "rejected", "status_code": "record.wrong_author", "status_message": "wrong author"}
    text = problem_record_text(es, record)
    assert text.startswith("Este registro lo hizo otro usuario") and text.endswith(es.t("sync.rejected_hint"))
    unknown = {"sync_status": "conflict", "status_code": "x.new", "status_message": "Something new."}
    assert problem_record_text(es, unknown).startswith("Something new.\n")


def test_a_plain_problem_and_a_catalog_problem_still_read_as_before() -> None:
    tr = Translator("en")
    assert problem_message(tr, Problem("defect.category_missing")) == "Choose a category."
    assert problem_message(tr, Problem("", text="As the server said.")) == "As the server said."


def test_a_wrong_password_at_first_run_reads_in_the_chosen_language(tmp_path, client) -> None:
    from mobile.state.first_run import FirstRunForm

    ctx = AppContext(data_dir=tmp_path / "phone", http=client)
    try:
        form = FirstRunForm(login=ctx.login, server_url="http://testserver")
        form.username, form.password = "demo-specialist", "wrong"
        problem = form.submit()
        assert problem is not None and problem.code == "auth.invalid_credentials"
        assert problem_message(Translator("zh-Hans"), problem) == (
            "登录失败：用户名或密码错误。请检查后重试；多次输错后账号会被暂时锁定。"
        )
    finally:
        ctx.close()
