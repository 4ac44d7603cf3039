"""The figures supervisors read for a period: counts, rates, the targets of DOMAIN.md, the Pareto, causes, trend.

Pure functions over plain rows (dicts), so the server can feed them from grouped SQL and a test from rows it
writes by hand. Every row may carry ``n``, how many things it stands for (1 when absent): a grouped query
gives one row per combination of values instead of one per order.

Rows:

- order rows, one per work order *opened in the period* (reported on a day of the period, property zone):
  ``day`` (YYYY-MM-DD), ``kind`` (repair, complaint, rectification, rework), ``category`` (a defect's
  category or null), ``cause`` (a cause factor or null), ``handled`` (its handling deadline was met, at any
  time; null when it has none), ``in_time`` (met by its due time; null when it has no handling deadline),
  ``overdue`` (any deadline missed, met late, or open past now), ``reworked`` (a failed return visit opened
  a rework order from it);
- visit rows, one per return visit *made in the period*: ``verdict`` (fixed_satisfied, not_fixed,
  dissatisfied) and ``on_time`` (made by the order's return-visit due time);
- patrol rows: ``due`` and ``visited`` checkpoints (per route and day, visited never above due);
- slot rows: ``due`` and ``checked`` renovation check slots (per permit and day, two a day);
- violation rows: ``permit_id`` and ``violations`` (the violations its checks found).

Definitions (fractions 0..1, null when there is nothing to count):

- ``handling`` (target "complaint handling 100%"): complaints handled / complaints opened;
- ``effective_handling`` (≥ 95%): orders handled within their handling deadline / orders with one;
- ``satisfaction`` (≥ 98%): return visits where the owner was satisfied (``fixed_satisfied``) / visits;
- ``complaint_rate`` (< 0.5%): complaints opened in the period / units of the property (one complaint per
  unit counts once per complaint: a unit complaining twice counts twice);
- ``patrol_completion``: checkpoints visited / checkpoints due; ``check_completion``: slots checked / due;
- ``return_visit_on_time``: visits made by their due time / visits; ``fixed``: visits that found the repair
  fixed (``fixed_satisfied`` or ``dissatisfied``).

Pareto: defects (repair orders) by category, most first (ties by name); the key few is the smallest prefix
whose cumulative share reaches 80%. A defect without a category counts as ``other``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CAUSES = ("people", "machines", "materials", "methods", "environment")
KEY_FEW_SHARE = 0.8
SATISFIED, NOT_FIXED = "fixed_satisfied", "not_fixed"
# name, target, comparison, the rate it reads
TARGETS = (
    ("complaint_handling", 1.0, ">=", "handling"),
    ("effective_handling", 0.95, ">=", "effective_handling"),
    ("owner_satisfaction", 0.98, ">=", "satisfaction"),
    ("complaint_rate", 0.005, "<", "complaint_rate"),
)
RATES = (
    "handling",
    "effective_handling",
    "satisfaction",
    "patrol_completion",
    "check_completion",
    "return_visit_on_time",
    "complaint_rate",
)
COUNTS = (
    "defects",
    "complaints",
    "orders_opened",
    "handled_in_time",
    "overdue",
    "reworked",
    "return_visits",
    "return_visits_on_time",
    "fixed",
    "satisfied",
    "checkpoints_due",
    "checkpoints_visited",
    "slots_due",
    "slots_checked",
)


def _n(row: dict[str, Any]) -> int:
    return int(row.get("n", 1))


def _rate(part: int, whole: int | None) -> float | None:
    return part / whole if whole else None


def pareto(order_rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Defects by category, most first, each with its share, the running share and whether it is of the key few."""
    by_category: dict[str, int] = {}
    for row in order_rows:
        if row["kind"] == "repair":
            category = row.get("category") or "other"
            by_category[category] = by_category.get(category, 0) + _n(row)
    total = sum(by_category.values())
    bars, running, reached = [], 0, False
    for category, count in sorted(by_category.items(), key=lambda item: (-item[1], item[0])):
        running += count
        bars.append(
            {
                "category": category,
                "count": count,
                "share": count / total,
                "cumulative": running / total,
                "key": not reached,
            }
        )
        reached = reached or running >= KEY_FEW_SHARE * total
    return bars


def causes(order_rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """The five factors of cause-and-effect analysis over the orders that carry one; ``unknown`` for the rest."""
    found = dict.fromkeys((*CAUSES, "unknown"), 0)
    for row in order_rows:
        cause = row.get("cause")
        found[cause if cause in CAUSES else "unknown"] += _n(row)
    return found


def trend(order_rows: Iterable[dict[str, Any]], days: list[str]) -> list[dict[str, Any]]:
    """One point per day of the period (days with nothing are zeros, so a chart has no gaps)."""
    points: dict[str, dict[str, Any]] = {
        day: {"day": day, "defects": 0, "complaints": 0, "orders_opened": 0, "overdue": 0} for day in days
    }
    for row in order_rows:
        point = points.get(row["day"])
        if point is None:
            continue
        n = _n(row)
        point["orders_opened"] += n
        point["defects"] += n if row["kind"] == "repair" else 0
        point["complaints"] += n if row["kind"] == "complaint" else 0
        point["overdue"] += n if row.get("overdue") else 0
    return [points[day] for day in days]


def targets(rates: dict[str, float | None]) -> list[dict[str, Any]]:
    """The targets of DOMAIN.md, met or missed; ``met`` is null when the rate has nothing to count."""
    found = []
    for name, target, comparison, rate in TARGETS:
        value = rates[rate]
        met = None if value is None else (value >= target if comparison == ">=" else value < target)
        found.append({"name": name, "target": target, "value": value, "met": met, "comparison": comparison})
    return found


def figures(
    *,
    period: dict[str, str],
    days: list[str],
    order_rows: list[dict[str, Any]],
    visit_rows: list[dict[str, Any]],
    patrol_rows: list[dict[str, Any]],
    slot_rows: list[dict[str, Any]],
    violation_rows: list[dict[str, Any]],
    units: int,
) -> dict[str, Any]:
    """The Figures JSON of the period (see the module docstring for every definition)."""
    counts = dict.fromkeys(COUNTS, 0)
    complaints_handled = with_handling = 0
    for row in order_rows:
        n = _n(row)
        counts["orders_opened"] += n
        counts["defects"] += n if row["kind"] == "repair" else 0
        counts["complaints"] += n if row["kind"] == "complaint" else 0
        counts["handled_in_time"] += n if row.get("in_time") else 0
        counts["overdue"] += n if row.get("overdue") else 0
        counts["reworked"] += n if row.get("reworked") else 0
        with_handling += n if row.get("in_time") is not None else 0
        complaints_handled += n if row["kind"] == "complaint" and row.get("handled") else 0
    for row in visit_rows:
        n = _n(row)
        counts["return_visits"] += n
        counts["return_visits_on_time"] += n if row.get("on_time") else 0
        counts["fixed"] += n if row["verdict"] != NOT_FIXED else 0
        counts["satisfied"] += n if row["verdict"] == SATISFIED else 0
    for row in patrol_rows:
        counts["checkpoints_due"] += int(row["due"])
        counts["checkpoints_visited"] += min(int(row["visited"]), int(row["due"]))
    for row in slot_rows:
        counts["slots_due"] += int(row["due"])
        counts["slots_checked"] += min(int(row["checked"]), int(row["due"]))
    rates = {
        "handling": _rate(complaints_handled, counts["complaints"]),
        "effective_handling": _rate(counts["handled_in_time"], with_handling),
        "satisfaction": _rate(counts["satisfied"], counts["return_visits"]),
        "patrol_completion": _rate(counts["checkpoints_visited"], counts["checkpoints_due"]),
        "check_completion": _rate(counts["slots_checked"], counts["slots_due"]),
        "return_visit_on_time": _rate(counts["return_visits_on_time"], counts["return_visits"]),
        "complaint_rate": _rate(counts["complaints"], units),
    }
    per_permit: dict[str, int] = {}
    for row in violation_rows:
        per_permit[row["permit_id"]] = per_permit.get(row["permit_id"], 0) + int(row["violations"])
    return {
        "period": dict(period),
        "counts": counts,
        "rates": rates,
        "targets": targets(rates),
        "pareto": pareto(order_rows),
        "causes": causes(order_rows),
        "violations_per_permit": dict(sorted(per_permit.items())),
        "trend": trend(order_rows, days),
    }
