"""The pure figures: rates from counted rows, targets met or missed at their edges, the Pareto's key few."""

from __future__ import annotations

from shared.figures import causes, figures, pareto, targets, trend


def repairs(**by_category: int) -> list[dict]:
    return [{"kind": "repair", "category": c, "day": "2026-11-23", "n": n} for c, n in by_category.items()]


def test_the_key_few_is_the_smallest_set_of_categories_reaching_80_percent():
    bars = pareto(repairs(water_leakage=6, electrical=2, civil=1, cleaning=1))
    assert [(b["category"], b["key"]) for b in bars] == [
        ("water_leakage", True),
        ("electrical", True),  # 60% before it, 80% with it
        ("civil", False),
        ("cleaning", False),
    ]
    assert [b["cumulative"] for b in bars] == [0.6, 0.8, 0.9, 1.0]
    assert [b["key"] for b in pareto(repairs(water_leakage=9, electrical=1))] == [True, False]
    assert [b["key"] for b in pareto(repairs(a=1, b=1, c=1, d=1, e=1))] == [True, True, True, True, False]


def test_the_pareto_counts_defects_only_and_a_defect_without_category_as_other():
    rows = [*repairs(electrical=1), {"kind": "repair", "category": None, "day": "2026-11-23"}]
    rows.append({"kind": "complaint", "category": None, "day": "2026-11-23", "n": 5})
    assert [(b["category"], b["count"]) for b in pareto(rows)] == [("electrical", 1), ("other", 1)]
    assert pareto([]) == []


def test_targets_are_met_at_their_edges_and_unknown_without_anything_to_count():
    rates = {"handling": 1.0, "effective_handling": 0.95, "satisfaction": 0.979, "complaint_rate": 0.005}
    assert [(t["name"], t["met"]) for t in targets(rates)] == [
        ("complaint_handling", True),
        ("effective_handling", True),
        ("owner_satisfaction", False),
        ("complaint_rate", False),  # must stay below 0.5%
    ]
    nothing = dict.fromkeys(rates)
    assert [t["met"] for t in targets(nothing)] == [None, None, None, None]


def test_causes_and_trend_count_weighted_rows():
    rows = [
        {"kind": "repair", "cause": "people", "day": "2026-11-23", "n": 3, "overdue": True},
        {"kind": "complaint", "cause": None, "day": "2026-11-25", "n": 2},
    ]
    assert causes(rows) == {"people": 3, "machines": 0, "materials": 0, "methods": 0, "environment": 0, "unknown": 2}
    assert trend(rows, ["2026-11-23", "2026-11-24", "2026-11-25"]) == [
        {"day": "2026-11-23", "defects": 3, "complaints": 0, "orders_opened": 3, "overdue": 3},
        {"day": "2026-11-24", "defects": 0, "complaints": 0, "orders_opened": 0, "overdue": 0},
        {"day": "2026-11-25", "defects": 0, "complaints": 2, "orders_opened": 2, "overdue": 0},
    ]


def test_rates_from_rows():
    result = figures(
        period={"from": "2026-11-23", "to": "2026-11-23", "tz": "Asia/Shanghai"},
        days=["2026-11-23"],
        order_rows=[
            {"day": "2026-11-23", "kind": "complaint", "handled": True, "in_time": True, "n": 19},
            {"day": "2026-11-23", "kind": "complaint", "handled": True, "in_time": False, "overdue": True},
            {"day": "2026-11-23", "kind": "rework", "handled": None, "in_time": None, "reworked": False},
        ],
        visit_rows=[
            {"verdict": "fixed_satisfied", "on_time": True, "n": 49},
            {"verdict": "not_fixed", "on_time": False},
        ],
        patrol_rows=[{"due": 7, "visited": 9}, {"due": 4, "visited": 1}],
        slot_rows=[{"due": 2, "checked": 1}],
        violation_rows=[{"permit_id": "p2", "violations": 2}, {"permit_id": "p1", "violations": 1}],
        units=4000,
    )
    assert result["counts"]["checkpoints_visited"] == 8  # a route walked twice still visits its 7 once
    assert result["rates"] == {
        "handling": 1.0,
        "effective_handling": 0.95,
        "satisfaction": 0.98,
        "patrol_completion": 8 / 11,
        "check_completion": 0.5,
        "return_visit_on_time": 0.98,
        "complaint_rate": 20 / 4000,
    }
    assert [t["met"] for t in result["targets"]] == [True, True, True, False]
    assert list(result["violations_per_permit"].items()) == [("p1", 1), ("p2", 2)]
