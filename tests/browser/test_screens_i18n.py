"""Every main screen in each of the four languages: screenshots under test-output/screenshots, no raw keys."""

from __future__ import annotations

import json
import re

import pytest

from shared.i18n import LOCALE_DIR, LOCALES, Translator
from tests.browser.phone import Phone, choose

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(900)]

KEYS = set(json.loads((LOCALE_DIR / "en.json").read_text(encoding="utf-8")))
HAN = re.compile(r"[\u4e00-\u9fff]")


def screen_text(phone: Phone) -> str:
    return phone.page.locator("body").aria_snapshot()


def check_screen(phone: Phone, name: str, locale: str) -> None:
    phone.shot(f"{name}-{locale}")
    text = screen_text(phone)
    raw = sorted(k for k in KEYS if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w.])", text))
    assert not raw, f"{name} in {locale} shows raw keys: {raw}"
    if locale.startswith("zh"):
        assert HAN.search(text), f"{name} in {locale} shows no Chinese"


def log_in(phone: Phone, username: str) -> None:
    phone.fill("User name", username)
    phone.fill("Password", "demo")
    phone.tap("Log in")
    phone.see("Hello, ")
    phone.see("All sent", timeout=60_000)


def set_language(phone: Phone, tr: Translator, locale: str) -> None:
    phone.tab(tr.t("nav.more"))
    choose(phone, tr.t(f"lang.{locale}"))
    phone.see(Translator(locale).t("settings.title"))


def test_main_screens_in_every_language(live_server, flet_app, new_phone) -> None:
    server = live_server()

    spec = new_phone(flet_app(server.url))
    for locale in LOCALES:
        choose(spec, Translator("en").t(f"lang.{locale}"))
        spec.see(Translator(locale).t("first_run.login"))
        check_screen(spec, "first-run", locale)
    choose(spec, "English")
    log_in(spec, "demo-specialist")
    # One defect, so the order screens have an order to show.
    spec.tap("Report a defect")
    choose(spec, "Lobby")
    choose(spec, "Elevator")
    spec.fill("Description", "Lift door closes too fast")
    spec.tap("Save")
    spec.tap("Sync")
    spec.see("All sent", timeout=60_000)

    site = new_phone(flet_app(server.url), width=360, height=780)  # the narrowest phone we support
    log_in(site, "demo-site-supervisor")
    sup = new_phone(flet_app(server.url))
    log_in(sup, "demo-supervisor")

    current = "en"
    for locale in LOCALES:
        tr = Translator(locale)
        for phone in (spec, site, sup):
            set_language(phone, Translator(current), locale)
        current = locale
        spec.tab(tr.t("nav.today"))
        check_screen(spec, "today-specialist", locale)
        spec.tab(tr.t("nav.patrol"))
        check_screen(spec, "patrol-routes", locale)
        spec.tab(tr.t("nav.today"))
        spec.tap(tr.t("today.new_defect"))
        spec.see(tr.t("defect.category"))
        check_screen(spec, "defect", locale)
        spec.tab(tr.t("nav.today"))
        spec.tap(tr.t("today.new_complaint"))
        spec.see(tr.t("complaint.severity"))
        check_screen(spec, "complaint", locale)
        spec.tab(tr.t("nav.orders"))
        check_screen(spec, "orders", locale)
        spec.tab(tr.t("nav.more"))
        check_screen(spec, "more", locale)

        site.tab(tr.t("nav.today"))
        check_screen(site, "today-site-supervisor", locale)
        site.page.get_by_role("button").filter(has_text="·").first.click()  # the first permit
        site.see(tr.t("renovation.workers"))
        check_screen(site, "renovation", locale)

        sup.tab(tr.t("nav.today"))
        check_screen(sup, "today-supervisor", locale)
        sup.tab(tr.t("nav.review"))
        check_screen(sup, "review", locale)
        sup.tap(tr.t("category.elevator"), exact=False)
        sup.see(tr.t("orders.choose_assignee"))
        check_screen(sup, "order-detail", locale)
