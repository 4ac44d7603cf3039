"""The weekly or monthly report of a property as PDF: the figures, the targets met or missed, the Pareto chart of
problem categories (drawn with fpdf2's lines and rectangles), the cause breakdown and the overdue orders.

The figures come from ``sync_server.stats.figures_for`` (the JSON ``shared.figures`` makes); this module only
draws them, in the reader's language.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.figures import COUNTS, RATES
from shared.i18n import Translator
from sync_server.db import Database, accounts, reference, work_orders
from sync_server.reports import wording
from sync_server.reports.pdf import MARGIN, Page, when
from sync_server.settings import Settings

CAUSES = ("people", "machines", "materials", "methods", "environment", "unknown")
CHART_HEIGHT = 55.0
KEY_FEW = (40, 90, 160)  # the bars of the key few, darker than the rest
OTHERS = (170, 190, 215)
MET, MISSED, NO_DATA = (20, 120, 50), (190, 30, 30), (110, 110, 110)
MAX_OVERDUE = 200  # a longer list belongs in the export, not on paper


def figures_of(db: Database, settings: Settings, property_id: str, first: date, last: date) -> dict[str, Any]:
    """The one place the report takes its figures from."""
    from sync_server import stats  # noqa: PLC0415  (not on main when this was written; imported where it is used)

    return stats.figures_for(db, settings, property_id, first, last)


def overdue_orders(db: Database, *, property_id: str, until: datetime) -> list[dict[str, Any]]:
    """Orders with a deadline unmet at ``until`` (the period's end, or now if sooner), soonest first."""
    cutoff = until.astimezone(UTC)
    rows = work_orders.list_orders(
        db, property_id=property_id, due_before_utc=cutoff.isoformat(timespec="microseconds"), limit=MAX_OVERDUE
    )
    late = []
    for row in rows:
        data = {**row["data"], "number": row["number"]}
        missed = [d for d in data["deadlines"] if d["met_at"] is None and datetime.fromisoformat(d["due_at"]) < cutoff]
        if missed:
            late.append({**data, "late_deadlines": missed})
    return late


def render(
    db: Database, property_id: str, figures: dict[str, Any], overdue: list[dict[str, Any]], tr: Translator
) -> bytes:
    period = figures["period"]
    page = Page()
    prop = reference.get_property(db, property_id=property_id)
    page.big_title(
        tr.t(
            "report.period.title",
            start=tr.date(date.fromisoformat(period["from"])),
            end=tr.date(date.fromisoformat(period["to"])),
        )
    )
    if prop:
        page.para(str(prop.get("name") or property_id))
    _figures(page, tr, figures)
    _targets(page, tr, figures.get("targets", []))
    page.heading(tr.t("report.period.pareto"))
    pareto(page, tr, figures.get("pareto", []))
    page.heading(tr.t("report.period.causes"))
    causes(page, tr, figures.get("causes", {}))
    page.heading(tr.t("report.period.overdue"))
    _overdue(page, db, tr, property_id, overdue)
    return page.render()


def percent(value: float | None, tr: Translator) -> str:
    return tr.t("report.period.no_value") if value is None else f"{value * 100:.1f}%"


def _figures(page: Page, tr: Translator, figures: dict[str, Any]) -> None:
    page.heading(tr.t("report.period.figures"))
    counts, rates = figures.get("counts", {}), figures.get("rates", {})
    for name in COUNTS:
        if name in counts:
            page.field(tr.t(f"report.count.{name}"), str(counts[name]))
    for name in RATES:
        if name in rates:
            page.field(tr.t(f"report.rate.{name}"), percent(rates[name], tr))


def _targets(page: Page, tr: Translator, targets: list[dict[str, Any]]) -> None:
    page.heading(tr.t("report.period.targets"))
    for target in targets:
        key = f"report.target.{target['name']}"
        met = target.get("met")
        page.set_text_color(*(NO_DATA if met is None else MET if met else MISSED))
        line = tr.t(
            "report.target.line",
            name=tr.t(key) if tr.has(key) else target["name"],
            value=percent(target.get("value"), tr),
            comparison=wording.comparison(tr, str(target.get("comparison", ""))),
            target=percent(target.get("target"), tr),
            verdict=wording.verdict(tr, met),
        )
        page.para(line)
        page.set_text_color(0)


def pareto(page: Page, tr: Translator, bars: list[dict[str, Any]]) -> None:
    """Bars of the categories by count, largest first, the key few darker, and the cumulative share as a line
    against a right-hand 0-100% scale with the 80% mark."""
    if not bars:
        page.para(tr.t("report.period.none"))
        return
    top, left, width = page.room_for(CHART_HEIGHT + 25) + 2, MARGIN + 8, page.body_width - 16
    bottom = top + CHART_HEIGHT
    highest = max(b["count"] for b in bars) or 1
    slot = width / len(bars)
    page.set_draw_color(120)
    page.line(left, bottom, left + width, bottom)
    page.line(left, top, left, bottom)
    page.line(left + width, top, left + width, bottom)
    page.set_font_size(7)
    eighty = bottom - 0.8 * CHART_HEIGHT
    page.set_dash_pattern(dash=1, gap=1)
    page.line(left, eighty, left + width, eighty)
    page.set_dash_pattern()
    page.text(left + width + 1, eighty + 1, "80%")
    page.text(left + width + 1, top + 1, "100%")
    points = []
    for n, bar in enumerate(bars):
        height = CHART_HEIGHT * bar["count"] / highest
        x = left + n * slot + slot * 0.15
        page.set_fill_color(*(KEY_FEW if bar.get("key") else OTHERS))
        page.rect(x, bottom - height, slot * 0.7, height, style="F")
        page.text(x, bottom - height - 1, str(bar["count"]))
        points.append((left + n * slot + slot / 2, bottom - CHART_HEIGHT * float(bar.get("cumulative") or 0)))
        label = wording.enum_text(tr, "category", bar["category"])
        page.set_xy(left + n * slot, bottom + 1)
        page.multi_cell(slot, 3, label, align="C")
    page.set_draw_color(*MISSED)
    page.set_line_width(0.5)
    page.polyline(points)
    for x, y in points:
        page.circle(x, y, 0.8, style="F")
    page.set_line_width(0.2)
    page.set_draw_color(0)
    page.set_font_size(10)
    page.set_xy(MARGIN, bottom + 12)
    key_few = ", ".join(wording.enum_text(tr, "category", b["category"]) for b in bars if b.get("key"))
    if key_few:
        page.field(tr.t("report.period.key_few"), key_few)


def causes(page: Page, tr: Translator, found: dict[str, int]) -> None:
    """One horizontal bar per cause factor, in the order of the cause-and-effect analysis."""
    total = sum(found.values())
    if not total:
        page.para(tr.t("report.period.none"))
        return
    widest = max(found.values())
    scale = (page.body_width - 60) / widest
    for name in CAUSES:
        count = found.get(name, 0)
        y = page.room_for(6)
        label = tr.t("report.cause.unknown") if name == "unknown" else wording.enum_text(tr, "cause", name)
        page.set_xy(MARGIN, y)
        page.cell(40, 5, label)
        page.set_fill_color(*OTHERS)
        if count:
            page.rect(MARGIN + 42, y + 0.8, count * scale, 3.4, style="F")
        page.text(MARGIN + 44 + count * scale, y + 4, f"{count} ({count / total * 100:.0f}%)")
        page.set_xy(MARGIN, y + 6)


def _overdue(page: Page, db: Database, tr: Translator, property_id: str, overdue: list[dict[str, Any]]) -> None:
    if not overdue:
        page.para(tr.t("report.period.none"))
        return
    people = {u["id"]: u["name"] or u["username"] for u in accounts.users_of_property(db, property_id=property_id)}
    for order in overdue:
        place = reference.get(db, kind="place", id=order["place_id"]) if order.get("place_id") else None
        due = min(order["late_deadlines"], key=lambda d: d["due_at"])["due_at"]
        parts = (
            order["number"],
            wording.enum_text(tr, "category", order.get("category")),
            place["name"] if place else "",
            when(tr, due),
            people.get(order.get("assignee_id") or "", ""),
            wording.enum_text(tr, "state", order["state"]),
        )
        page.para(" · ".join(p for p in parts if p))


def report(db: Database, settings: Settings, property_id: str, first: date, last: date, tr: Translator) -> bytes:
    """The period report of a property, as the endpoint and the command line both make it."""
    figures = figures_of(db, settings, property_id, first, last)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tr.tz)
    overdue = overdue_orders(db, property_id=property_id, until=min(end, settings.now()))
    return render(db, property_id, figures, overdue, tr)
