"""The supervisor's Statistics screen: a period, the server's figures for it, and the orders behind a Pareto bar.

The figures are computed by the server (``GET /api/v1/stats``, shape in ``shared.figures``); the phone only picks
the period, reads the answer and asks for the orders of one category (``GET /api/v1/orders?from=&to=&category=``).
This is an online screen: offline it says so and keeps the last figures it had.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mobile.state.admin import problem_of
from mobile.state.downloads import save_download
from mobile.state.ports import Problem
from shared.errors import PatrolError
from shared.figures import COUNTS, RATES

# what the Statistics screen downloads for its period: (name, server path, file suffix)
DOWNLOADS = [
    ("report", "/api/v1/reports/period.pdf", "pdf"),
    ("orders", "/api/v1/exports/orders.xlsx", "xlsx"),
    ("records", "/api/v1/exports/records.xlsx", "xlsx"),
    ("findings", "/api/v1/exports/findings.xlsx", "xlsx"),
    ("figures", "/api/v1/exports/figures.xlsx", "xlsx"),
]
PERIODS = ["this_week", "last_week", "this_month", "last_month", "custom"]
TREND_SERIES = ["defects", "complaints", "orders_opened", "overdue"]


def period_range(period: str, today: date) -> tuple[date, date]:
    """First and last day (both included) of a named period around ``today``; weeks start on Monday."""
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    if period == "this_week":
        return monday, monday + timedelta(days=6)
    if period == "last_week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if period == "last_month":
        last = first_of_month - timedelta(days=1)
        return last.replace(day=1), last
    # this month (and the start of a custom range)
    next_month = (first_of_month + timedelta(days=32)).replace(day=1)
    return first_of_month, next_month - timedelta(days=1)


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@dataclass
class Bar:
    """One Pareto bar: its category, count, share and running share; ``key`` marks the key few (~80%)."""

    category: str
    count: int
    share: float
    cumulative: float
    key: bool


@dataclass
class Target:
    name: str
    target: float
    value: float | None
    met: bool | None  # None: the period had nothing to count (no complaints, no return visits)
    comparison: str

    @property
    def verdict(self) -> str:
        """``met``, ``missed`` or ``no_data``: an empty period has not missed its target."""
        return "no_data" if self.met is None else "met" if self.met else "missed"


class StatsState:
    def __init__(
        self, api: Any, today: Callable[[], date], *, property_id: str | None = None, data_dir: Path | None = None
    ) -> None:
        self.api = api
        self.data_dir = data_dir
        self.saved: Path | None = None  # the last report or export downloaded
        self.tried_download = False  # the problem shown came from a download, not from the figures
        self.today = today
        self.property_id = property_id  # an admin names the property; a supervisor's is their own
        self.period = "this_month"
        self.start, self.end = period_range(self.period, today())
        self.custom_from = self.start.isoformat()
        self.custom_to = self.end.isoformat()
        self.figures: dict[str, Any] | None = None
        self.problem: Problem | None = None
        self.category: str | None = None  # the Pareto bar whose orders are listed
        self.orders: list[dict[str, Any]] = []

    # ---- the period ----------------------------------------------------------------------
    def pick(self, period: str) -> bool:
        """Choose a named period and load its figures; "custom" waits for the two days."""
        if period not in PERIODS:
            return False
        self.period = period
        if period == "custom":
            return self.apply_custom()
        self.start, self.end = period_range(period, self.today())
        return self.load()

    def apply_custom(self) -> bool:
        start, end = parse_day(self.custom_from), parse_day(self.custom_to)
        if start is None or end is None:
            self.problem = Problem("statsui.bad_day")
            return False
        if end < start:
            self.problem = Problem("statsui.bad_range")
            return False
        self.start, self.end = start, end
        return self.load()

    def _range(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "property_id": self.property_id}

    # ---- talking to the server -----------------------------------------------------------
    def load(self) -> bool:
        self.category, self.orders = None, []
        answer = self._get("/api/v1/stats", **self._range())
        if answer is None:
            return False
        self.figures = answer
        return True

    def open_category(self, category: str) -> bool:
        """The orders behind one Pareto bar: reported in this period, of this category."""
        answer = self._get("/api/v1/orders", **self._range(), category=category)
        if answer is None:
            return False
        self.category = category
        self.orders = list(answer.get("orders") or [])
        return True

    def close_category(self) -> None:
        self.category, self.orders = None, []

    def download(self, name: str) -> Path | None:
        """The period's report or one export, saved under ``<data dir>/reports/``; None (and a problem) offline."""
        found = [(path, suffix) for n, path, suffix in DOWNLOADS if n == name]
        if not found:
            return None
        path, suffix = found[0]
        self.problem, self.saved, self.tried_download = None, None, True
        filename = f"{name}-{self.start.isoformat()}-{self.end.isoformat()}.{suffix}"
        try:
            self.saved = save_download(self.api, self.data_dir, path, filename, self._range())
        except PatrolError as e:
            self.problem = problem_of(e)
        return self.saved

    def _get(self, path: str, **params: Any) -> dict[str, Any] | None:
        self.problem, self.tried_download = None, False
        given = {k: v for k, v in params.items() if v is not None}
        try:
            answer = self.api.send("GET", path, params=given).json()
        except PatrolError as e:
            self.problem = problem_of(e)
            return None
        return answer if isinstance(answer, dict) else None

    # ---- what the screen shows -----------------------------------------------------------
    @property
    def offline(self) -> bool:
        return self.problem is not None and self.problem.code == "sync.offline"

    def counts(self) -> list[tuple[str, int]]:
        got = (self.figures or {}).get("counts") or {}
        return [(name, int(got[name])) for name in COUNTS if isinstance(got.get(name), int)]

    def rates(self) -> list[tuple[str, float | None]]:
        """Every rate the server sent; None when it had nothing to count (shown as a dash, never as 0%)."""
        got = (self.figures or {}).get("rates") or {}
        return [(name, _fraction(got[name])) for name in RATES if name in got]

    def targets(self) -> list[Target]:
        out = []
        for t in (self.figures or {}).get("targets") or []:
            out.append(
                Target(
                    name=str(t.get("name")),
                    target=float(t.get("target") or 0),
                    value=_fraction(t.get("value")),
                    met=None if t.get("met") is None else bool(t.get("met")),
                    comparison=str(t.get("comparison") or ">="),
                )
            )
        return out

    def bars(self) -> list[Bar]:
        """The Pareto bars, biggest first (as the server sends them)."""
        return [
            Bar(
                category=str(p.get("category")),
                count=int(p.get("count") or 0),
                share=float(p.get("share") or 0),
                cumulative=float(p.get("cumulative") or 0),
                key=bool(p.get("key")),
            )
            for p in (self.figures or {}).get("pareto") or []
        ]

    def key_few(self) -> list[str]:
        return [b.category for b in self.bars() if b.key]

    def trend(self) -> list[dict[str, Any]]:
        return sorted((self.figures or {}).get("trend") or [], key=lambda d: str(d.get("day")))

    def causes(self) -> list[tuple[str, int]]:
        got = (self.figures or {}).get("causes") or {}
        return [(k, int(v)) for k, v in got.items() if isinstance(v, int) and v]


def _fraction(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def percent(value: float | None) -> str:
    """A rate as people read it: 97.5%; a dash when there was nothing to count."""
    if value is None:
        return "–"
    shown = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{shown}%"
