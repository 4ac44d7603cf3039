"""Every administration screen builds (wide and narrow) in every language and shows no raw catalog key."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from mobile.context import AppContext
from mobile.state.admin_import import ImportProblem
from shared.i18n import LOCALES
from tests.mobile.test_views_build_state import KEYS, SERVER_URL, texts


@pytest.fixture
def admin_ctx(tmp_path: Path, client) -> Any:
    ctx = AppContext(data_dir=tmp_path / "desk", http=client)
    ctx.login(SERVER_URL, "demo-admin", "demo")
    yield ctx
    ctx.close()


def built_screens(ctx: AppContext, width: int) -> dict[str, Any]:
    from mobile.views.admin import AdminView

    shell = SimpleNamespace(ctx=ctx, page=SimpleNamespace(width=width, height=800), render=lambda: None)
    view = AdminView(shell)
    out: dict[str, Any] = {}
    for name in view.area.names:
        view.area.open(name)
        section = view.area.section
        out[f"{name}-list"] = view.build()
        if section is None:  # import
            imp = view.area.importer
            imp.choose("units.csv", b"x")
            imp.checked, imp.counts = True, {"places": 3, "checkpoints": 2}
            imp.problems = [ImportProblem("Places", 7, "C", "Unknown building", "import.unknown_parent")]
            out["import-problems"] = view.build()
            continue
        if section.items:
            section.select(section.items[0])
            view.detail_open = True
            out[f"{name}-detail"] = view.build()
            asked = [(a, i) for i in section.items for a in section.actions(i) if a.confirm]
            if asked:
                action, item = asked[0]
                section.select(item)
                section.act(action, item)  # only asks
                out[f"{name}-asking"] = view.build()
        if section.fields:
            section.new()
            out[f"{name}-new"] = view.build()
        view.detail_open = False
    return out


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("width", [1280, 390])
def test_admin_screens_build_without_raw_keys(admin_ctx: AppContext, locale: str, width: int) -> None:
    admin_ctx.set_locale(locale)
    built = built_screens(admin_ctx, width)
    assert {"users-detail", "users-asking", "routes-detail", "permits-asking", "import-problems"} <= set(built)
    for name, control in built.items():
        shown = texts(control)
        raw = [s for s in shown if s in KEYS]
        assert shown and not raw, f"{name} in {locale} shows raw keys {raw}"
    tr = admin_ctx.tr
    asking = " ".join(texts(built["users-asking"]))
    assert tr.t("admin.cancel") in asking
    assert tr.t("admin.import.where", sheet="Places", row=7, column="C") in texts(built["import-problems"])
