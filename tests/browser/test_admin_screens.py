"""The administration screens at desktop width against a live demo server: users, places, routes; four languages."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from shared.i18n import LOCALES, Translator
from tests.browser.phone import Phone, choose
from tests.browser.test_screens_i18n import check_screen
from tests.conftest import bearer, login

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(900)]


def open_section(phone: Phone, name: str) -> None:
    page = phone.page
    target = (
        page.get_by_role("tab", name=name)
        .or_(page.get_by_role("button", name=name))
        .or_(page.get_by_text(name, exact=True))
        .or_(page.get_by_label(name, exact=True))
    )
    target.first.click()
    time.sleep(0.8)


def test_admin_creates_user_place_route_and_deactivates_in_every_language(live_server, flet_app, new_phone) -> None:
    server = live_server()
    app = flet_app(server.url)
    admin = new_phone(app, width=1280, height=800)
    admin.fill("User name", "demo-admin")
    admin.fill("Password", "demo")
    admin.tap("Log in")
    admin.see("All sent", timeout=60_000)
    admin.tab("Admin")
    admin.see("Administration")
    admin.see("Zhang Min")  # the property's users are listed

    # a new specialist
    admin.tap("New user")
    admin.fill("User name", "zhao-lei")
    admin.fill("Full name", "Zhao Lei")
    admin.fill("First password (at least 10 characters)", "short")
    admin.tap("Save")
    admin.see("The password needs at least 10 characters")  # the server's refusal, at its field
    admin.fill("First password (at least 10 characters)", "harbour view 2026")
    admin.tap("Save")
    admin.see("Saved.")
    admin.shot("admin-user-saved")
    token = login(server.url, "demo-admin")
    users = httpx.get(f"{server.url}/api/v1/admin/users", params={"property_id": "demo"}, headers=bearer(token)).json()
    created = next(u for u in users if u["username"] == "zhao-lei")
    assert (created["name"], created["role"], created["active"]) == ("Zhao Lei", "specialist", True)

    # deactivate them, after saying yes
    admin.tap("Deactivate")
    admin.see("Their phones stop at once")
    admin.shot("admin-deactivate-confirm")
    admin.tap("Deactivate")  # the question comes first on the screen: its "Deactivate" is the first
    admin.see("Deactivated.")
    users = httpx.get(f"{server.url}/api/v1/admin/users", params={"property_id": "demo"}, headers=bearer(token)).json()
    assert next(u for u in users if u["username"] == "zhao-lei")["active"] is False

    # a place and a route with one checkpoint there
    open_section(admin, "Places")
    admin.tap("New place")
    choose(admin, "Common area")
    admin.fill("Name", "Roof garden")
    admin.tap("Save")
    admin.see("Saved.")
    open_section(admin, "Routes")
    admin.tap("New route")
    admin.fill("Route name", "Roof round")
    admin.tap("Save")
    admin.see("Saved.")
    choose(admin, "Roof garden")
    admin.fill("Code on the label", "ROOF-1")
    admin.tap("Add checkpoint")
    admin.see("Checkpoint added.")
    routes = httpx.get(f"{server.url}/api/v1/admin/properties/demo/routes", headers=bearer(token)).json()
    roof = next(r for r in routes if r["name"] == "Roof round")
    assert [c["scan_code"] for c in roof["checkpoints"]] == ["ROOF-1"]
    admin.tap("Print labels")
    admin.see("Labels saved as")
    with admin.page.expect_download(timeout=30_000) as download:
        admin.tap("Download labels (PDF)")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and download.value.suggested_filename == f"labels-{roof['id']}.pdf"

    shown = Translator("en")
    for locale in LOCALES:
        tr = Translator(locale)
        admin.tab(shown.t("nav.more"))
        choose(admin, shown.t(f"lang.{locale}"))
        shown = tr
        admin.see(tr.t("settings.title"))
        admin.tab(tr.t("nav.admin"))
        admin.see(tr.t("admin.title"))
        open_section(admin, tr.t("admin.section.users"))
        check_screen(admin, "admin-users", locale)
        open_section(admin, tr.t("admin.section.routes"))
        admin.see("Roof round")
        check_screen(admin, "admin-routes", locale)

    # the same screens on a phone: sections as chips, the detail replaces the list and has a way back
    tr = Translator(LOCALES[-1])
    small = new_phone(app, width=390, height=844)
    small.tab(tr.t("nav.admin"))
    choose(small, tr.t("admin.section.routes"))
    small.see("Roof round")
    small.page.get_by_text("Roof round").first.click()
    small.see(tr.t("admin.checkpoints"))
    small.see("ROOF-1")
    assert not small.shows(tr.t("admin.new.routes"))  # the list is hidden while the detail is open
    small.shot(f"admin-route-phone-{LOCALES[-1]}")
    small.tap(tr.t("common.back"))
    small.see(tr.t("admin.new.routes"))
