"""Patrol findings from rounds walked with the app's own patrol logic: issues never reported; proof of presence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.model import CheckpointResult, CheckpointVisit, PresenceProof, Proof
from tests.sync_server.app_patrol import report_issue, walk
from tests.work_order_records import Phone

MIDNIGHT = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # the first moment of 24 November in Shanghai


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor")}


def findings(phone: Phone, **params) -> list[dict]:
    return phone.get("/api/v1/findings", **params)["findings"]


def test_an_issue_visit_without_a_defect_report_is_a_finding_once_its_day_is_over(phones, clock):
    spec, sup = phones["specialist"], phones["supervisor"]
    run = walk(spec, "demo-r1", [1, 2, 3, 4, 5, 6, 7], clock.now, issues=(3,))  # the defect form is not filled
    assert findings(sup, kind="patrol.issue_unreported") == []  # the day is not over: there is time yet
    clock.set(MIDNIGHT)
    (unreported,) = findings(spec, kind="patrol.issue_unreported")
    visit_id = run.visit_ids["demo-r1-cp3"]
    assert (unreported["visit_id"], unreported["owner_id"], unreported["day"]) == (
        visit_id,
        "user-demo-specialist",
        "2026-11-23",
    )
    assert (unreported["round_id"], unreported["checkpoint_id"], unreported["place_id"]) == (
        run.round_id,
        "demo-r1-cp3",
        "demo-b1-f2",
    )
    assert "never reported" in unreported["message"]
    assert unreported["id"] in sup.of_kind("finding")  # supervisors see it in their pull
    assert findings(spec, kind="patrol.checkpoint_skipped") == []

    report_issue(spec, run, 3, clock.now)  # the defect arrives late: the finding goes away
    assert findings(sup, kind="patrol.issue_unreported") == []
    assert unreported["id"] not in sup.of_kind("finding")


def test_an_issue_reported_with_the_defect_form_is_no_finding(phones, clock):
    spec = phones["specialist"]
    run = walk(spec, "demo-r2", [1, 2, 3, 4], clock.now, issues=(2, 4))
    report_issue(spec, run, 2, clock.now)
    clock.set(MIDNIGHT)
    unreported = findings(phones["supervisor"], kind="patrol.issue_unreported")
    assert [f["checkpoint_id"] for f in unreported] == ["demo-r2-cp4"]  # only the one whose form was not filled


def test_the_log_shows_how_presence_was_proven_scanned_typed_or_reason(phones, clock):
    spec = phones["specialist"]
    run = walk(spec, "demo-r2", [1], clock.now, finish=False)  # scanned
    spec.send(
        CheckpointVisit(
            run.round_id, "demo-r2-cp2", CheckpointResult.OK, Proof(PresenceProof.TYPED, code="CP-DEMO-R2-02")
        ),
        clock.now(),
    )
    spec.send(
        CheckpointVisit(
            run.round_id, "demo-r2-cp3", CheckpointResult.OK, Proof(PresenceProof.REASON, reason="Label torn off")
        ),
        clock.now(),
    )
    entries = phones["supervisor"].get("/api/v1/log", day="2026-11-23")["entries"]
    proofs = {e["checkpoint_id"]: e["body"]["proof"] for e in entries if e["type"] == "checkpoint_visit"}
    assert proofs["demo-r2-cp1"]["method"] == "scanned"
    assert proofs["demo-r2-cp2"] == {"method": "typed", "code": "CP-DEMO-R2-02", "reason": None}
    assert proofs["demo-r2-cp3"]["method"] == "reason" and proofs["demo-r2-cp3"]["reason"] == "Label torn off"


def test_a_route_is_missed_only_on_the_weekdays_it_is_walked(client, clock):
    from tests.conftest import bearer, login

    admin, sup = bearer(login(client, "demo-admin")), bearer(login(client, "demo-supervisor"))
    assert client.patch("/api/v1/admin/routes/demo-r2", json={"weekdays": ["mon"]}, headers=admin).status_code == 200
    client.get("/api/v1/findings", headers=sup)  # the schedules are watched from Monday the 23rd
    clock.advance(days=2)  # Wednesday morning: Monday and Tuesday are over, nothing was walked
    found = client.get("/api/v1/findings", params={"kind": "patrol.route_missed"}, headers=sup).json()["findings"]
    assert sorted((f["route_id"], f["day"]) for f in found) == [
        ("demo-r1", "2026-11-23"),
        ("demo-r1", "2026-11-24"),
        ("demo-r2", "2026-11-23"),  # walked on Mondays only: Tuesday asked nothing of it
    ]
