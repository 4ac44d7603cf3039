"""A renovation permit that has ended (ended early by the administrator, or past its end date) is due no check
slot any more: no missed-check findings and no slots due in the check completion figure from then on; the days
before it ended stay due."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared.model import Slot
from tests.conftest import bearer, login
from tests.work_order_records import Phone, decoration_check

TZ = ZoneInfo("Asia/Shanghai")
ADMIN = "/api/v1/admin"
DAYS = ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def four_days(client, clock) -> Phone:
    """Mon 23 to Thu 26 November. demo-permit2 is ended on Wednesday 25 (passes back, fees settled); a short permit
    runs Mon 23 to Tue 24 and nobody ends it; demo-permit1 and 3 run on. Only demo-permit2 is checked, once, on
    Monday morning. Returns the supervisor's phone, on Friday 00:30 (the four days are over)."""
    sup, site = Phone(client, "demo-supervisor"), Phone(client, "demo-site-supervisor")
    admin = bearer(login(client, "demo-admin"))
    sup.get("/api/v1/findings")  # the server starts its schedules on Monday
    body = {
        "unit_id": "demo-b1-u201",
        "contractor": "Quick Paint",
        "starts_on": "2026-11-23",
        "ends_on": "2026-11-24",
        "applied_on": "2026-11-20",
        "approved_on": "2026-11-21",
        "workers": [{"name": "Ma Qiang", "pass_number": "P-7"}],
    }
    response = client.post(f"{ADMIN}/properties/demo/permits", json={**body, "id": "short"}, headers=admin)
    assert response.status_code in (200, 201), response.text
    site.send(decoration_check("demo-permit2", Slot.MORNING), at(23, 9, 40))
    clock.set(at(25, 10))
    end = {"passes_returned": 4, "fees_settled": True}
    ended = client.post(f"{ADMIN}/permits/demo-permit2/end", json=end, headers=admin)
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-11-25", ended.text
    clock.set(at(27, 0, 30))
    return sup


def missed_days(sup: Phone) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in sup.get("/api/v1/findings", kind="decoration.check_missed")["findings"]:
        if f["day"] in DAYS:
            found.setdefault(f["permit_id"], set()).add(f"{f['day']}:{f['slot']}")
    return found


def test_an_ended_permit_has_no_missed_check_from_the_day_it_ended(client, clock, tick):
    sup = four_days(client, clock)
    tick()  # the server's findings clock
    short = next(p["id"] for p in sup.get(f"{ADMIN}/properties/demo/permits") if p["contractor"] == "Quick Paint")
    missed = missed_days(sup)
    both = {f"{d}:{s}" for d in DAYS for s in ("morning", "afternoon")}
    assert missed["demo-permit1"] == both  # still running: every slot of the four days
    assert missed["demo-permit2"] == {"2026-11-23:afternoon", "2026-11-24:morning", "2026-11-24:afternoon"}
    assert missed[short] == {f"{d}:{s}" for d in DAYS[:2] for s in ("morning", "afternoon")}  # past its end date


def test_the_check_completion_figure_counts_no_slot_of_an_ended_permit(client, clock):
    sup = four_days(client, clock)
    figures = sup.get("/api/v1/stats", **{"from": DAYS[0], "to": DAYS[-1]})
    counts = figures["counts"]
    # permits 1 and 3: four days; permit 2: Monday and Tuesday; the short one: Monday and Tuesday; two slots a day
    assert counts["slots_due"] == 2 * (4 + 4 + 2 + 2) == 24
    assert counts["slots_checked"] == 1 and figures["rates"]["check_completion"] == 1 / 24
    after = sup.get("/api/v1/stats", **{"from": "2026-11-25", "to": "2026-11-26"})["counts"]
    assert after["slots_due"] == 2 * (2 + 2)  # only permits 1 and 3 are still due
