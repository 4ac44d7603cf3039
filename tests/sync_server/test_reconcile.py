"""Pushed records become work orders on the server: numbers, history, pulls, rejections, idempotency."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from shared.model import DefectCategory, OwnerComplaint, Slot, WorkOrderAction
from sync_server.app import create_app
from sync_server.db import open_db
from sync_server.settings import CHEAP_ARGON2, Settings
from tests.conftest import prepare_data_dir
from tests.work_order_records import SAND, Phone, action, causal_order, decoration_check, leak, visit

TZ = ZoneInfo("Asia/Shanghai")
SPECIALIST, SUPERVISOR, MAINTENANCE = "user-demo-specialist", "user-demo-supervisor", "user-demo-maintenance"


@pytest.fixture
def phones(client):
    return {
        role: Phone(client, f"demo-{role}")
        for role in ("specialist", "supervisor", "maintenance", "site-supervisor", "admin")
    }


def now(clock) -> datetime:
    return clock.now().astimezone(TZ)


def order_of(phone: Phone, defect_raw: dict) -> dict:
    return phone.get(f"/api/v1/orders/wo-{defect_raw['id']}")


def test_a_defect_becomes_a_numbered_repair_order_in_the_supervisors_and_reporters_pull(phones, clock):
    d = phones["specialist"].send(leak(), now(clock))
    orders = phones["supervisor"].of_kind("work_order")
    order = orders[f"wo-{d['id']}"]
    assert order["number"] == "WO-2026-000001"
    assert (order["kind"], order["state"], order["place_id"]) == ("repair", "reported", "demo-b1-u101")
    assert order["history"][0] | {"at": None} == {
        "at": None,
        "actor_id": SPECIALIST,
        "action": "reported",
        "record_id": d["id"],
        "from_state": None,
        "to_state": "reported",
        "note": "",
        "verdict": None,
        "related_order_id": None,
        "related_number": None,
        "violations": [],
        "reason": None,
        "reason_detail": {},
        "changes": {},
        "on_behalf_of": None,
    }
    assert f"wo-{d['id']}" in phones["specialist"].of_kind("work_order")
    assert phones["maintenance"].of_kind("work_order") == {}  # not dispatched to them yet


def test_a_second_report_of_the_same_leak_joins_the_open_order(phones, clock):
    first = phones["specialist"].send(leak(photos=["a" * 64]), now(clock))
    phones["site-supervisor"].send(leak(photos=["b" * 64]), now(clock) + timedelta(minutes=5))
    phones["specialist"].send(leak(category=DefectCategory.ELECTRICAL), now(clock))
    orders = phones["supervisor"].of_kind("work_order")
    assert len(orders) == 2
    joined = orders[f"wo-{first['id']}"]
    assert joined["reporter_ids"] == [SPECIALIST, "user-demo-site-supervisor"]
    assert joined["photos"] == ["a" * 64, "b" * 64]
    assert sorted(o["number"] for o in orders.values()) == ["WO-2026-000001", "WO-2026-000002"]


def test_a_defect_fixed_on_the_spot_opens_no_order(phones, clock):
    phones["specialist"].send(leak(fixed_on_spot=True), now(clock))
    assert phones["supervisor"].of_kind("work_order") == {}


def test_completion_makes_a_return_visit_due_for_the_responsible_specialist(phones, clock):
    # reported by the site supervisor, but the unit is on the specialist's patrol route
    d = phones["site-supervisor"].send(leak(), now(clock))
    oid = f"wo-{d['id']}"
    phones["supervisor"].send(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), now(clock))
    assert oid in phones["maintenance"].of_kind("work_order")
    done_at = now(clock).replace(hour=9, minute=29)
    phones["maintenance"].send(action(oid, WorkOrderAction.COMPLETE), done_at)
    due = phones["specialist"].of_kind("return_visit_due")[oid]
    assert due["assignee_id"] == SPECIALIST
    assert due["due_at"] == "2026-11-26T09:29:00+08:00"
    assert phones["site-supervisor"].of_kind("return_visit_due") == {}
    phones["specialist"].send(visit(oid), now(clock) + timedelta(minutes=10))
    assert phones["specialist"].of_kind("return_visit_due") == {}
    assert phones["supervisor"].of_kind("work_order")[oid]["state"] == "closed"


def test_a_complaint_order_carries_both_deadlines(phones, clock):
    c = phones["specialist"].send(OwnerComplaint("demo-b1-u101", "Mrs Li", "Noise from the pump room"), now(clock))
    order = phones["supervisor"].of_kind("work_order")[f"wo-{c['id']}"]
    assert {d["name"]: d["due_at"] for d in order["deadlines"]} == {
        "handling": "2026-11-24T09:30:00+08:00",
        "reply": "2026-11-26T09:30:00+08:00",
    }


def test_a_decoration_violation_opens_a_rectification_order_seen_by_site_supervisors(phones, clock):
    check = phones["site-supervisor"].send(decoration_check("demo-permit1", Slot.MORNING, SAND), now(clock))
    order = phones["site-supervisor"].of_kind("work_order")[f"wo-{check['id']}"]
    assert (order["kind"], order["permit_id"], order["place_id"]) == ("rectification", "demo-permit1", "demo-b1-u302")
    assert order["due_at"] == "2026-11-24T09:30:00+08:00"
    phones["site-supervisor"].send(
        decoration_check("demo-permit1", Slot.AFTERNOON, SAND), now(clock) + timedelta(hours=4)
    )
    order = phones["site-supervisor"].of_kind("work_order")[f"wo-{check['id']}"]
    assert order["permit_flagged"] and order["violation_checks"] == 2


@pytest.mark.parametrize(
    ("who", "what", "code"),
    [
        ("maintenance", WorkOrderAction.CLOSE, "workflow.role_not_allowed"),
        ("specialist", WorkOrderAction.SIGN_OFF, "workflow.role_not_allowed"),
        ("supervisor", WorkOrderAction.COMPLETE, "workflow.invalid_transition"),
        ("supervisor", WorkOrderAction.DISPATCH, "workflow.invalid_transition"),
    ],
)
def test_a_refused_action_comes_back_rejected_with_its_code_and_nothing_changes(
    phones, clock, server_db, who, what, code
):
    d = phones["specialist"].send(leak(), now(clock))
    oid = f"wo-{d['id']}"
    phones["supervisor"].send(action(oid, WorkOrderAction.CLOSE), now(clock))
    before = dump(server_db)
    kw = {"assignee_id": MAINTENANCE} if what is WorkOrderAction.DISPATCH else {}
    raw = phones[who].record(action(oid, what, **kw), now(clock))
    result = phones[who].push(raw)[raw["id"]]
    assert (result["status"], result["code"]) == ("rejected", code)
    assert result["message"]
    assert dump(server_db) == before
    assert server_db.execute("SELECT count(*) FROM records WHERE id = ?", [raw["id"]]).fetchone()[0] == 0


def test_completion_synced_before_its_dispatch_waits_for_it_instead_of_being_refused(phones, clock):
    d = phones["specialist"].send(leak(), now(clock))
    oid = f"wo-{d['id']}"
    # maintenance got the order on paper and its phone syncs first, with a clock a minute behind
    phones["maintenance"].send(action(oid, WorkOrderAction.COMPLETE), now(clock) + timedelta(minutes=1))
    phones["supervisor"].send(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), now(clock))
    assert phones["supervisor"].of_kind("work_order")[oid]["state"] == "done"


def test_history_and_descriptions_carry_data_and_only_peoples_words(phones, clock):
    spec, sup, mnt = phones["specialist"], phones["supervisor"], phones["maintenance"]
    d = spec.send(leak(), now(clock))
    oid = f"wo-{d['id']}"
    sup.send(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE, note="key at the desk"), now(clock))
    mnt.send(action(oid, WorkOrderAction.COMPLETE), now(clock) + timedelta(hours=1))
    failed = spec.send(visit(oid, satisfied=False, comment="still damp"), now(clock) + timedelta(hours=2))
    rid = f"wo-{failed['id']}"
    late = sup.send(action(rid, WorkOrderAction.START), now(clock) + timedelta(hours=3))  # waits for a dispatch
    orders = sup.of_kind("work_order")
    original, rework = orders[oid], orders[rid]
    by_action = {e["action"]: e for e in original["history"]}
    assert by_action["dispatch"]["note"] == "key at the desk"
    assert (by_action["return_visit_failed"]["verdict"], by_action["return_visit_failed"]["note"]) == (
        "dissatisfied",
        "still damp",
    )
    opened = by_action["rework_opened"]
    assert (opened["related_order_id"], opened["related_number"], opened["note"]) == (rid, rework["number"], "")
    assert (rework["description"], rework["verdict"], rework["parent_id"]) == ("still damp", "dissatisfied", oid)
    waiting = rework["history"][-1]
    assert (waiting["action"], waiting["record_id"], waiting["note"]) == ("action_waiting", late["id"], "")
    assert (waiting["reason"], waiting["reason_detail"]) == (
        "workflow.invalid_transition",
        {"action": "start", "state": "reported"},
    )
    assert spec.of_kind("return_visit_due") == {}

    sup.send(action(rid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), now(clock) + timedelta(hours=4))
    mnt.send(action(rid, WorkOrderAction.COMPLETE), now(clock) + timedelta(hours=5))
    assert spec.of_kind("return_visit_due")[rid]["verdict"] == "dissatisfied"  # why the visit is a second one
    spec.send(visit(rid), now(clock) + timedelta(hours=6))
    closed = sup.of_kind("work_order")[oid]["history"][-1]
    assert (closed["action"], closed["related_order_id"], closed["related_number"]) == (
        "closed_by_rework",
        rid,
        rework["number"],
    )
    everything = json.dumps(sup.of_kind("work_order"))
    for english in ("Rework", "passed its", "not satisfied", "no longer waiting", "cannot be"):
        assert english not in everything


def test_a_rectification_order_keeps_the_violations_as_data(phones, clock):
    site = phones["site-supervisor"]
    check = site.send(decoration_check("demo-permit1", Slot.MORNING, SAND), now(clock))
    order = site.of_kind("work_order")[f"wo-{check['id']}"]
    found = [{"item": "no_disorderly_stacking", "description": "Sand piled in the corridor"}]
    assert (order["violations"], order["description"]) == (found, "")
    again = site.send(decoration_check("demo-permit1", Slot.AFTERNOON, SAND), now(clock) + timedelta(hours=4))
    event = site.of_kind("work_order")[f"wo-{check['id']}"]["history"][-1]
    assert (event["action"], event["record_id"], event["violations"], event["note"]) == (
        "violations_found_again",
        again["id"],
        found,
        "",
    )


def scenario(clock, phones) -> list[tuple[str, dict]]:
    """A day of records from three phones: (username key, wire record)."""
    t = now(clock) - timedelta(hours=2)
    spec, sup, mnt, site = phones["specialist"], phones["supervisor"], phones["maintenance"], phones["site-supervisor"]
    d1 = spec.record(leak(), t)
    d2 = site.record(leak(), t + timedelta(minutes=20))
    oid = f"wo-{d1['id']}"
    records = [
        ("specialist", d1),
        ("site-supervisor", d2),
        (
            "supervisor",
            sup.record(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), t + timedelta(minutes=30)),
        ),
        ("maintenance", mnt.record(action(oid, WorkOrderAction.START), t + timedelta(minutes=40))),
        ("maintenance", mnt.record(action(oid, WorkOrderAction.COMPLETE), t + timedelta(minutes=50))),
    ]
    failed = spec.record(visit(oid, satisfied=False, comment="still damp"), t + timedelta(minutes=70))
    rid = f"wo-{failed['id']}"
    records += [
        ("specialist", failed),
        (
            "supervisor",
            sup.record(action(rid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), t + timedelta(minutes=80)),
        ),
        ("maintenance", mnt.record(action(rid, WorkOrderAction.COMPLETE), t + timedelta(minutes=90))),
        ("specialist", spec.record(visit(rid), t + timedelta(minutes=100))),
        ("specialist", spec.record(OwnerComplaint("demo-b2-u201", "Mr Wu", "Lift noisy"), t)),
        ("site-supervisor", site.record(decoration_check("demo-permit2", Slot.MORNING, SAND), t)),
    ]
    return records


def dump(db) -> dict:
    """The full reconciled state: orders and findings, and what a fresh pull of each scope shows.

    Order numbers are issued in arrival order, so each is replaced by its order's id; feed tombstones
    are left out (which entities once existed on the way depends on arrival order too).
    """
    numbers = {r["number"]: f"#{r['id']}" for r in db.query("SELECT id, number FROM work_orders")}

    def unnumbered(text: str) -> object:
        for number, placeholder in numbers.items():
            text = text.replace(number, placeholder)
        return json.loads(text)

    orders = [unnumbered(r["data"]) for r in db.query("SELECT data FROM work_orders ORDER BY id")]
    findings = [unnumbered(r["data"]) for r in db.query("SELECT data FROM findings ORDER BY id")]
    feed = sorted(
        (r["scope"], r["kind"], r["entity_id"], json.dumps(unnumbered(r["data"]), sort_keys=True))
        for r in db.query(
            "SELECT f.scope, f.kind, f.entity_id, d.data FROM feed f JOIN feed_data d USING (kind, entity_id)"
            " WHERE f.kind IN ('work_order', 'return_visit_due', 'finding') AND f.deleted = 0"
        )
    )
    return {"orders": orders, "findings": findings, "feed": feed}


def push_each(phones, records):
    for who, raw in records:
        result = phones[who].push(raw)[raw["id"]]
        assert result["status"] in ("accepted", "duplicate"), result


def test_pushing_the_same_records_again_changes_nothing(phones, clock, server_db):
    records = scenario(clock, phones)
    push_each(phones, records)
    phones["supervisor"].get("/api/v1/findings")
    state = dump(server_db)
    assert [o["state"] for o in state["orders"]].count("closed") == 2
    push_each(phones, records)
    phones["supervisor"].get("/api/v1/findings")
    assert dump(server_db) == state


def test_the_same_records_in_another_order_give_the_same_orders_and_findings(
    phones, clock, server_db, tmp_path, new_database_url
):
    other = Settings(data_dir=tmp_path / "second", argon2=CHEAP_ARGON2, now=clock.now, database_url=new_database_url())
    prepare_data_dir(other)
    with TestClient(create_app(other)) as second:
        again = {who: Phone(second, f"demo-{who}") for who in phones}
        for side in (phones, again):  # both servers start watching the schedules today
            side["supervisor"].get("/api/v1/findings")
        records = scenario(clock, phones)
        push_each(phones, records)
        push_each(again, causal_order(records, rank=lambda r: -records.index(r)))  # as late as each may come
        clock.advance(days=1)  # the next morning: missed checks, a route not walked, overdue orders
        found = phones["supervisor"].get("/api/v1/findings")["findings"]
        assert {"decoration.check_missed", "patrol.route_missed", "order.overdue"} <= {f["kind"] for f in found}
        assert len(again["supervisor"].get("/api/v1/findings")["findings"]) == len(found)
        db = open_db(other.db_url)
        try:
            assert dump(db) == dump(server_db)
        finally:
            db.close()


def test_a_corrected_defect_keeps_its_order(phones, clock):
    spec = phones["specialist"]
    wrong = spec.send(leak(category=DefectCategory.ELECTRICAL), now(clock))
    oid = f"wo-{wrong['id']}"
    number = phones["supervisor"].of_kind("work_order")[oid]["number"]
    fixed = spec.send(leak(), now(clock) + timedelta(minutes=3), supersedes=wrong["id"])
    orders = phones["supervisor"].of_kind("work_order")
    assert list(orders) == [oid]  # the same order, corrected, not a new one
    order = orders[oid]
    assert (order["number"], order["category"]) == (number, "water_leakage")
    corrected = order["history"][-1]
    assert (corrected["action"], corrected["record_id"]) == ("corrected", fixed["id"])
    assert corrected["changes"] == {"category": {"from": "electrical", "to": "water_leakage"}}


def test_an_action_for_an_order_the_server_does_not_have_is_rejected(phones, clock, server_db):
    spec, sup = phones["specialist"], phones["supervisor"]
    d = spec.record(leak(), now(clock) - timedelta(minutes=5))
    oid = f"wo-{d['id']}"
    before = dump(server_db)
    early = sup.record(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), now(clock))
    result = sup.push(early)[early["id"]]
    assert (result["status"], result["code"]) == ("rejected", "record.unknown_reference")
    assert dump(server_db) == before
    assert spec.push(d)[d["id"]]["status"] == "accepted"
    sup.send(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), now(clock))
    order = sup.of_kind("work_order")[oid]
    assert (order["state"], order["assignee_id"]) == ("dispatched", MAINTENANCE)


def test_the_rectification_deadline_is_configurable_per_property(phones, clock, server_db):
    from sync_server.db import transaction, work_orders

    with transaction(server_db):
        work_orders.set_rectification_hours(server_db, property_id="demo", hours=48)
    check = phones["site-supervisor"].send(decoration_check("demo-permit1", Slot.MORNING, SAND), now(clock))
    order = phones["site-supervisor"].of_kind("work_order")[f"wo-{check['id']}"]
    assert order["due_at"] == "2026-11-25T09:30:00+08:00"


def test_a_checkpoint_issue_becomes_an_order_linked_to_its_patrol_round(phones, clock):
    from shared.model import CheckpointResult, CheckpointVisit, PatrolRound, PresenceProof, Proof

    spec, t = phones["specialist"], now(clock)
    patrol = spec.send(PatrolRound("demo-r2", t), t)
    proof = Proof(PresenceProof.SCANNED, code="CP-DEMO-R2-01")
    issue = spec.record(CheckpointVisit(patrol["id"], "demo-r2-cp1", CheckpointResult.ISSUE, proof, "Pipe leaks"), t)
    defect = spec.record(leak(place_id="demo-garage", checkpoint_visit_id=issue["id"]), t)
    for raw in [issue, defect]:  # the phone saved the visit first: its outbox sends it first
        assert spec.push(raw)[raw["id"]]["status"] == "accepted"
    order = phones["supervisor"].of_kind("work_order")[f"wo-{defect['id']}"]
    assert (order["checkpoint_visit_ids"], order["round_ids"]) == ([issue["id"]], [patrol["id"]])
