"""Setting a property up through the service layer and the API: checks with stable codes, the audit, the feed."""

from __future__ import annotations

import pytest

from shared.errors import ValidationProblem
from sync_server.admin import permits, places, properties, routes
from sync_server.admin.common import CLI
from sync_server.db import transaction
from tests.conftest import bearer, login

ADMIN = "/api/v1/admin"


@pytest.fixture
def admin(client):
    return bearer(login(client, "demo-admin"))


def _problem(response, status: int, code: str) -> dict:
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["message"].strip()
    return response.json()


def _pull(client, username: str, since: int = 0) -> dict[tuple[str, str], dict]:
    token = login(client, username, device_id=f"{username}-puller")
    data = client.get("/api/v1/sync/pull", params={"since": since, "limit": 1000}, headers=bearer(token)).json()
    return {(c["kind"], c["id"]): c for c in data["changes"]}


def _cursor(server_db) -> int:
    return int(server_db.execute("SELECT MAX(seq) FROM feed").fetchone()[0])


@pytest.mark.parametrize(
    "body,code",
    [
        ({"id": "t", "name": "T", "tz": "Mars/Olympus"}, "admin.invalid_time_zone"),
        ({"id": "t t", "name": "T", "tz": "UTC"}, "admin.invalid_id"),
        ({"id": "t", "name": "  ", "tz": "UTC"}, "admin.required"),
        ({"id": "t", "name": "T", "tz": "UTC", "rectification_hours": 0}, "admin.invalid_rectification_hours"),
        ({"id": "t", "name": "T", "tz": "UTC", "working_hours": {"mon": ["8", "18"]}}, "admin.invalid_working_hours"),
    ],
)
def test_a_property_with_a_mistake_is_refused_with_what_to_fix(client, admin, server_db, body, code):
    _problem(client.post(f"{ADMIN}/properties", json=body, headers=admin), 422, code)
    assert server_db.execute("SELECT COUNT(*) FROM properties WHERE id = 't'").fetchone()[0] == 0


def test_property_rules_reach_the_phones_with_the_property(client, admin, server_db):
    since = _cursor(server_db)
    hours = {d: ["08:00", "20:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat")} | {"sun": None}
    response = client.patch(
        f"{ADMIN}/properties/demo", json={"rectification_hours": 48, "working_hours": hours}, headers=admin
    )
    assert response.status_code == 200, response.text
    pulled = _pull(client, "demo-specialist", since)[("property", "demo")]["data"]
    assert pulled["rectification_hours"] == 48
    assert pulled["working_hours"]["sun"] is None and pulled["working_hours"]["mon"] == ["08:00", "20:00"]
    entry = client.get(f"{ADMIN}/audit", params={"entity_id": "demo"}, headers=admin).json()[0]
    assert entry["action"] == "property.update" and entry["actor_name"] == "Liu Yang"
    assert entry["before"]["rectification_hours"] == 24 and entry["after"]["rectification_hours"] == 48


def test_places_nest_building_floor_unit_and_units_carry_their_owner(client, admin):
    def post(body):
        return client.post(f"{ADMIN}/properties/demo/places", json=body, headers=admin)

    building = post({"kind": "building", "name": "Building 3"}).json()
    floor = post({"kind": "floor", "name": "Floor 1", "parent_id": building["id"]}).json()
    unit = post(
        {"kind": "unit", "name": "101", "parent_id": floor["id"], "owner_name": "Zhou Jie", "owner_contact": "138"}
    )
    assert unit.status_code == 201 and unit.json()["owner_name"] == "Zhou Jie"
    _problem(post({"kind": "unit", "name": "102", "parent_id": building["id"]}), 422, "admin.invalid_parent")
    _problem(post({"kind": "floor", "name": "F"}), 422, "admin.invalid_parent")
    _problem(post({"kind": "area", "name": "Hall", "owner_name": "X"}), 422, "admin.owner_not_unit")
    _problem(post({"kind": "castle", "name": "C"}), 422, "admin.invalid_kind")
    changed = client.patch(f"{ADMIN}/places/{unit.json()['id']}", json={"owner_contact": ""}, headers=admin)
    assert changed.json()["owner_contact"] is None and changed.json()["owner_name"] == "Zhou Jie"


def test_a_place_in_use_is_not_archived_and_an_archived_place_leaves_the_phones(client, admin, server_db):
    response = client.post(f"{ADMIN}/places/demo-b1-u302/archive", headers=admin)  # a permit's unit
    assert _problem(response, 409, "admin.place_in_use")["detail"]["uses"] == {"permits": ["demo-permit1"]}
    _problem(client.post(f"{ADMIN}/places/demo-b1/archive", headers=admin), 409, "admin.place_in_use")
    since = _cursor(server_db)
    assert client.post(f"{ADMIN}/places/demo-b1-u101/archive", headers=admin).json()["archived_at"]
    assert _pull(client, "demo-specialist", since)[("place", "demo-b1-u101")]["deleted"] is True
    listed = client.get(f"{ADMIN}/properties/demo/places", headers=admin).json()
    assert "demo-b1-u101" not in {p["id"] for p in listed}
    assert server_db.execute("SELECT COUNT(*) FROM places WHERE id = 'demo-b1-u101'").fetchone()[0] == 1


def test_a_new_route_and_a_moved_checkpoint_reach_the_specialist(client, admin, server_db):
    since = _cursor(server_db)
    body = {
        "name": "Night round",
        "assigned_to": "user-demo-specialist",
        "weekdays": ["fri", "mon"],
        "checkpoints": [
            {"place_id": "demo-garage", "scan_code": "NIGHT-1"},
            {"place_id": "demo-lobby", "scan_code": "NIGHT-2", "name": "Front door"},
        ],
    }
    route = client.post(f"{ADMIN}/properties/demo/routes", json=body, headers=admin).json()
    assert route["weekdays"] == ["mon", "fri"]
    assert [(c["position"], c["scan_code"], c["name"]) for c in route["checkpoints"]] == [
        (1, "NIGHT-1", "Underground garage"),
        (2, "NIGHT-2", "Front door"),
    ]
    first = route["checkpoints"][0]["id"]
    moved = client.patch(
        f"{ADMIN}/checkpoints/{first}", json={"place_id": "demo-periphery", "position": 2}, headers=admin
    )
    assert moved.json()["place_id"] == "demo-periphery" and moved.json()["position"] == 2
    pulled = _pull(client, "demo-specialist", since)
    assert pulled[("route", route["id"])]["data"]["assigned_to"] == "user-demo-specialist"
    assert pulled[("checkpoint", first)]["data"]["place_id"] == "demo-periphery"
    assert pulled[("checkpoint", first)]["data"]["position"] == 2
    assert pulled[("checkpoint", route["checkpoints"][1]["id"])]["data"]["position"] == 1


def test_checkpoint_codes_differ_and_route_days_are_weekdays(client, admin):
    body = {"place_id": "demo-lobby", "scan_code": "cp-demo-r1-01"}  # the demo's code, in another case
    response = client.post(f"{ADMIN}/routes/demo-r2/checkpoints", json=body, headers=admin)
    assert _problem(response, 409, "admin.duplicate_code")["detail"]["checkpoint_id"] == "demo-r1-cp1"
    response = client.patch(f"{ADMIN}/routes/demo-r1", json={"weekdays": ["someday"]}, headers=admin)
    _problem(response, 422, "admin.invalid_weekdays")


def test_an_archived_route_leaves_the_phones_with_its_checkpoints(client, admin, server_db):
    since = _cursor(server_db)
    assert client.post(f"{ADMIN}/routes/demo-r2/archive", headers=admin).status_code == 200
    pulled = _pull(client, "demo-specialist", since)
    assert pulled[("route", "demo-r2")]["deleted"]
    assert all(pulled[("checkpoint", f"demo-r2-cp{n}")]["deleted"] for n in range(1, 5))
    routes_now = client.get(f"{ADMIN}/properties/demo/routes", headers=admin).json()
    assert [r["id"] for r in routes_now] == ["demo-r1"]


def test_permit_approval_more_than_2_days_after_application_is_flagged(client, admin):
    def permit(applied, approved):
        body = {
            "unit_id": "demo-b1-u201",
            "contractor": "Acme Renovation",
            "starts_on": "2026-11-20",
            "ends_on": "2026-12-20",
            "applied_on": applied,
            "approved_on": approved,
            "workers": [{"name": "Ma Qiang", "pass_number": "P-7"}, {"name": "Yu Bo", "pass_number": "P-8"}],
        }
        return client.post(f"{ADMIN}/properties/demo/permits", json=body, headers=admin)

    on_time = permit("2026-11-10", "2026-11-12").json()
    assert on_time["approval_late"] is False and on_time["passes_registered"] == 2
    assert permit("2026-11-10", "2026-11-13").json()["approval_late"] is True
    _problem(permit("2026-11-10", "2026-11-09"), 422, "admin.invalid_dates")
    _problem(permit("2026-11-10", "13/11/2026"), 422, "admin.invalid_date")


def test_ending_a_permit_records_passes_and_fees_and_the_phones_see_it_ended(client, admin, server_db):
    since = _cursor(server_db)
    end = {"passes_returned": 7, "fees_settled": True}
    response = client.post(f"{ADMIN}/permits/demo-permit1/end", json=end, headers=admin)
    _problem(response, 422, "admin.invalid_passes_returned")
    end["passes_returned"] = 6
    ended = client.post(f"{ADMIN}/permits/demo-permit1/end", json=end, headers=admin).json()
    assert (ended["status"], ended["passes_returned"], ended["fees_settled"]) == ("ended", 6, True)
    assert ended["ended_on"] == "2026-11-23"  # the property's own day
    data = _pull(client, "demo-site-supervisor", since)[("permit", "demo-permit1")]["data"]
    assert data["status"] == "ended"
    again = client.post(f"{ADMIN}/permits/demo-permit1/end", json=end, headers=admin)
    _problem(again, 409, "admin.permit_ended")
    active = client.get(f"{ADMIN}/properties/demo/permits", params={"status": "active"}, headers=admin).json()
    assert "demo-permit1" not in {p["id"] for p in active}


def test_many_changes_in_one_transaction_are_all_or_nothing(settings, server_db):
    def setup(with_mistake: bool) -> None:
        with transaction(server_db):
            building = places.create_place(server_db, settings, CLI, property_id="demo", kind="building", name="B9")
            places.create_place(
                server_db, settings, CLI, property_id="demo", kind="floor", name="F1", parent_id=building["id"]
            )
            routes.create_route(server_db, settings, CLI, property_id="demo", name="Nine")
            if with_mistake:
                permits.create_permit(
                    server_db,
                    settings,
                    CLI,
                    property_id="demo",
                    unit_id=building["id"],
                    contractor="X",
                    starts_on="2026-11-01",
                    ends_on="2026-11-30",
                )

    counts = "SELECT (SELECT COUNT(*) FROM places), (SELECT COUNT(*) FROM routes), (SELECT COUNT(*) FROM audit_log)"
    before = server_db.execute(counts).fetchone()
    seq = _cursor(server_db)
    with pytest.raises(ValidationProblem) as refused:
        setup(with_mistake=True)
    assert refused.value.code == "admin.not_a_unit"
    assert server_db.execute(counts).fetchone() == before and _cursor(server_db) == seq
    setup(with_mistake=False)
    assert server_db.execute(counts).fetchone() == (before[0] + 2, before[1] + 1, before[2] + 3)


def test_a_change_outside_a_transaction_is_refused(settings, server_db):
    with pytest.raises(RuntimeError, match="transaction"):
        properties.update_property(server_db, settings, CLI, property_id="demo", name="Loose")


def test_taking_a_checkpoint_off_a_route_moves_the_later_ones_up(client, admin, server_db):
    since = _cursor(server_db)
    assert client.post(f"{ADMIN}/checkpoints/demo-r2-cp2/archive", headers=admin).status_code == 200
    route = client.get(f"{ADMIN}/routes/demo-r2", headers=admin).json()
    assert [(c["id"], c["position"]) for c in route["checkpoints"]] == [
        ("demo-r2-cp1", 1),
        ("demo-r2-cp3", 2),
        ("demo-r2-cp4", 3),
    ]
    pulled = _pull(client, "demo-specialist", since)
    assert pulled[("checkpoint", "demo-r2-cp2")]["deleted"]
    assert pulled[("checkpoint", "demo-r2-cp4")]["data"]["position"] == 3
    # its code is free again for a new label
    body = {"place_id": "demo-garage", "scan_code": "CP-DEMO-R2-02", "position": 1}
    added = client.post(f"{ADMIN}/routes/demo-r2/checkpoints", json=body, headers=admin).json()
    assert added["position"] == 1
    positions = [c["position"] for c in client.get(f"{ADMIN}/routes/demo-r2", headers=admin).json()["checkpoints"]]
    assert positions == [1, 2, 3, 4]


def test_a_permit_is_extended_and_its_approval_judged_again(client, admin):
    late = client.patch(
        f"{ADMIN}/permits/demo-permit2",
        json={"ends_on": "2027-03-01", "applied_on": "2026-11-01", "approved_on": "2026-11-06"},
        headers=admin,
    ).json()
    assert (late["ends_on"], late["approval_late"]) == ("2027-03-01", True)
    workers = [{"name": "A", "pass_number": "7"}, {"name": "B", "pass_number": "7"}]
    response = client.patch(f"{ADMIN}/permits/demo-permit2", json={"workers": workers}, headers=admin)
    _problem(response, 422, "admin.duplicate_pass")
    response = client.patch(f"{ADMIN}/permits/demo-permit2", json={"ends_on": "2026-01-01"}, headers=admin)
    _problem(response, 422, "admin.invalid_dates")


def test_nothing_new_may_point_at_an_archived_place(client, admin):
    assert client.post(f"{ADMIN}/places/demo-b1-u101/archive", headers=admin).status_code == 200
    body = {"unit_id": "demo-b1-u101", "contractor": "Acme", "starts_on": "2026-11-20", "ends_on": "2026-12-20"}
    response = client.post(f"{ADMIN}/properties/demo/permits", json=body, headers=admin)
    _problem(response, 422, "admin.archived_reference")
