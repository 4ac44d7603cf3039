"""The sync bar's words: pending, photos, problems, last sync, progress; and first-run login outcomes."""

from __future__ import annotations

from mobile.state.first_run import FirstRunForm, normalize_url
from mobile.state.messages import problem_message
from mobile.state.ports import Problem
from mobile.state.sync_status import SyncStatus, problem_hint_key
from shared.errors import AuthProblem
from shared.i18n import Translator
from tests.mobile.state_fixtures import T0


def test_headline_counts_what_waits_and_what_needs_attention() -> None:
    tr = Translator("en")
    s = SyncStatus(pending=3, pending_photos=2, problems=[{"id": "x"}])
    assert s.headline(tr) == "3 to send · 2 photos · 1 needs attention"
    assert s.attention
    assert SyncStatus().headline(tr) == "All sent"
    assert SyncStatus().detail(tr) == "Never synced"


def test_last_sync_and_failures_are_said_in_the_users_language() -> None:
    tr = Translator("zh-Hans")
    assert SyncStatus(last_success=T0).detail(tr) == "上次同步 11月23日 01:30"
    failed = SyncStatus(last_success=T0, last_error="offline")
    assert failed.detail(tr) == "同步失败：offline" and failed.attention


def test_progress_is_indeterminate_until_the_total_is_known() -> None:
    s = SyncStatus(running=True)
    assert s.progress is None
    s.done, s.total = 1, 4
    assert s.progress == 0.25
    assert s.headline(Translator("es")) == "Sincronizando 1/4"
    assert SyncStatus(done=1, total=4).progress is None  # not running: no bar


def test_each_problem_kind_says_what_to_do() -> None:
    assert problem_hint_key("conflict") == "sync.conflict_hint"
    assert problem_hint_key("rejected") == "sync.rejected_hint"


def test_first_run_needs_every_field_and_reports_login_failures() -> None:
    calls = []

    def login(url: str, user: str, password: str) -> dict:
        calls.append((url, user, password))
        if password != "demo":
            raise AuthProblem("auth.invalid_credentials", "Wrong user name or password.")
        return {"id": "u", "role": "specialist"}

    form = FirstRunForm(login=login, server_url="127.0.0.1:8765/")
    assert form.submit() == Problem("first_run.missing")
    form.username, form.password = "demo-specialist", "nope"
    problem = form.submit()
    assert problem is not None and (problem.key, problem.code) == ("first_run.failed", "auth.invalid_credentials")
    said = problem_message(Translator("es"), problem)
    assert said.startswith("No se pudo iniciar sesión") and "Usuario o contraseña incorrectos" in said
    assert form.password == ""  # never kept
    form.password = "demo"
    assert form.submit() is None and form.user == {"id": "u", "role": "specialist"}
    assert calls[-1] == ("http://127.0.0.1:8765", "demo-specialist", "demo")


def test_unreachable_server_is_its_own_message() -> None:
    def login(url: str, user: str, password: str) -> dict:
        raise ConnectionError("refused")

    form = FirstRunForm(login=login, server_url="http://x")
    form.username, form.password = "a", "b"
    assert form.submit() == Problem("first_run.unreachable")
    assert normalize_url(" https://a.example/ ") == "https://a.example"


def test_a_message_shown_before_a_successful_sync_is_stale_after_it() -> None:
    from datetime import timedelta

    s = SyncStatus(last_success=T0)
    assert not s.succeeded_since(T0)  # nothing new since the message was shown
    s.last_success = T0 + timedelta(minutes=1)
    assert s.succeeded_since(T0) and SyncStatus(last_success=T0).succeeded_since(None)
    s.running = True
    assert not s.succeeded_since(T0)  # still syncing: it may yet fail
    s.running, s.last_error = False, "offline"
    assert not s.succeeded_since(T0)
