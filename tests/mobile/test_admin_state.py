"""The administration screens' state objects against the real server API (TestClient on a demo data dir)."""

from __future__ import annotations

import pytest

from mobile.admin_api import AdminApi
from mobile.state.admin_area import AdminArea, may_administer
from mobile.state.messages import problem_message
from shared.i18n import Translator
from tests.conftest import login


def area_for(client, username: str, tmp_path=None, locale: str = "en") -> AdminArea:
    answer = client.post(
        "/api/v1/auth/login", json={"username": username, "password": "demo", "device_id": f"{username}-admin"}
    ).json()
    token, user = answer["token"], answer["user"]
    api = AdminApi(client, base_url="", token=token)
    area = AdminArea(api, user, data_dir=tmp_path, translator=lambda: Translator(locale))
    area.start()
    return area


def users_on_server(server_db) -> dict[str, dict]:
    return {r["username"]: r for r in server_db.query("SELECT * FROM users")}


def test_only_admins_and_supervisors_reach_administration() -> None:
    assert may_administer({"role": "admin"}) and may_administer({"role": "supervisor"})
    assert not may_administer({"role": "specialist"}) and not may_administer({"role": "maintenance"})


def test_supervisor_creates_a_specialist_who_exists_on_the_server(client, server_db) -> None:
    area = area_for(client, "demo-supervisor")
    assert area.property_id == "demo" and "properties" not in area.names
    users = area.sections["users"]
    before = len(users.items)
    users.new()
    users.set("username", "new-spec")
    users.set("name", "Zhao Lei")
    users.set("password", "long enough pw")
    assert users.save(), users.form.problems
    assert users.message == "admin.saved" and len(users.items) == before + 1
    row = users_on_server(server_db)["new-spec"]
    assert (row["role"], row["property_id"], row["must_change_password"]) == ("specialist", "demo", 1)
    # the list says roles, kinds and counts in the user's language
    zh = area_for(client, "demo-supervisor", locale="zh-Hans")
    li_na = next(u for u in zh.sections["users"].items if u["username"] == "demo-specialist")
    assert zh.sections["users"].subtitle(li_na) == f"demo-specialist · {Translator('zh-Hans').t('role.specialist')}"
    zh.open("routes")
    assert all("个巡查点" in zh.sections["routes"].subtitle(r) for r in zh.sections["routes"].items)


def test_a_refusal_sits_at_its_field_in_the_users_language(client, server_db) -> None:
    area = area_for(client, "demo-supervisor")
    users = area.sections["users"]
    users.new()
    users.set("username", "demo-specialist")  # taken
    users.set("name", "Someone")
    users.set("password", "short")
    assert not users.save()
    problems = users.form.problems
    assert set(problems) == {"password"} or set(problems) == {"username"}
    users.set("username", "")
    assert not users.save() and set(users.form.problems) == {"username"}  # required: checked before sending
    users.set("username", "fresh")
    assert not users.save() and set(users.form.problems) == {"password"}
    zh = problem_message(Translator("zh-Hans"), users.form.problems["password"])
    assert "10" in zh and "password" not in zh.lower()
    assert "fresh" not in users_on_server(server_db)


def test_deactivating_asks_first_then_the_user_cannot_log_in(client, server_db) -> None:
    area = area_for(client, "demo-supervisor")
    users = area.sections["users"]
    target = next(u for u in users.items if u["username"] == "demo-maintenance")
    users.select(target)
    deactivate = next(a for a in users.actions(target) if a.key == "admin.user.deactivate")
    assert not users.act(deactivate, target)  # only asks
    assert users.asking is not None and users_on_server(server_db)["demo-maintenance"]["deactivated_at"] is None
    users.cancel()
    assert users.asking is None
    users.act(deactivate, target)
    assert users.confirm() and users.message == "admin.user.deactivated"
    assert users_on_server(server_db)["demo-maintenance"]["deactivated_at"] is not None
    refused = client.post(
        "/api/v1/auth/login", json={"username": "demo-maintenance", "password": "demo", "device_id": "d"}
    )
    assert refused.status_code == 401 and refused.json()["code"] == "auth.user_deactivated"
    assert [a.key for a in users.actions(users.selected)][0] == "admin.user.reactivate"
    # one's own account offers no deactivation
    me = next(u for u in users.items if u["username"] == "demo-supervisor")
    assert users.actions(me) == []


def test_reset_password_shows_the_temporary_one_and_devices_can_be_revoked(client, server_db) -> None:
    login(client, "demo-specialist")  # a device to revoke
    area = area_for(client, "demo-supervisor")
    users = area.sections["users"]
    spec = next(u for u in users.items if u["username"] == "demo-specialist")
    users.select(spec)
    assert [d["device_id"] for d in users.devices] == ["demo-specialist-phone"]
    revoke = users.device_actions(users.devices[0])[0]
    assert not users.act(revoke, users.devices[0]) and users.confirm()
    assert users.devices[0]["revoked"] and users.device_actions(users.devices[0]) == []
    reset = next(a for a in users.actions(spec) if a.key == "admin.user.reset")
    assert users.act(reset, spec)
    temporary = users.message_args["password"]
    assert len(temporary) >= 10 and users_on_server(server_db)["demo-specialist"]["must_change_password"] == 1
    assert temporary in Translator("es").t(users.message, **users.message_args)


def test_places_routes_checkpoints_and_labels(client, server_db, tmp_path) -> None:
    area = area_for(client, "demo-admin", tmp_path)
    assert "properties" in area.names
    assert {u["property_id"] for u in area.sections["users"].items} == {"demo"}  # not the other property's
    places = area.sections["places"]
    places.new()
    places.set("kind", "area")
    places.set("name", "Roof garden")
    assert places.save(), places.form.problems
    roof = places.selected
    assert roof["property_id"] == "demo" and places.subtitle(roof).startswith("Common area")
    places.query = "roof"
    assert [p["name"] for p in places.visible()] == ["Roof garden"]
    area.open("routes")
    routes = area.sections["routes"]
    routes.new()
    routes.set("name", "Roof round")
    routes.set("weekdays", ["mon", "thu"])
    assert [label for _, label in routes.fields[1].options()] == ["Li Na"]  # the property's specialists walk routes
    routes.set("assigned_to", "user-demo-specialist")
    assert routes.save(), routes.form.problems
    routes.checkpoint.values.update(place_id=roof["id"], scan_code="ROOF-1")
    assert routes.add_checkpoint(), routes.checkpoint.problems
    route = routes.selected
    assert [c["scan_code"] for c in route["checkpoints"]] == ["ROOF-1"] and route["weekdays"] == ["mon", "thu"]
    routes.checkpoint.values.update(place_id=roof["id"], scan_code="ROOF-1")  # the same code twice
    assert not routes.add_checkpoint() and routes.checkpoint.problems
    labels = next(a for a in routes.actions(route) if a.key == "admin.route.labels")
    assert routes.act(labels, route), routes.problem
    assert routes.labels_path.read_bytes().startswith(b"%PDF") and routes.labels_path.parent == tmp_path / "labels"
    # archiving a place a checkpoint points at is refused, with the server's reason
    area.open("places")
    archive = places.actions(roof)[0]
    places.act(archive, roof)
    assert not places.confirm() and places.problem.code == "admin.place_in_use"


def test_permit_created_and_ended_after_confirmation(client, server_db) -> None:
    area = area_for(client, "demo-supervisor")
    area.open("permits")
    permits = area.sections["permits"]
    unit = permits.units[0]
    permits.new()
    permits.set("unit_id", unit["id"])
    permits.set("contractor", "Bright Builders")
    permits.set("starts_on", "2026-12-01")
    permits.set("ends_on", "2026-11-01")
    permits.set("workers", "Wu Qiang, P-7\nSun Li, P-8")
    assert not permits.save() and "ends_on" in permits.form.problems
    permits.set("ends_on", "2026-12-20")
    assert permits.save(), permits.form.problems
    permit = permits.selected
    assert permit["passes_registered"] == 2 and permits.ending.values["passes_returned"] == "2"
    permits.ending.values["fees_settled"] = True
    end = permits.actions(permit)[0]
    assert not permits.act(end, permit) and permits.confirm()
    (row,) = server_db.query("SELECT * FROM permits WHERE id = ?", [permit["id"]])
    assert (row["status"], row["passes_returned"]) == ("ended", 2) and permits.actions(permits.selected) == []


@pytest.mark.parametrize("username", ["demo-supervisor"])
def test_the_audit_log_shows_what_changed(client, username) -> None:
    area = area_for(client, username)
    users = area.sections["users"]
    users.new()
    users.set("username", "audited")
    users.set("name", "Audited One")
    users.set("password", "long enough pw")
    assert users.save()
    area.open("audit")
    audit = area.sections["audit"]
    assert any("audited" in str(e.get("after")) for e in audit.items)
    assert "Zhang Min" in audit.subtitle(audit.items[0])


def test_a_deactivated_users_phone_stops_keeps_its_records_and_says_why(client, phone) -> None:
    from mobile.recorder import save_record
    from mobile.state.messages import error_text
    from mobile.sync import LOGIN_REQUIRED
    from shared.model import RecordType
    from tests.mobile.conftest import quiet_client
    from tests.mobile.factory import defect

    save_record(phone, type=RecordType.DEFECT_REPORT, body=defect("demo-b1-u101"))
    area = area_for(client, "demo-supervisor")
    users = area.sections["users"]
    spec = next(u for u in users.items if u["username"] == "demo-specialist")
    users.act(users.actions(spec)[-1], spec)
    assert users.confirm()
    report = quiet_client(client, phone).run()
    assert report.status == LOGIN_REQUIRED and report.error["code"] == "auth.user_deactivated"
    assert phone.pending_counts()["records"] == 1  # nothing lost
    said = error_text(Translator("zh-Hant"), phone.last_error["code"], phone.last_error["message"])
    assert "停用" in said


def test_admin_creates_a_property_with_working_hours_and_a_bad_day_is_shown_at_that_day(client, server_db) -> None:
    area = area_for(client, "demo-admin")
    area.open("properties")
    props = area.sections["properties"]
    props.new()
    for name, value in {"id": "tower-b", "name": "Tower B", "tz": "Asia/Shanghai", "rectification_hours": "48"}.items():
        props.set(name, value)
    for day in ("mon", "tue", "wed", "thu", "fri"):
        props.set(f"hours_{day}", "08:30-18:00")
    props.set("hours_sat", "18:00-09:00")  # closing before opening
    assert not props.save() and set(props.form.problems) == {"hours_sat"}
    assert "08:00-18:00" in problem_message(Translator("en"), props.form.problems["hours_sat"])
    props.set("hours_sat", "09:00-12:00")
    assert props.save(), props.form.problems
    (row,) = server_db.query("SELECT * FROM properties WHERE id = ?", ["tower-b"])
    assert (row["tz"], props.selected["rectification_hours"]) == ("Asia/Shanghai", 48)
    assert (
        props.selected["working_hours"]["sat"] == ["09:00", "12:00"] and props.selected["working_hours"]["sun"] is None
    )
    assert props.form.values["hours_mon"] == "08:30-18:00" and props.form.values["hours_sun"] == ""
    assert "tower-b" in [p["id"] for p in area.api.get("/properties")]


def test_a_checkpoint_moves_earlier_and_the_audit_says_what_changed(client) -> None:
    area = area_for(client, "demo-supervisor")
    area.open("routes")
    routes = area.sections["routes"]
    route = routes.items[0]
    routes.select(route)
    first, second = route["checkpoints"][:2]
    assert [a.key for a in routes.checkpoint_actions(first)] == ["admin.archive"]  # the first cannot go up
    up = routes.checkpoint_actions(second)[0]
    assert routes.act(up, second)
    assert [c["id"] for c in routes.selected["checkpoints"][:2]] == [second["id"], first["id"]]
    area.open("audit")
    audit = area.sections["audit"]
    moved = next(e for e in audit.items if e["entity_id"] == second["id"])
    assert "position: 2 → 1" in audit.changes(moved)
