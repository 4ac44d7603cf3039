"""Message catalogs (en, zh-Hans, zh-Hant, es) and localized dates, with the standard library only.

Every visible string of the app is a key in ``shared/locales/<locale>.json``. A key missing from a
catalog falls back to English; a key missing from English shows the key itself, which a test forbids.
Enum values are looked up as ``<prefix>.<value>`` (``category.water_leakage``) through ``Translator.enum``.

Plurals: a message with a ``{count}`` has its singular under ``<key>.one`` in the languages that have one
(English and Spanish: "1 photo", "2 photos"); ``t()`` picks it when ``count`` is 1. Chinese has no plural
forms, so its catalogs have no ``.one`` keys and the one message reads right for every number.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

Moment = datetime  # the Translator has a method named datetime; annotations use this name

LOCALES = ("en", "zh-Hans", "zh-Hant", "es")
DEFAULT_LOCALE = "en"
PLURAL_ONE = frozenset({"en", "es"})  # languages with a singular form (CLDR "one" is exactly 1 for both)
ONE = ".one"
LOCALE_DIR = Path(__file__).parent / "locales"

# The catalog prefix of every enum the app shows; the catalog test checks each value has a key.
ENUM_PREFIXES = {
    "DefectCategory": "category",
    "Severity": "severity",
    "CauseFactor": "cause",
    "ChecklistItem": "checklist",
    "Slot": "slot",
    "Satisfaction": "satisfaction",
    "WorkOrderState": "order_state",
    "WorkOrderAction": "order_action",
    "WorkOrderKind": "order_kind",
    "Role": "role",
    "RecordType": "record_type",
    "CheckpointResult": "result",
}


@cache
def load_catalog(locale: str) -> dict[str, str]:
    """The catalog of one locale; an unknown locale has an empty catalog (so English shows)."""
    if locale not in LOCALES:
        return {}
    with open(LOCALE_DIR / f"{locale}.json", encoding="utf-8") as f:
        data = json.load(f)
    return {str(k): str(v) for k, v in data.items()}


def normalize_locale(tag: str | None) -> str:
    """Map what a device or browser says (``zh_CN``, ``zh-TW``, ``es-MX``) to one of LOCALES."""
    if not tag:
        return DEFAULT_LOCALE
    t = tag.replace("_", "-").lower()
    if t.startswith("zh"):
        return "zh-Hant" if any(p in t for p in ("hant", "-tw", "-hk", "-mo")) else "zh-Hans"
    if t.startswith("es"):
        return "es"
    return DEFAULT_LOCALE


class Translator:
    """Looks keys up in one locale, falling back to English; formats dates on a given zone."""

    def __init__(self, locale: str = DEFAULT_LOCALE, tz: ZoneInfo | None = None) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self.tz = tz

    def has(self, key: str) -> bool:
        return key in load_catalog(self.locale) or key in load_catalog(DEFAULT_LOCALE)

    def t(self, key: str, **args: object) -> str:
        key = self._plural(key, args.get("count"))
        text = load_catalog(self.locale).get(key)
        if text is None:
            text = load_catalog(DEFAULT_LOCALE).get(key, key)
        if not args:
            return text
        try:
            return text.format(**args)
        except (KeyError, IndexError, ValueError):
            # A translation with a broken placeholder must not crash a screen: show English.
            return load_catalog(DEFAULT_LOCALE).get(key, key).format(**args)

    def _plural(self, key: str, count: object) -> str:
        if count == 1 and not isinstance(count, bool) and self.locale in PLURAL_ONE and self.has(key + ONE):
            return key + ONE
        return key

    def enum(self, value: Enum) -> str:
        prefix = ENUM_PREFIXES.get(type(value).__name__, type(value).__name__.lower())
        return self.t(f"{prefix}.{value.value}")

    def _parts(self, d: date) -> dict[str, object]:
        return {
            "year": d.year,
            "month_num": d.month,
            "month": self.t(f"month.{d.month}"),
            "day": d.day,
            "weekday": self.t(f"weekday.{d.weekday()}"),
        }

    def _local(self, at: Moment) -> Moment:
        return at.astimezone(self.tz) if self.tz is not None else at

    def date(self, d: date | Moment) -> str:
        if isinstance(d, Moment):
            d = self._local(d).date()
        return self.t("fmt.date", **self._parts(d))

    def time(self, at: Moment) -> str:
        local = self._local(at)
        return self.t("fmt.time", hour=local.hour, minute=local.minute)

    def datetime(self, at: Moment) -> str:
        return self.t("fmt.datetime", date=self.date(at), time=self.time(at))

    def short(self, at: Moment) -> str:
        """Day, month and time: for lists where the year is obvious."""
        local = self._local(at)
        return self.t("fmt.short", time=self.time(at), **self._parts(local.date()))
