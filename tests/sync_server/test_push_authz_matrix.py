"""Every id a record or desk request names, against own / other user / other property / missing / wrong type.

Records are made the way the app makes them (tests.work_order_records.Phone encodes like mobile.recorder);
each hostile one is rejected with a code that says what to fix, and nothing on the server changes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.ids import uuid7
from shared.model import (
    CheckpointResult,
    CheckpointVisit,
    DefectCategory,
    DefectReport,
    PatrolRound,
    PresenceProof,
    Proof,
    RecordType,
    Severity,
    Slot,
    WorkOrderAction,
)
from tests.conftest import bearer, login
from tests.sync_server.helpers import scan_code
from tests.work_order_records import Phone, action, decoration_check, leak, visit

TZ = ZoneInfo("Asia/Shanghai")
MAINTENANCE = "user-demo-maintenance"


def snapshot(db) -> dict[str, Any]:
    """What a hostile record must not change: stored records, orders with their data, the index and the feed."""
    return {
        "records": db.execute("SELECT count(*) FROM records").fetchone()[0],
        "facts": db.execute("SELECT count(*) FROM recon_facts").fetchone()[0],
        "feed": db.execute("SELECT count(*) FROM feed").fetchone()[0],
        "orders": db.execute("SELECT id, data FROM work_orders ORDER BY id").fetchall(),
    }


def patrol_visit(round_id: str, checkpoint_id: str, code: str | None = None, method=PresenceProof.SCANNED):
    proof = Proof(method, code=code if code is not None else scan_code(checkpoint_id))
    return CheckpointVisit(round_id, checkpoint_id, CheckpointResult.OK, proof)


@pytest.fixture
def world(client, clock):
    """Our specialist, another user of our property and a specialist of another property, each with a round,
    a checkpoint visit and a defect (whose order our supervisor dispatched)."""
    at = clock.now().astimezone(TZ)
    w: dict[str, Any] = {"at": at}
    for key, username, route in (
        ("own", "demo-specialist", "demo-r1"),
        ("colleague", "demo-site-supervisor", "demo-r1"),
        ("foreign", "other-specialist", "other-r1"),
    ):
        phone = Phone(client, username)
        patrol = phone.send(PatrolRound(route, at), at)
        code = scan_code(f"{route}-cp1") if key != "foreign" else _other_code(client)
        seen = phone.send(patrol_visit(patrol["id"], f"{route}-cp1", code), at)
        place = "demo-b1-u101" if key != "foreign" else "other-b1-u101"
        defect = phone.send(leak(place_id=place), at)
        w[key] = {"phone": phone, "round": patrol["id"], "visit": seen["id"], "defect": defect["id"]}
    for who in ("supervisor", "maintenance", "site-supervisor"):
        w[who] = Phone(client, f"demo-{who}")
    w["other-supervisor"] = Phone(client, "other-supervisor")
    w["supervisor"].send(action(f"wo-{w['own']['defect']}", WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), at)
    return w


def _other_code(client) -> str:
    token = login(client, "other-supervisor")
    changes = client.get("/api/v1/sync/pull", params={"limit": 1000}, headers=bearer(token)).json()["changes"]
    return next(c["data"]["scan_code"] for c in changes if c["kind"] == "checkpoint" and c["id"] == "other-r1-cp1")


def refused(phone: Phone, raw: dict[str, Any], server_db, code: str) -> None:
    before = snapshot(server_db)
    result = phone.push(raw)[raw["id"]]
    assert (result["status"], result.get("code")) == ("rejected", code), result
    assert result["message"]
    assert snapshot(server_db) == before


def accepted(phone: Phone, raw: dict[str, Any]) -> None:
    result = phone.push(raw)[raw["id"]]
    assert result["status"] == "accepted", result


MISSING = uuid7(1_700_000_000_000)


def kitchen(description: str = "The drip is in the kitchen, not the bathroom") -> DefectReport:
    return DefectReport("demo-b1-u101", DefectCategory.WATER_LEAKAGE, Severity.HIGH, description)


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("own", None),
        ("colleague", "record.not_yours"),
        ("foreign", "record.unknown_reference"),
        ("missing", "record.unknown_reference"),
        ("a defect", "record.unknown_reference"),
    ],
)
def test_round_id_of_a_checkpoint_visit(world, server_db, target, code):
    own = world["own"]
    round_id = {"missing": MISSING, "a defect": own["defect"]}.get(target) or world[target]["round"]
    raw = own["phone"].record(patrol_visit(round_id, "demo-r1-cp2"), world["at"])
    accepted(own["phone"], raw) if code is None else refused(own["phone"], raw, server_db, code)


@pytest.mark.parametrize(
    ("checkpoint", "proof_code", "code"),
    [
        ("demo-r1-cp2", None, None),
        ("demo-r1-cp2", "cp-demo-r1-02 ", None),  # labels are typed in any case, blanks are not part of a code
        ("demo-r1-cp2", "CP-DEMO-R1-03", "record.code_mismatch"),
        ("demo-r2-cp1", None, "record.checkpoint_not_on_route"),
        ("other-r1-cp1", "X", "record.unknown_reference"),
        ("demo-r1-cp99", "X", "record.unknown_reference"),
        ("demo-lobby", "X", "record.unknown_reference"),
    ],
)
def test_checkpoint_and_code_of_a_visit(world, server_db, checkpoint, proof_code, code):
    own = world["own"]
    method = PresenceProof.SCANNED if proof_code is None else PresenceProof.TYPED
    raw = own["phone"].record(patrol_visit(own["round"], checkpoint, proof_code, method), world["at"])
    accepted(own["phone"], raw) if code is None else refused(own["phone"], raw, server_db, code)


@pytest.mark.parametrize(
    ("place", "code"),
    [
        ("demo-b1-u102", None),
        ("other-b1-u101", "record.unknown_reference"),
        ("nowhere", "record.unknown_reference"),
        ("demo-r1", "record.unknown_reference"),  # a route, not a place
    ],
)
def test_place_of_a_defect(world, server_db, place, code):
    own = world["own"]
    raw = own["phone"].record(leak(place_id=place), world["at"])
    accepted(own["phone"], raw) if code is None else refused(own["phone"], raw, server_db, code)


@pytest.mark.parametrize(
    ("route", "code"),
    [("demo-r2", None), ("other-r1", "record.unknown_reference"), ("r-none", "record.unknown_reference")],
)
def test_route_of_a_patrol_round(world, server_db, route, code):
    own = world["own"]
    raw = own["phone"].record(PatrolRound(route, world["at"]), world["at"])
    accepted(own["phone"], raw) if code is None else refused(own["phone"], raw, server_db, code)


@pytest.mark.parametrize(
    ("permit", "code"),
    [
        ("demo-permit1", None),
        ("other-permit1", "record.unknown_reference"),
        ("demo-permit9", "record.unknown_reference"),
        ("demo-b1-u101", "record.unknown_reference"),  # a unit, not a permit
    ],
)
def test_permit_of_a_renovation_check(world, server_db, permit, code):
    site = world["site-supervisor"]
    raw = site.record(decoration_check(permit, Slot.MORNING), world["at"])
    accepted(site, raw) if code is None else refused(site, raw, server_db, code)


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("own", None),
        ("colleague", "record.not_yours"),
        ("foreign", "record.unknown_reference"),
        ("missing", "record.unknown_reference"),
        ("a round", "record.unknown_reference"),
    ],
)
def test_checkpoint_visit_named_by_a_defect(world, server_db, target, code):
    own = world["own"]
    visit_id = {"missing": MISSING, "a round": own["round"]}.get(target) or world[target]["visit"]
    raw = own["phone"].record(leak(place_id="demo-lobby", checkpoint_visit_id=visit_id), world["at"])
    accepted(own["phone"], raw) if code is None else refused(own["phone"], raw, server_db, code)


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("own", None),
        ("foreign", "record.unknown_reference"),
        ("missing", "record.unknown_reference"),
        ("a place", "record.unknown_reference"),
    ],
)
def test_work_order_of_a_return_visit(world, server_db, target, code):
    own = world["own"]
    order = {"missing": f"wo-{MISSING}", "a place": "demo-lobby"}.get(target) or f"wo-{world[target]['defect']}"
    raw = own["phone"].record(visit(order), world["at"] + timedelta(minutes=5))
    accepted(own["phone"], raw) if code is None else refused(own["phone"], raw, server_db, code)


def test_another_propertys_supervisor_cannot_dispatch_our_order(world, server_db):
    theirs = world["other-supervisor"]
    order = f"wo-{world['own']['defect']}"
    raw = theirs.record(action(order, WorkOrderAction.DISPATCH, assignee_id="user-other-maintenance"), world["at"])
    refused(theirs, raw, server_db, "record.unknown_reference")


@pytest.mark.parametrize(
    ("assignee", "code"),
    [
        (MAINTENANCE, None),
        ("user-other-maintenance", "record.unknown_reference"),
        ("user-nobody", "record.unknown_reference"),
        ("user-demo-specialist", "record.assignee_not_maintenance"),
        ("x" * 3_000_000, "record.too_long"),
        ("user-demo-maintenance\n", "record.invalid_field"),
    ],
)
def test_assignee_of_a_dispatch(world, server_db, assignee, code):
    sup = world["supervisor"]
    raw = sup.record(action(f"wo-{world['own']['defect']}", WorkOrderAction.DISPATCH), world["at"])
    raw["body"]["assignee_id"] = assignee
    accepted(sup, raw) if code is None else refused(sup, raw, server_db, code)


@pytest.mark.parametrize(
    ("who", "target", "code"),
    [
        ("own", "own defect", None),
        ("supervisor", "own defect", None),  # a supervisor's correction, recorded under the supervisor
        ("own", "colleague defect", "record.not_yours"),
        ("maintenance", "own defect", "record.not_yours"),
        ("own", "foreign defect", "record.unknown_reference"),
        ("own", "missing", "record.unknown_reference"),
        ("own", "own round", "record.supersedes_wrong_type"),
    ],
)
def test_what_a_correction_supersedes(world, server_db, who, target, code):
    phone = world["own"]["phone"] if who == "own" else world[who]
    owner, _, kind = target.partition(" ")
    supersedes = MISSING if target == "missing" else world[owner][kind]
    raw = phone.record(kitchen(), world["at"], supersedes=supersedes)
    accepted(phone, raw) if code is None else refused(phone, raw, server_db, code)


def test_a_record_corrected_twice_is_refused_the_second_time(world, server_db):
    own = world["own"]
    first = own["phone"].record(kitchen(), world["at"], supersedes=own["defect"])
    accepted(own["phone"], first)
    again = own["phone"].record(kitchen("Bathroom"), world["at"], supersedes=own["defect"])
    refused(own["phone"], again, server_db, "record.already_corrected")


def test_a_patrol_round_cannot_supersede_a_defect(world, server_db):
    own = world["own"]
    raw = own["phone"].record(
        PatrolRound("demo-r1", world["at"]), world["at"], type=RecordType.PATROL_ROUND, supersedes=own["defect"]
    )
    refused(own["phone"], raw, server_db, "record.supersedes_wrong_type")


DESK = "/api/v1/orders/{}/actions"


@pytest.mark.parametrize(
    ("assignee", "status", "code"),
    [
        (MAINTENANCE, 200, None),
        ("user-other-maintenance", 422, "record.unknown_reference"),
        ("user-nobody", 422, "record.unknown_reference"),
        ("user-demo-specialist", 422, "record.assignee_not_maintenance"),
        ("x" * 3_000_000, 413, "request.too_large"),  # over the desk endpoints' body limit
    ],
)
def test_assignee_of_a_desk_dispatch(client, world, server_db, assignee, status, code):
    token = login(client, "demo-supervisor")
    order = f"wo-{world['own']['defect']}"
    before = snapshot(server_db)
    response = client.post(
        DESK.format(order), json={"action": "dispatch", "assignee_id": assignee}, headers=bearer(token)
    )
    assert response.status_code == status, response.text[:300]
    if code is not None:
        assert response.json()["code"] == code
        assert snapshot(server_db) == before
    else:
        assert response.json()["assignee_id"] == MAINTENANCE


def test_another_propertys_supervisor_cannot_act_at_the_desk_on_our_order(client, world, server_db):
    token = login(client, "other-supervisor")
    before = snapshot(server_db)
    for action_name in ("dispatch", "close", "sign_off"):
        body = {"action": action_name, "note": "mine now", "assignee_id": "user-other-maintenance"}
        if action_name != "dispatch":
            body.pop("assignee_id")
        response = client.post(DESK.format(f"wo-{world['own']['defect']}"), json=body, headers=bearer(token))
        assert (response.status_code, response.json()["code"]) == (404, "workorder.not_found")
    assert snapshot(server_db) == before


def test_a_desk_close_needs_its_reason(client, world, server_db):
    token = login(client, "demo-supervisor")
    before = snapshot(server_db)
    response = client.post(DESK.format(f"wo-{world['own']['defect']}"), json={"action": "close"}, headers=bearer(token))
    assert (response.status_code, response.json()["detail"]["field"]) == (422, "body.note")
    assert snapshot(server_db) == before
