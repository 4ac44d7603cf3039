"""A supervisor opens Statistics, picks last month, taps the top Pareto bar's row and sees its orders; four languages.

Last month's defects are pushed while the server's test clock stands in last month, then the clock goes back to
now, so "last month" on the phone is the month they were reported in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.i18n import LOCALES, Translator
from shared.model import DefectCategory
from sync_server.clock import ENV, set_file_clock
from sync_server.settings import Settings
from tests.browser.phone import Phone, choose
from tests.browser.test_screens_i18n import check_screen, log_in, set_language
from tests.conftest import bearer, login
from tests.work_order_records import Phone as ScriptedPhone
from tests.work_order_records import leak

DEMO_TZ = ZoneInfo(Settings.tz_name)  # the demo property keeps the default zone
pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(900)]


def mid_last_month() -> datetime:
    """Noon on the 10th of last month on the property's clock (the phone's "last month" is the property's)."""
    first = datetime.now(UTC).astimezone(DEMO_TZ).replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    return (first - timedelta(days=1)).replace(day=10)


def open_stats_last_month(phone: Phone, tr: Translator) -> None:
    phone.tab(tr.t("nav.review"))
    phone.tap(tr.t("statsui.title"))
    phone.see(tr.t("statsui.period.last_month"))
    choose(phone, tr.t("statsui.period.last_month"))
    phone.see(tr.t("statsui.targets"))


def test_supervisor_reads_last_month_and_opens_the_top_category(
    live_server, flet_app, new_phone, tmp_path, monkeypatch
):
    clock_file = tmp_path / "clock.txt"
    monkeypatch.setenv(ENV, str(clock_file))
    then = mid_last_month()
    set_file_clock(clock_file, then + timedelta(hours=5))  # the defects below were made in the hours before
    server = live_server()
    token = login(server.url, "demo-supervisor")

    with httpx.Client(base_url=server.url, timeout=30) as http:
        spec = ScriptedPhone(http, "demo-specialist")
        for hour, unit in enumerate(("demo-b1-u101", "demo-b1-u201", "demo-b2-u302")):  # three places: three orders
            spec.send(leak(unit), then + timedelta(hours=hour))
        spec.send(leak(category=DefectCategory.ELECTRICAL), then + timedelta(hours=4))
        orders = http.get("/api/v1/orders", headers=bearer(token)).json()["orders"]
    numbers = sorted(o["number"] for o in orders if o.get("category") == DefectCategory.WATER_LEAKAGE.value)
    electrical = next(o["number"] for o in orders if o.get("category") == DefectCategory.ELECTRICAL.value)
    assert len(numbers) == 3
    clock_file.write_text("")  # the real time again: those defects are last month's

    sup = new_phone(flet_app(server.url))
    log_in(sup, "demo-supervisor")
    en = Translator("en")
    open_stats_last_month(sup, en)
    water = en.enum(DefectCategory.WATER_LEAKAGE)
    sup.see(f"{water} · {en.t('statsui.key_few')}")
    sup.see(en.t("statsui.bar_row", n=3, share="75%", cumulative="75%"))
    sup.page.get_by_text(f"{water} · {en.t('statsui.key_few')}").first.click()
    sup.see(en.t("statsui.orders_of", category=water))
    for number in numbers:  # the three leaks, and not the electrical one
        sup.see(f"#{number} ·")
    assert sup.page.get_by_text(f"#{electrical} ·").count() == 0
    sup.shot("stats-orders-en")

    current = "en"
    for locale in LOCALES:
        tr = Translator(locale)
        set_language(sup, Translator(current), locale)
        current = locale
        open_stats_last_month(sup, tr)
        sup.see(tr.t("statsui.pareto"))
        check_screen(sup, "stats-last-month", locale)
        category = tr.enum(DefectCategory.WATER_LEAKAGE)
        sup.page.get_by_text(f"{category} · {tr.t('statsui.key_few')}").first.click()
        sup.see(tr.t("statsui.orders_of", category=category))
        check_screen(sup, "stats-orders", locale)
