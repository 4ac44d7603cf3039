"""Every catalog has every key, every key the app uses exists, and dates are localized."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared import model
from shared.i18n import (
    ENUM_PREFIXES,
    LOCALE_DIR,
    LOCALES,
    ONE,
    PLURAL_ONE,
    Translator,
    load_catalog,
    normalize_locale,
)

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r"""\bt\(\s*["']([^"']+)["']""")
LITERAL = re.compile(r"""["']([a-z_]+(?:\.[A-Za-z0-9_-]+)+)["']""")
PLACEHOLDER = re.compile(r"\{(\w+)")


def catalog_files() -> dict[str, dict[str, str]]:
    return {loc: json.loads((LOCALE_DIR / f"{loc}.json").read_text(encoding="utf-8")) for loc in LOCALES}


def app_sources() -> list[Path]:
    return sorted((ROOT / "mobile").rglob("*.py"))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalog_has_every_english_key_and_no_extra(locale: str) -> None:
    catalogs = catalog_files()
    english = sorted(catalogs["en"])
    if locale not in PLURAL_ONE:  # Chinese: one form for every number, so no singular keys
        english = [k for k in english if not k.endswith(ONE)]
    assert sorted(catalogs[locale]) == english


@pytest.mark.parametrize("locale", sorted(PLURAL_ONE))
def test_every_count_message_has_its_singular(locale: str) -> None:
    catalog = catalog_files()[locale]
    counted = [k for k, text in catalog.items() if "{count}" in text and not k.endswith(ONE)]
    assert len(counted) >= 8  # photos, sync bar, logout, patrol, route progress, errors, findings
    assert [k for k in counted if k + ONE not in catalog] == []
    assert [k for k in catalog if k.endswith(ONE) and k.removesuffix(ONE) not in catalog] == []


def test_plurals_read_right_in_every_language() -> None:
    en, es, hans, hant = (Translator(loc) for loc in ("en", "es", "zh-Hans", "zh-Hant"))
    assert (en.t("common.photos", count=1), en.t("common.photos", count=2)) == ("1 photo", "2 photos")
    assert en.t("common.photos", count=0) == "0 photos"
    assert (es.t("common.photos", count=1), es.t("common.photos", count=2)) == ("1 foto", "2 fotos")
    assert (hans.t("common.photos", count=1), hant.t("common.photos", count=2)) == ("1 张照片", "2 張照片")
    assert (
        en.t("sync.problems", count=1) == "1 needs attention" and en.t("sync.problems", count=3) == "3 need attention"
    )
    assert en.t("today.route_progress", done=0, count=1) == "0 of 1 checkpoint"
    assert es.t("today.route_progress", done=1, count=4) == "1 de 4 puntos de control"
    assert "(s)" not in en.t("photo.some_missing", count=1) + es.t("photo.some_offline", count=2)
    assert en.t("photo.some_missing", count=1).startswith("1 photo not on the server yet")


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders_and_are_not_empty(locale: str) -> None:
    en = catalog_files()["en"]
    for key, text in catalog_files()[locale].items():
        assert text.strip(), f"{locale}:{key} is empty"
        assert "(s)" not in text, f"{locale}:{key} writes a plural the lazy way"
        if key.startswith("fmt."):  # date patterns pick their own parts in their own order
            assert set(PLACEHOLDER.findall(text)) <= {
                "year",
                "month",
                "month_num",
                "day",
                "weekday",
                "hour",
                "minute",
                "date",
                "time",
            }
            continue
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(en[key])), f"{locale}:{key}"


def test_every_key_the_app_looks_up_exists() -> None:
    from mobile.state.messages import SAME_AS  # server error codes: dotted, but not catalog keys
    from mobile.state.review import FINDING_KEYS  # server finding kinds: dotted, but not catalog keys

    en = catalog_files()["en"]
    namespaces = {k.split(".")[0] for k in en}
    used: dict[str, str] = {}
    for path in app_sources():
        text = path.read_text(encoding="utf-8")
        for key in CALL.findall(text):
            used[key] = path.name
        # Keys kept in tuples or Problems before the lookup: any dotted literal of a catalog namespace in the UI.
        if path.parent.name not in ("views", "state"):
            continue
        for key in LITERAL.findall(text):
            if key in FINDING_KEYS or key in SAME_AS or key in SAME_AS.values():
                continue
            if key.split(".")[0] in namespaces and not key.startswith(("ft.", "mobile.", "shared.")):
                used[key] = path.name
    assert len(used) > 100  # the scan itself works
    missing = {k: f for k, f in used.items() if k not in en}
    assert not missing


def test_every_enum_value_shown_has_a_key() -> None:
    en = catalog_files()["en"]
    for enum_name, prefix in ENUM_PREFIXES.items():
        for value in getattr(model, enum_name):
            assert f"{prefix}.{value.value}" in en


def test_every_locale_name_is_a_key() -> None:
    en = catalog_files()["en"]
    assert all(f"lang.{loc}" in en for loc in LOCALES)


def test_chinese_catalogs_are_chinese_and_differ_by_script() -> None:
    hans, hant = load_catalog("zh-Hans"), load_catalog("zh-Hant")
    assert hans["defect.title"] == "报修" and hant["defect.title"] == "報修"
    assert hans["checklist.workers_have_passes"] != hant["checklist.workers_have_passes"]


def test_missing_key_falls_back_to_english_then_to_the_key() -> None:
    tr = Translator("es")
    assert tr.t("nav.today") == "Hoy"
    assert Translator("xx").t("nav.today") == "Today"
    assert tr.t("no.such.key") == "no.such.key"


def test_format_args_are_filled() -> None:
    assert Translator("zh-Hans").t("sync.pending", count=3) == "待发送 3 条"
    assert Translator("en").t("patrol.checkpoint", index=2, total=5) == "Checkpoint 2 of 5"


def test_enum_labels() -> None:
    assert Translator("zh-Hant").enum(model.DefectCategory.WATER_LEAKAGE) == "給排水/漏水"
    assert Translator("es").enum(model.Slot.AFTERNOON) == "Tarde"


def test_dates_and_times_are_localized_on_the_property_clock() -> None:
    at = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 Monday in Shanghai
    tz = ZoneInfo("Asia/Shanghai")
    assert Translator("en", tz).datetime(at) == "Mon 23 Nov 2026, 09:30"
    assert Translator("zh-Hans", tz).datetime(at) == "2026年11月23日 周一 09:30"
    assert Translator("zh-Hant", tz).date(at) == "2026年11月23日 週一"
    assert Translator("es", tz).date(date(2026, 1, 4)) == "dom 4 de ene de 2026"
    assert Translator("es", tz).short(at) == "23 nov 09:30"


def test_device_locale_tags_map_to_the_four_languages() -> None:
    assert normalize_locale("zh_CN") == "zh-Hans"
    assert normalize_locale("zh-TW") == "zh-Hant"
    assert normalize_locale("zh-Hant-HK") == "zh-Hant"
    assert normalize_locale("es-MX") == "es"
    assert normalize_locale("fr-FR") == "en"
    assert normalize_locale(None) == "en"


def test_shared_i18n_uses_the_standard_library_only() -> None:
    text = (ROOT / "shared" / "i18n.py").read_text(encoding="utf-8")
    for banned in ("flet", "httpx", "sqlite_utils", "fastapi", "PIL"):
        assert f"import {banned}" not in text and f"from {banned}" not in text


def test_keys_built_at_run_time_exist() -> None:
    """Keys the scan above cannot see: composed from server data (history actions, deadlines, verdicts, codes)."""
    from mobile.state.messages import FIELD_KEYS, SAME_AS, error_key
    from mobile.state.wording import DEADLINES, HISTORY_ACTIONS, LATE_KEYS, VERDICTS

    en = catalog_files()["en"]
    built = [f"history.{a}" for a in HISTORY_ACTIONS] + [f"deadline.{d}" for d in DEADLINES]
    built += [f"history.verdict.{v}" for v in VERDICTS] + list(LATE_KEYS.values())
    built += [error_key(code) for code in SAME_AS] + list(FIELD_KEYS.values())
    assert [k for k in built if k not in en] == []


def test_the_bundled_font_draws_every_character_of_the_catalogs() -> None:
    """Offline, a character missing from the CJK subset shows as a box: rebuild it with assets/fonts/subset.py."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(ROOT / "assets" / "fonts" / "NotoSansCJK-subset.otf").getBestCmap()
    missing = {
        ch for texts in catalog_files().values() for text in texts.values() for ch in text if ord(ch) not in cmap
    }
    assert missing == set()
